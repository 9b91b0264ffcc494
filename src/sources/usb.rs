//! The `usb` source: `usb.device`, as NFD's `source/usb`.
//!
//! A device is every `/sys/bus/usb/devices/*` entry with an `idProduct` file (NFD globs
//! `*/idProduct`, which also matches names starting with `.`). Its `class` (`bDeviceClass`),
//! `vendor` (`idVendor`), `device` (`idProduct`) and `serial` are trimmed and kept only when
//! non-empty. A device of class `00` declares its class per interface: it becomes one instance
//! per `<dev>/*/bInterfaceClass`, with that interface's class. A missing directory gives an
//! empty list, as in NFD.

use std::collections::BTreeMap;
use std::path::Path;

use crate::features::Instance;

use super::{Context, Discovered, HostRoot, Source, SourceError};

/// NFD's `usb` source.
pub(crate) struct Usb;

const SOURCE: &str = "usb";

/// (attribute, file) pairs read for each device; `idProduct` first, as it decides whether the
/// entry is a device at all.
const DEVICE_ATTRS: [(&str, &str); 4] = [
    ("device", "idProduct"),
    ("class", "bDeviceClass"),
    ("vendor", "idVendor"),
    ("serial", "serial"),
];

impl Source for Usb {
    fn features(&self) -> &'static [&'static str] {
        &["usb.device"]
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        let base = ctx.root.join("/sys/bus/usb/devices");
        // Go's Glob ignores I/O errors and yields no match.
        let names = ctx.root.read_dir_names_at(&base).unwrap_or_default();
        let mut instances = Vec::new();
        for name in names {
            let dir = base.join(&name);
            match read_device(&ctx.root, &dir) {
                Ok(Some(mut device)) => instances.append(&mut device),
                Ok(None) => {}
                Err(err) => out.lost(SOURCE, &["usb.device"], &err),
            }
        }
        out.features.insert_instances("usb.device", instances);
    }
}

/// The instances of one device directory, `None` when it is not a device (no `idProduct`).
fn read_device(root: &HostRoot, dir: &Path) -> Result<Option<Vec<Instance>>, SourceError> {
    let mut attributes = BTreeMap::new();
    for (attr, file) in DEVICE_ATTRS {
        let path = dir.join(file);
        match root.read_path_trimmed(&path) {
            Ok(value) if !value.is_empty() => {
                attributes.insert(attr.to_owned(), value);
            }
            // Without `idProduct` this is not a device (an interface, a port). Go's Glob would
            // also match a dangling `idProduct` link; sysfs has none, so one open decides.
            Err(err) if attr == "device" && err.is_not_found() => return Ok(None),
            Ok(_) | Err(_) => {}
        }
    }
    if attributes.get("class").map(String::as_str) != Some("00") {
        return Ok(Some(vec![Instance::from(attributes)]));
    }
    // Interface-level classes: `<dev>/*/bInterfaceClass`, in name order. Only directories and
    // links can hold the file; the entry type comes with the listing, so files cost nothing.
    let mut instances = Vec::new();
    for entry in subdirectories(root, dir)? {
        let file = dir.join(&entry).join("bInterfaceClass");
        match root.read_path_trimmed(&file) {
            Ok(class) => {
                let mut interface = attributes.clone();
                interface.insert("class".to_owned(), class);
                instances.push(Instance::from(interface));
            }
            Err(err) if err.is_not_found() => {}
            // NFD drops the whole device when a matched interface file cannot be read.
            Err(err) => return Err(err),
        }
    }
    Ok(Some(instances))
}

/// The names of the directories and links in `dir`, sorted.
fn subdirectories(root: &HostRoot, dir: &Path) -> Result<Vec<String>, SourceError> {
    Ok(root
        .read_dir_entries(dir)?
        .into_iter()
        .filter_map(|(name, dir_or_link)| dir_or_link.then_some(name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::testing;

    #[test]
    fn intel_server_usb() {
        assert_eq!(
            testing::features_without_warnings(&Usb, "intel-server")["instances"],
            serde_json::json!({"usb.device": {"elements": [
                // A class-00 composite device: one instance per interface.
                {"attributes": {"class": "08", "device": "ff20", "serial": "KVM-0001",
                                "vendor": "046b"}},
                {"attributes": {"class": "03", "device": "ff20", "serial": "KVM-0001",
                                "vendor": "046b"}},
                // An empty serial is left out.
                {"attributes": {"class": "ef", "device": "0129", "vendor": "0bda"}},
                {"attributes": {"class": "09", "device": "0002", "serial": "0000:00:14.0",
                                "vendor": "1d6b"}},
            ]}})
        );
    }

    /// A class-00 device whose interface class cannot be read is dropped with a warning (NFD
    /// drops it too); a device without a class keeps its other attributes.
    #[test]
    fn unreadable_interface_drops_the_device() {
        let dir = tempfile::tempdir().unwrap();
        let devices = dir.path().join("sys/bus/usb/devices");
        let write = |rel: &str, text: &str| {
            let path = devices.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("1-1/idProduct", "0001\n");
        write("1-1/bDeviceClass", "00\n");
        std::fs::create_dir_all(devices.join("1-1/1-1:1.0/bInterfaceClass")).unwrap();
        write("1-2/idProduct", "0002\n");
        write("1-2/idVendor", " 1234 \n");
        let mut ctx = testing::context("minimal-container");
        ctx.root = crate::sources::HostRoot::new(dir.path());
        let mut out = Discovered::default();
        Usb.discover(&ctx, &mut out);
        assert_eq!(
            testing::features_json(&out)["instances"],
            serde_json::json!({"usb.device": {"elements": [
                {"attributes": {"device": "0002", "vendor": "1234"}}]}})
        );
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(out.warnings[0].message.contains("1-1:1.0/bInterfaceClass"));
    }

    #[test]
    fn missing_dir_is_empty() {
        assert_eq!(
            testing::features_without_warnings(&Usb, "minimal-container")["instances"],
            serde_json::json!({"usb.device": {"elements": []}})
        );
    }
}
