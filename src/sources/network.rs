//! The `network` source: `network.device` (interfaces with a `device` link) and
//! `network.virtual` (the others), as NFD's `source/network`.
//!
//! NFD's Discover fails the whole run when `/sys/class/net` cannot be read; here that is a
//! warning and neither feature is produced. An attribute that cannot be read is left out of
//! its instance without a warning: reading `speed` of a down or virtual interface fails with
//! `EINVAL` on every real host, so a warning would be noise.

use std::collections::BTreeMap;
use std::io;

use crate::features::Instance;

use super::{Context, Discovered, Source, SourceError};

/// NFD's `network` source.
pub(crate) struct Network;

const SOURCE: &str = "network";

/// Files read for a physical interface: (path under the interface, attribute name).
const DEVICE_ATTRS: [(&str, &str); 5] = [
    ("operstate", "operstate"),
    ("speed", "speed"),
    ("device/sriov_numvfs", "sriov_numvfs"),
    ("device/sriov_totalvfs", "sriov_totalvfs"),
    ("mtu", "mtu"),
];

/// Files read for a virtual interface.
const VIRTUAL_ATTRS: [(&str, &str); 3] = [
    ("operstate", "operstate"),
    ("speed", "speed"),
    ("mtu", "mtu"),
];

/// The features of this source.
const FEATURES: &[&str] = &["network.device", "network.virtual"];

impl Source for Network {
    fn features(&self) -> &'static [&'static str] {
        FEATURES
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        let base = ctx.root.join("/sys/class/net");
        let Some(names) = out.ok_or_lost(SOURCE, FEATURES, ctx.root.read_dir_names_at(&base))
        else {
            return;
        };
        let mut devices = Vec::new();
        let mut virtuals = Vec::new();
        for name in names {
            if name == "bonding_masters" {
                continue;
            }
            let dir = base.join(&name);
            let device = dir.join("device");
            // NFD: os.Stat (following the link); not-exist means virtual.
            let (attrs, list): (&[(&str, &str)], _) = match device.metadata() {
                Ok(_) => (&DEVICE_ATTRS, &mut devices),
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    (&VIRTUAL_ATTRS, &mut virtuals)
                }
                Err(source) => {
                    out.lost(
                        SOURCE,
                        FEATURES,
                        &SourceError::Read {
                            path: device,
                            source,
                        },
                    );
                    continue;
                }
            };
            let mut attributes = BTreeMap::new();
            for (file, attr) in attrs {
                if let Ok(value) = ctx.root.read_path_trimmed(&dir.join(file)) {
                    attributes.insert((*attr).to_owned(), value);
                }
            }
            attributes.insert("name".to_owned(), name);
            list.push(Instance::from(attributes));
        }
        out.features.insert_instances("network.device", devices);
        out.features.insert_instances("network.virtual", virtuals);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::testing;

    #[test]
    fn intel_server_network() {
        assert_eq!(
            testing::features_without_warnings(&Network, "intel-server")["instances"],
            serde_json::json!({
                "network.device": {"elements": [
                    {"attributes": {"mtu": "9000", "name": "ens1f0", "operstate": "up",
                                    "speed": "100000", "sriov_numvfs": "8",
                                    "sriov_totalvfs": "16"}},
                    {"attributes": {"mtu": "1500", "name": "ens1f1", "operstate": "down",
                                    "sriov_numvfs": "0", "sriov_totalvfs": "16"}}
                ]},
                "network.virtual": {"elements": [
                    {"attributes": {"mtu": "1500", "name": "bond0", "operstate": "down"}},
                    {"attributes": {"mtu": "1500", "name": "docker0", "operstate": "down"}},
                    {"attributes": {"mtu": "65536", "name": "lo", "operstate": "unknown"}}
                ]}
            })
        );
    }

    /// `device` is checked through the link (NFD's `os.Stat`): a dangling link is virtual; a
    /// `device` that cannot be checked for another reason skips the interface with a warning.
    #[test]
    fn device_link_decides() {
        let dir = tempfile::tempdir().unwrap();
        let net = dir.path().join("sys/class/net");
        for name in ["dangling", "broken", "real"] {
            std::fs::create_dir_all(net.join(name)).unwrap();
            std::fs::write(net.join(name).join("mtu"), "1500\n").unwrap();
        }
        std::os::unix::fs::symlink("../../../devices/gone", net.join("dangling/device")).unwrap();
        std::fs::create_dir_all(dir.path().join("sys/devices/pci0")).unwrap();
        std::os::unix::fs::symlink("../../../devices/pci0", net.join("real/device")).unwrap();
        // `broken/mtu` is a file, so `broken/mtu/device` fails with ENOTDIR, not ENOENT.
        std::os::unix::fs::symlink("mtu/x", net.join("broken/device")).unwrap();
        let mut ctx = testing::context("minimal-container");
        ctx.root = crate::sources::HostRoot::new(dir.path());
        let mut out = Discovered::default();
        Network.discover(&ctx, &mut out);
        assert_eq!(
            testing::features_json(&out)["instances"],
            serde_json::json!({
                "network.device": {"elements": [{"attributes": {"mtu": "1500", "name": "real"}}]},
                "network.virtual": {"elements": [
                    {"attributes": {"mtu": "1500", "name": "dangling"}}]}
            })
        );
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        assert!(
            out.warnings[0].message.contains("broken/device"),
            "{:?}",
            out.warnings
        );
    }

    #[test]
    fn missing_class_net_is_a_warning_and_no_feature() {
        let out = testing::discover(&Network, "minimal-container");
        assert_eq!(out.features, crate::features::Features::default());
        assert_eq!(out.warnings.len(), 1);
        assert!(
            out.warnings[0].message.contains("sys/class/net"),
            "{:?}",
            out.warnings
        );
    }
}
