//! The `pci` source: `pci.device`, one instance per `/sys/bus/pci/devices/<BDF>`, as NFD's
//! `source/pci`.
//!
//! NFD's Discover fails the whole run when `/sys/bus/pci/devices` cannot be read; here that is
//! a warning and `pci.device` is not produced. A device missing one of the mandatory attributes
//! is skipped with a warning (NFD logs an error and skips it).

use std::collections::BTreeMap;
use std::path::Path;

use crate::features::Instance;

use super::{Context, Discovered, HostRoot, Source, SourceError};

/// NFD's `pci` source.
pub(crate) struct Pci;

const SOURCE: &str = "pci";

/// Attributes every device must have.
const MANDATORY: [&str; 5] = [
    "class",
    "vendor",
    "device",
    "subsystem_vendor",
    "subsystem_device",
];

/// Attributes taken when readable (the keys keep the `/`).
const OPTIONAL: [&str; 3] = [
    "sriov_totalvfs",
    "iommu_group/type",
    "iommu/intel-iommu/version",
];

impl Source for Pci {
    fn name(&self) -> &'static str {
        SOURCE
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        let base = ctx.root.join("/sys/bus/pci/devices");
        let Some(names) =
            out.ok_or_lost(SOURCE, &["pci.device"], ctx.root.read_dir_names_at(&base))
        else {
            return;
        };
        let mut devices = Vec::with_capacity(names.len());
        for name in names {
            if let Some(device) = out.ok_or_lost(
                SOURCE,
                &["pci.device"],
                read_device(&ctx.root, &base.join(&name)),
            ) {
                devices.push(device);
            }
        }
        out.features.insert_instances("pci.device", devices);
    }
}

/// One device's attributes (NFD `readPciDevInfo`).
fn read_device(root: &HostRoot, dir: &Path) -> Result<Instance, SourceError> {
    let mut attributes = BTreeMap::new();
    for attr in MANDATORY {
        let raw = root.read_attribute(&dir.join(attr))?;
        attributes.insert(attr.to_owned(), attribute_value(attr, &raw).to_owned());
    }
    for attr in OPTIONAL {
        if let Ok(raw) = root.read_attribute(&dir.join(attr)) {
            attributes.insert(attr.to_owned(), attribute_value(attr, &raw).to_owned());
        }
    }
    Ok(Instance { attributes })
}

/// NFD `readSinglePciAttribute`: a leading `0x` removed, then whitespace trimmed; `class` cut
/// to its first 4 characters (the programming interface dropped).
pub(crate) fn attribute_value<'a>(attr: &str, raw: &'a str) -> &'a str {
    let value = raw.strip_prefix("0x").unwrap_or(raw).trim();
    if attr == "class" {
        value.get(..4).unwrap_or(value)
    } else {
        value
    }
}

/// The pci.ids name of a vendor, from its ID as sysfs writes it (hex, `8086`).
pub(crate) fn vendor_name(hex: &str) -> Option<&'static str> {
    let id = u16::from_str_radix(hex, 16).ok()?;
    pci_ids::Vendors::iter()
        .find(|v| v.id() == id)
        .map(pci_ids::Vendor::name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::testing;

    #[test]
    fn attribute_values() {
        let cases = [
            ("class", "0x030200\n", "0302"),
            ("class", "0x0b4000\n", "0b40"),
            ("class", "0x0302\n", "0302"),
            ("class", "0x03\n", "03"),
            ("vendor", "0x10de\n", "10de"),
            ("device", " 0x20b5\n", "0x20b5"),
            ("sriov_totalvfs", "16\n", "16"),
            ("iommu_group/type", "DMA-FQ\n", "DMA-FQ"),
            ("iommu/intel-iommu/version", "1:0\n", "1:0"),
            ("subsystem_vendor", "0x0x15b3", "0x15b3"),
        ];
        for (attr, raw, want) in cases {
            assert_eq!(attribute_value(attr, raw), want, "{attr} {raw:?}");
        }
    }

    /// NFD's own expectation (`pci_test.go`, testdata rootfs-1).
    #[test]
    fn nfd_rootfs1_device_3b() {
        let out = testing::discover(&Pci, "nfd-pci-rootfs1");
        let json = testing::features_json(&out);
        let devices = json["instances"]["pci.device"]["elements"]
            .as_array()
            .cloned();
        let devices = devices.unwrap_or_default();
        let want = serde_json::json!({"attributes": {
            "class": "0b40", "device": "37c8", "iommu/intel-iommu/version": "1:0",
            "iommu_group/type": "identity", "sriov_totalvfs": "16",
            "subsystem_device": "35cf", "subsystem_vendor": "8086", "vendor": "8086"}});
        assert!(devices.contains(&want), "{devices:#?}");
        // Eleven directories; 0000:00:1f.2 has only `class`, so it is skipped with a warning.
        assert_eq!(devices.len(), 10);
        assert_eq!(out.warnings.len(), 1);
        assert!(
            out.warnings[0].message.contains("0000:00:1f.2"),
            "{:?}",
            out.warnings
        );
    }

    #[test]
    fn intel_server_pci() {
        let out = testing::discover(&Pci, "intel-server");
        assert_eq!(out.warnings, []);
        let device =
            |class: &str, vendor: &str, device: &str, sub: [&str; 2], vfs: Option<&str>| {
                let mut attributes = serde_json::json!({
                "class": class, "vendor": vendor, "device": device,
                "subsystem_vendor": sub[0], "subsystem_device": sub[1],
                "iommu/intel-iommu/version": "1:0", "iommu_group/type": "DMA"});
                if let Some(vfs) = vfs {
                    attributes["sriov_totalvfs"] = vfs.into();
                }
                serde_json::json!({ "attributes": attributes })
            };
        assert_eq!(
            testing::features_json(&out)["instances"]["pci.device"]["elements"],
            serde_json::json!([
                device("0600", "8086", "09a2", ["8086", "0000"], None),
                device("0c03", "8086", "a1af", ["15d9", "7270"], None),
                device("0106", "8086", "a182", ["15d9", "7270"], None),
                device("0300", "1a03", "2000", ["15d9", "1c48"], None),
                device("0302", "10de", "20b5", ["10de", "1533"], Some("20")),
                device("0200", "15b3", "101d", ["15b3", "0016"], Some("16")),
                device("0200", "15b3", "101d", ["15b3", "0016"], Some("16")),
                device("0108", "144d", "a80a", ["144d", "a801"], None),
                device("0302", "10de", "20b5", ["10de", "1533"], Some("20")),
            ])
        );
    }

    #[test]
    fn missing_bus_is_a_warning_and_no_feature() {
        let out = testing::discover(&Pci, "minimal-container");
        assert!(out.features.instances.is_empty());
        assert_eq!(out.warnings.len(), 1);
    }
}
