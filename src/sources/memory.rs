//! The `memory` source: `memory.numa`, `memory.swap`, `memory.nv` and `memory.hugepages`, as
//! NFD's `source/memory`.
//!
//! A feature NFD leaves out after logging an error is left out here with a warning: `numa` when
//! `/sys/bus/node/devices` is unreadable, `swap` when `/proc/swaps` is. `memory.nv` is an empty
//! list when `/sys/bus/nd/devices` does not exist, and `memory.hugepages` is `enabled: false`
//! when `/sys/kernel/mm/hugepages` does not exist, both as in NFD.

use std::collections::BTreeMap;

use crate::features::Instance;

use super::{Context, Discovered, Source};

/// NFD's `memory` source.
pub(crate) struct Memory;

const SOURCE: &str = "memory";

impl Source for Memory {
    fn features(&self) -> &'static [&'static str] {
        &[
            "memory.numa",
            "memory.swap",
            "memory.nv",
            "memory.hugepages",
        ]
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        let root = &ctx.root;

        match root.read_dir_names("/sys/bus/node/devices") {
            Ok(nodes) => out.features.insert_attributes(
                "memory.numa",
                [
                    ("is_numa", (nodes.len() > 1).to_string()),
                    ("node_count", nodes.len().to_string()),
                ],
            ),
            Err(err) => out.lost(SOURCE, &["memory.numa"], &err),
        }

        match root.read("/proc/swaps") {
            Ok(text) => out.features.insert_attributes(
                "memory.swap",
                [("enabled", swap_enabled(&text).to_string())],
            ),
            Err(err) => out.lost(SOURCE, &["memory.swap"], &err),
        }

        let nd = root.join("/sys/bus/nd/devices");
        match root.read_dir_names_at(&nd) {
            Ok(devices) => {
                let mut instances = Vec::with_capacity(devices.len());
                for name in devices {
                    let dir = nd.join(&name);
                    let mut attributes = BTreeMap::new();
                    for attr in ["devtype", "mode"] {
                        if let Ok(value) = root.read_path_trimmed(&dir.join(attr)) {
                            attributes.insert(attr.to_owned(), value);
                        }
                    }
                    attributes.insert("name".to_owned(), name);
                    instances.push(Instance::from(attributes));
                }
                out.features.insert_instances("memory.nv", instances);
            }
            Err(err) if err.is_not_found() => {
                out.features.insert_instances("memory.nv", Vec::new());
            }
            Err(err) => out.lost(SOURCE, &["memory.nv"], &err),
        }

        let base = root.join("/sys/kernel/mm/hugepages");
        let mut hugepages = BTreeMap::from([("enabled".to_owned(), "false".to_owned())]);
        let entries = match root.read_dir_names_at(&base) {
            Ok(entries) => entries,
            // No hugepages support: the feature says `enabled: false`.
            Err(err) if err.is_not_found() => Vec::new(),
            Err(err) => {
                out.lost(SOURCE, &["memory.hugepages"], &err);
                return;
            }
        };
        for entry in entries {
            let Some(size) = hugepage_size_key(&entry) else {
                continue;
            };
            let count = out
                .ok_or_warn(
                    SOURCE,
                    root.read_path_trimmed(&base.join(&entry).join("nr_hugepages")),
                )
                .unwrap_or_default();
            if count.parse::<u64>().is_ok_and(|n| n > 0) {
                hugepages.insert("enabled".to_owned(), "true".to_owned());
            }
            hugepages.insert(size, count);
        }
        out.features
            .insert_attributes("memory.hugepages", hugepages);
    }
}

/// NFD's swap rule: more than one non-empty line in `/proc/swaps` (the header plus a device).
/// A line is split at `\n` and counts unless it is empty (whitespace is not trimmed).
pub(crate) fn swap_enabled(text: &str) -> bool {
    text.split('\n')
        .filter(|line| !line.is_empty())
        .nth(1)
        .is_some()
}

/// The `memory.hugepages` key for a `hugepages-<N>kB` directory (`hugepages-2Mi`), or `None`
/// when the size is not a whole number of KiB (NFD cannot parse it as a quantity either).
pub(crate) fn hugepage_size_key(dir_name: &str) -> Option<String> {
    let size = dir_name.strip_prefix("hugepages-").unwrap_or(dir_name);
    let size = size.strip_suffix("kB").unwrap_or(size);
    if size.is_empty() || !size.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kib: u128 = size.parse().ok()?;
    Some(format!("hugepages-{}", binary_quantity(kib * 1024)))
}

/// A byte count as Kubernetes prints a binary-SI quantity (`resource.Quantity.String()`):
/// below 1024 in plain decimal, else the largest power-of-1024 suffix that divides it
/// exactly (`2Mi`, `1Gi`, `1536Ki`), up to `Ei`.
pub(crate) fn binary_quantity(bytes: u128) -> String {
    const SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    if bytes < 1024 {
        return bytes.to_string();
    }
    let mut amount = bytes;
    let mut exponent = 0;
    while exponent < SUFFIXES.len() - 1 && amount.is_multiple_of(1024) {
        amount /= 1024;
        exponent += 1;
    }
    format!("{amount}{}", SUFFIXES[exponent])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::testing;

    #[test]
    fn quantity_table() {
        let cases: &[(u128, &str)] = &[
            (0, "0"),
            (1, "1"),
            (1023, "1023"),
            (1024, "1Ki"),
            (1025, "1025"),
            (64 * 1024, "64Ki"),
            (2048 * 1024, "2Mi"),
            (1536 * 1024, "1536Ki"),
            (32 << 20, "32Mi"),
            (16 << 30, "16Gi"),
            (1 << 30, "1Gi"),
            (3 << 40, "3Ti"),
            (1 << 50, "1Pi"),
            (1 << 60, "1Ei"),
            (1 << 70, "1024Ei"),
        ];
        for (bytes, want) in cases {
            assert_eq!(binary_quantity(*bytes), *want, "{bytes}");
        }
    }

    #[test]
    fn hugepage_keys() {
        let cases: &[(&str, Option<&str>)] = &[
            ("hugepages-2048kB", Some("hugepages-2Mi")),
            ("hugepages-1048576kB", Some("hugepages-1Gi")),
            ("hugepages-64kB", Some("hugepages-64Ki")),
            ("hugepages-32768kB", Some("hugepages-32Mi")),
            ("hugepages-16777216kB", Some("hugepages-16Gi")),
            ("hugepages-0kB", Some("hugepages-0")),
            ("hugepages-kB", None),
            ("hugepages-2MB", None),
            ("README", None),
        ];
        for (name, want) in cases {
            assert_eq!(hugepage_size_key(name).as_deref(), *want, "{name}");
        }
    }

    #[test]
    fn swap_table() {
        let header = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
        assert!(!swap_enabled(header));
        assert!(!swap_enabled(""));
        assert!(!swap_enabled(&format!("{header}\n\n")));
        assert!(swap_enabled(&format!(
            "{header}/dev/dm-1   partition\t4194300\t0\t-2\n"
        )));
    }

    #[test]
    fn intel_server_memory() {
        assert_eq!(
            testing::features_without_warnings(&Memory, "intel-server"),
            serde_json::json!({
                "flags": {},
                "attributes": {
                    "memory.hugepages": {"elements": {
                        "enabled": "true", "hugepages-1Gi": "4", "hugepages-2Mi": "0"}},
                    "memory.numa": {"elements": {"is_numa": "true", "node_count": "2"}},
                    "memory.swap": {"elements": {"enabled": "true"}}
                },
                "instances": {
                    "memory.nv": {"elements": [
                        {"attributes": {"devtype": "nd_namespace_pmem", "mode": "fsdax",
                                        "name": "namespace0.0"}},
                        {"attributes": {"name": "ndbus0"}},
                        {"attributes": {"devtype": "nd_pmem", "name": "region0"}}
                    ]}
                }
            })
        );
    }

    /// An unreadable count is `""` with a warning; an entry that is no size is skipped; a count
    /// that is not a positive number does not enable hugepages.
    #[test]
    fn hugepages_edge_cases() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("sys/kernel/mm/hugepages");
        std::fs::create_dir_all(base.join("hugepages-2048kB/nr_hugepages")).unwrap();
        std::fs::create_dir_all(base.join("hugepages-64kB")).unwrap();
        std::fs::write(base.join("hugepages-64kB/nr_hugepages"), "junk\n").unwrap();
        std::fs::create_dir_all(base.join("README")).unwrap();
        let mut ctx = testing::context("minimal-container");
        ctx.root = crate::sources::HostRoot::new(dir.path());
        let mut out = Discovered::default();
        Memory.discover(&ctx, &mut out);
        assert_eq!(
            testing::features_json(&out)["attributes"]["memory.hugepages"],
            serde_json::json!({"elements": {
                "enabled": "false", "hugepages-2Mi": "", "hugepages-64Ki": "junk"}})
        );
        assert!(
            out.warnings
                .iter()
                .any(|w| w.message.contains("hugepages-2048kB/nr_hugepages")),
            "{:?}",
            out.warnings
        );
    }

    #[test]
    fn minimal_container_memory() {
        let out = testing::discover(&Memory, "minimal-container");
        assert_eq!(
            testing::features_json(&out),
            serde_json::json!({
                "flags": {},
                "attributes": {"memory.hugepages": {"elements": {"enabled": "false"}}},
                "instances": {"memory.nv": {"elements": []}}
            })
        );
        // No /sys/bus/node/devices and no /proc/swaps.
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
    }
}
