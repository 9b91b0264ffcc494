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
    fn features(&self) -> &'static [&'static str] {
        &["pci.device"]
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
    Ok(Instance::from(attributes))
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
    names::vendor(u16::from_str_radix(hex, 16).ok()?)
}

/// The pci.ids name of a device subclass, from the `class` attribute (hex class and
/// subclass, `0302`).
pub(crate) fn subclass_name(hex: &str) -> Option<&'static str> {
    names::subclass(u16::from_str_radix(hex, 16).ok()?)
}

/// The pci.ids names: sorted IDs, the end of each name in one string, the string.
///
/// Generated from the `pci-ids` crate (whose own tables are structs of pointers, tens of
/// thousands of them, that the loader would relocate at every start of the program for two
/// lookups most runs never make): arrays of numbers and one string constant need no
/// relocation, and a lookup is a binary search. The test `pci_names_are_the_crates` checks
/// the file and rewrites it with `NFD_COMPAT_UPDATE=1`.
#[rustfmt::skip]
#[path = "pci_names.rs"]
mod table;

mod names {
    use super::table::{
        SUBCLASS_ENDS, SUBCLASS_IDS, SUBCLASS_NAMES, VENDOR_ENDS, VENDOR_IDS, VENDOR_NAMES,
    };

    /// A vendor's name.
    pub(super) fn vendor(id: u16) -> Option<&'static str> {
        lookup(&VENDOR_IDS, &VENDOR_ENDS, VENDOR_NAMES, id)
    }

    /// A subclass's name, by class ID and subclass ID (`0x0302`).
    pub(super) fn subclass(id: u16) -> Option<&'static str> {
        lookup(&SUBCLASS_IDS, &SUBCLASS_ENDS, SUBCLASS_NAMES, id)
    }

    fn lookup(ids: &[u16], ends: &[u32], names: &'static str, id: u16) -> Option<&'static str> {
        let i = ids.binary_search(&id).ok()?;
        let start = i.checked_sub(1).map_or(Some(0), |p| ends.get(p).copied())?;
        names.get(usize::try_from(start).ok()?..usize::try_from(*ends.get(i)?).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::testing;

    /// `pci_names.rs` as the `pci-ids` crate gives it: the first entry of equal IDs.
    fn generate_pci_names() -> String {
        use std::fmt::Write as _;
        let vendors: Vec<(u16, &str)> = pci_ids::Vendors::iter()
            .map(|v| (v.id(), v.name()))
            .collect();
        let subclasses: Vec<(u16, &str)> = pci_ids::Classes::iter()
            .flat_map(|c| {
                c.subclasses()
                    .map(move |s| (u16::from_be_bytes([c.id(), s.id()]), s.name()))
            })
            .collect();
        let mut out = String::from(
            "//! pci.ids vendor and subclass names from the `pci-ids` crate, written by the test\n\
             //! `sources::pci::tests::pci_names_are_the_crates` (`NFD_COMPAT_UPDATE=1 cargo test\n\
             //! --lib pci_names`): do not edit.\n",
        );
        for (table, mut entries) in [("VENDOR", vendors), ("SUBCLASS", subclasses)] {
            // A stable sort keeps the database's first entry first among equal IDs.
            entries.sort_by_key(|(id, _)| *id);
            entries.dedup_by_key(|(id, _)| *id);
            let n = entries.len();
            let mut end = 0;
            let _ = write!(out, "\npub(super) static {table}_IDS: [u16; {n}] = [");
            for (i, (id, _)) in entries.iter().enumerate() {
                let sep = if i % 12 == 0 { "\n    " } else { " " };
                let _ = write!(out, "{sep}0x{id:04x},");
            }
            let _ = write!(
                out,
                "\n];\n\npub(super) static {table}_ENDS: [u32; {n}] = ["
            );
            for (i, (_, name)) in entries.iter().enumerate() {
                end += name.len();
                let sep = if i % 12 == 0 { "\n    " } else { " " };
                let _ = write!(out, "{sep}{end},");
            }
            let _ = write!(
                out,
                "\n];\n\npub(super) const {table}_NAMES: &str = concat!("
            );
            for (_, name) in &entries {
                let _ = write!(out, "\n    {name:?},");
            }
            out.push_str("\n);\n");
        }
        out
    }

    #[test]
    fn pci_names_are_the_crates() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/sources/pci_names.rs");
        let want = generate_pci_names();
        if std::env::var_os("NFD_COMPAT_UPDATE").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "{path} is not what the pci-ids crate gives; regenerate it with \
             NFD_COMPAT_UPDATE=1 cargo test --lib pci_names, then review the diff"
        );
    }

    #[test]
    fn pci_names_are_the_databases() {
        assert_eq!(vendor_name("8086"), Some("Intel Corporation"));
        assert_eq!(vendor_name("10de"), Some("NVIDIA Corporation"));
        assert_eq!(subclass_name("0302"), Some("3D controller"));
        assert_eq!(subclass_name("0200"), Some("Ethernet controller"));
        assert_eq!(vendor_name("not hex"), None);
        assert_eq!(subclass_name(""), None);
        // Every vendor and subclass of the crate's tables, the first of duplicate IDs.
        let mut vendors = 0;
        for v in pci_ids::Vendors::iter() {
            let first = pci_ids::Vendors::iter().find(|f| f.id() == v.id());
            let hex = format!("{:04x}", v.id());
            assert_eq!(vendor_name(&hex), first.map(pci_ids::Vendor::name), "{hex}");
            vendors += 1;
        }
        let mut subclasses = 0;
        for class in 0..=255_u8 {
            for sub in 0..=255_u8 {
                let hex = format!("{class:02x}{sub:02x}");
                let want = pci_ids::Subclass::from_cid_sid(class, sub).map(pci_ids::Subclass::name);
                assert_eq!(subclass_name(&hex), want, "{hex}");
                subclasses += usize::from(want.is_some());
            }
        }
        assert!(
            vendors > 2000 && subclasses > 100,
            "{vendors} vendors, {subclasses} subclasses"
        );
    }

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
