//! `cpu.topology`: hardware multithreading and socket count from
//! `/sys/bus/cpu/devices/*/topology` (NFD `topology_linux.go`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::sources::{HostRoot, SourceError};

/// `hardware_multithreading` and `socket_count`; any read error gives the error (and NFD's
/// feature is then an empty map).
pub(super) fn topology(root: &HostRoot) -> Result<BTreeMap<String, String>, SourceError> {
    let devices = root.join("/sys/bus/cpu/devices");
    let cpus: Vec<PathBuf> = root
        .read_dir_names_at(&devices)?
        .into_iter()
        .map(|cpu| devices.join(cpu).join("topology"))
        .collect();
    let mut threads = false;
    for cpu in &cpus {
        let siblings = root.read_attribute(&cpu.join("thread_siblings_list"))?;
        if siblings.contains(',') || siblings.contains('-') {
            threads = true;
            break;
        }
    }
    let mut packages = BTreeSet::new();
    for cpu in &cpus {
        packages.insert(root.read_path_trimmed(&cpu.join("physical_package_id"))?);
    }
    Ok(BTreeMap::from([
        ("hardware_multithreading".to_owned(), threads.to_string()),
        ("socket_count".to_owned(), packages.len().to_string()),
    ]))
}
