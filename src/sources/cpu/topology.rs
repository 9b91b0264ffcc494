//! `cpu.topology`: hardware multithreading and socket count from
//! `/sys/bus/cpu/devices/*/topology` (NFD `topology_linux.go`).

use std::collections::{BTreeMap, BTreeSet};

use crate::sources::{HostRoot, SourceError};

/// `hardware_multithreading` and `socket_count`; any read error gives the error (and NFD's
/// feature is then an empty map).
pub(super) fn topology(root: &HostRoot) -> Result<BTreeMap<String, String>, SourceError> {
    let devices = "/sys/bus/cpu/devices";
    let cpus = root.read_dir_names(devices)?;
    let mut threads = false;
    for cpu in &cpus {
        let siblings = root.read(format!("{devices}/{cpu}/topology/thread_siblings_list"))?;
        if siblings.contains(',') || siblings.contains('-') {
            threads = true;
            break;
        }
    }
    let mut packages = BTreeSet::new();
    for cpu in &cpus {
        packages
            .insert(root.read_trimmed(format!("{devices}/{cpu}/topology/physical_package_id"))?);
    }
    Ok(BTreeMap::from([
        ("hardware_multithreading".to_owned(), threads.to_string()),
        ("socket_count".to_owned(), packages.len().to_string()),
    ]))
}
