//! The `storage` source: `storage.block`, one instance per `/sys/block/<dev>`, as NFD's
//! `source/storage`.
//!
//! NFD's Discover fails the whole run when `/sys/block` cannot be read; here that is a warning
//! and `storage.block` is not produced. Each instance has `name` plus `dax`, `rotational`,
//! `nr_zones` and `zoned` from `queue/` when readable. A queue file that does not exist (older
//! kernels lack `nr_zones` and `dax`) is left out silently; any other read error is a warning.

use std::collections::BTreeMap;

use crate::features::Instance;

use super::{Context, Discovered, Source};

/// NFD's `storage` source.
pub(crate) struct Storage;

const SOURCE: &str = "storage";

/// The queue attributes read for each block device.
const QUEUE_ATTRS: [&str; 4] = ["dax", "rotational", "nr_zones", "zoned"];

impl Source for Storage {
    fn features(&self) -> &'static [&'static str] {
        &["storage.block"]
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        let base = ctx.root.join("/sys/block");
        let Some(names) = out.ok_or_lost(
            SOURCE,
            &["storage.block"],
            ctx.root.read_dir_names_at(&base),
        ) else {
            return;
        };
        let mut devices = Vec::with_capacity(names.len());
        for name in names {
            let queue = base.join(&name).join("queue");
            let mut attributes = BTreeMap::new();
            for attr in QUEUE_ATTRS {
                match ctx.root.read_path_trimmed(&queue.join(attr)) {
                    Ok(value) => {
                        attributes.insert(attr.to_owned(), value);
                    }
                    Err(err) if err.is_not_found() => {}
                    Err(err) => out.lost(SOURCE, &["storage.block"], &err),
                }
            }
            attributes.insert("name".to_owned(), name);
            devices.push(Instance::from(attributes));
        }
        out.features.insert_instances("storage.block", devices);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::testing;

    #[test]
    fn intel_server_block() {
        assert_eq!(
            testing::features_without_warnings(&Storage, "intel-server")["instances"],
            serde_json::json!({"storage.block": {"elements": [
                {"attributes": {"dax": "0", "name": "dm-0", "nr_zones": "0", "rotational": "0",
                                "zoned": "none"}},
                {"attributes": {"dax": "0", "name": "nvme0n1", "nr_zones": "0",
                                "rotational": "0", "zoned": "none"}},
                {"attributes": {"dax": "0", "name": "sda", "nr_zones": "0", "rotational": "1",
                                "zoned": "none"}},
            ]}})
        );
    }

    #[test]
    fn missing_sys_block_is_a_warning_and_no_feature() {
        let out = testing::discover(&Storage, "minimal-container");
        assert!(out.features.instances.is_empty());
        assert_eq!(out.warnings.len(), 1);
        assert!(
            out.warnings[0].message.contains("sys/block"),
            "{:?}",
            out.warnings
        );
    }
}
