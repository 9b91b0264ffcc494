//! The `system` source: `system.name`, `system.osrelease` and `system.dmiid`, as NFD's
//! `source/system`.
//!
//! `system.name` `nodename` is the node name given to discovery (NFD reads `NODE_NAME`), `""`
//! when there is none. `system.osrelease` is absent, with a warning, when `/etc/os-release`
//! cannot be read. `system.dmiid` is present when at least one DMI file could be read.

use std::collections::BTreeMap;

use super::{Context, Discovered, Source, key_value, take_digits};

/// NFD's `system` source.
pub(crate) struct System;

const SOURCE: &str = "system";

/// The files of `/sys/devices/virtual/dmi/id` NFD reads, in its order.
pub(crate) const DMI_ID_ATTRS: [&str; 16] = [
    "bios_date",
    "bios_vendor",
    "bios_version",
    "board_asset_tag",
    "board_name",
    "board_vendor",
    "board_version",
    "chassis_asset_tag",
    "chassis_type",
    "chassis_vendor",
    "chassis_version",
    "product_family",
    "product_name",
    "product_sku",
    "product_version",
    "sys_vendor",
];

impl Source for System {
    fn features(&self) -> &'static [&'static str] {
        &["system.name", "system.osrelease", "system.dmiid"]
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        out.features.insert_attributes(
            "system.name",
            [("nodename", ctx.node_name.clone().unwrap_or_default())],
        );

        match ctx.root.read("/etc/os-release") {
            Ok(text) => out
                .features
                .insert_attributes("system.osrelease", parse_os_release(&text)),
            Err(err) => out.lost(SOURCE, &["system.osrelease"], &err),
        }

        let dir = ctx.root.join("/sys/devices/virtual/dmi/id");
        let mut dmi = BTreeMap::new();
        for attr in DMI_ID_ATTRS {
            if let Ok(value) = ctx.root.read_path_trimmed(&dir.join(attr)) {
                dmi.insert(attr, value);
            }
        }
        if !dmi.is_empty() {
            out.features.insert_attributes("system.dmiid", dmi);
        }
    }
}

/// `system.osrelease` from `/etc/os-release` (NFD `parseOSRelease`): lines matching
/// `^(\w+)=(.+)`, values with `"` and `'` trimmed from both ends; plus `VERSION_ID.major` and
/// `VERSION_ID.minor` when non-empty.
pub(crate) fn parse_os_release(text: &str) -> BTreeMap<String, String> {
    let mut release = BTreeMap::new();
    for line in text.split('\n') {
        // bufio.Scanner drops one trailing `\r`.
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        release.insert(key.to_owned(), value.trim_matches(['"', '\'']).to_owned());
    }
    if let Some((major, minor)) = release.get("VERSION_ID").and_then(|v| split_version_id(v)) {
        let (major, minor) = (major.to_owned(), minor.to_owned());
        if !minor.is_empty() {
            release.insert("VERSION_ID.minor".to_owned(), minor);
        }
        release.insert("VERSION_ID.major".to_owned(), major);
    }
    release
}

/// Matches `^(\d+)(\.(\d+))?(\..*)?$` and returns (major, minor), minor `""` when absent.
/// With greedy digits, keeping the minor group is right iff what follows it is empty or `.`;
/// otherwise the regex falls back to no minor and `(\..*)?` taking the rest.
fn split_version_id(v: &str) -> Option<(&str, &str)> {
    let (major, rest) = take_digits(v)?;
    if rest.is_empty() {
        return Some((major, ""));
    }
    match take_digits(rest.strip_prefix('.')?) {
        Some((minor, tail)) if tail.is_empty() || tail.starts_with('.') => Some((major, minor)),
        _ => Some((major, "")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::testing;

    #[test]
    fn version_id_table() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("22.04", Some(("22", "04"))),
            ("8.9", Some(("8", "9"))),
            ("12", Some(("12", ""))),
            ("2023.1.20240101", Some(("2023", "1"))),
            ("1.2x", Some(("1", ""))),
            ("1.x", Some(("1", ""))),
            ("1.", Some(("1", ""))),
            ("1x", None),
            ("rolling", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(split_version_id(input), *want, "{input:?}");
        }
    }

    #[test]
    fn os_release_lines() {
        let text = "NAME=\"Red Hat Enterprise Linux\"\nVERSION_ID=\"8.9\"\nID='rhel'\n\
                    # comment=1\nEMPTY=\nQUOTES=\"\"\nSPACED = x\nCRLF=yes\r\n\
                    URL=\"https://a/?b=c\"\nlower_case=ok\n  INDENT=no\nX-Y=no\n";
        let got = parse_os_release(text);
        let want: BTreeMap<String, String> = [
            ("NAME", "Red Hat Enterprise Linux"),
            ("VERSION_ID", "8.9"),
            ("VERSION_ID.major", "8"),
            ("VERSION_ID.minor", "9"),
            ("ID", "rhel"),
            ("QUOTES", ""),
            ("CRLF", "yes"),
            ("URL", "https://a/?b=c"),
            ("lower_case", "ok"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn minimal_container_system() {
        let mut ctx = testing::context("minimal-container");
        ctx.node_name = None;
        let mut out = Discovered::default();
        System.discover(&ctx, &mut out);
        assert_eq!(out.warnings, []);
        let json = testing::features_json(&out);
        assert_eq!(
            json["attributes"]["system.name"],
            serde_json::json!({"elements": {"nodename": ""}})
        );
        assert_eq!(
            json["attributes"]["system.osrelease"]["elements"]["VERSION_ID.major"],
            "9"
        );
        assert!(json["attributes"].get("system.dmiid").is_none());
    }
}
