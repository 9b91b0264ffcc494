//! `cpu.rdt` on amd64: Intel RDT / AMD `PQoS` from CPUID leaves 0x7, 0xF and 0x10, and the
//! number of L3 CLOSIDs from resctrl (NFD `rdt_amd64.go`).

use std::collections::BTreeMap;

use super::CpuError;
use super::machine::Machine;
use crate::sources::{HostRoot, SourceError};

/// The `cpu.rdt` elements, plus a warning when the L3 CLOSID count cannot be read.
pub(super) fn rdt(
    root: &HostRoot,
    m: &Machine,
    warnings: &mut Vec<CpuError>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut set = |k: &str| {
        out.insert(k.to_owned(), "true".to_owned());
    };
    let ebx7 = m.cpuid(7, 0)[1];
    // Monitoring (CPUID.(7,0).EBX[12]).
    if ebx7 & (1 << 12) != 0 {
        set("RDTMON");
        if m.cpuid(0xf, 0)[3] & (1 << 1) != 0 {
            let edx = m.cpuid(0xf, 1)[3];
            if edx & 1 != 0 {
                set("RDTCMT");
            }
            // UNSURE: NFD may require both total (bit 1) and local (bit 2) MBM; this takes either.
            if edx & 0b110 != 0 {
                set("RDTMBM");
            }
        }
    }
    // Allocation (CPUID.(7,0).EBX[15]).
    let mut l3ca = false;
    if ebx7 & (1 << 15) != 0 {
        let ebx = m.cpuid(0x10, 0)[1];
        if ebx & (1 << 1) != 0 {
            set("RDTL3CA");
            l3ca = true;
        }
        if ebx & (1 << 2) != 0 {
            set("RDTL2CA");
        }
        if ebx & (1 << 3) != 0 {
            set("RDTMBA");
        }
    }
    if l3ca {
        match num_closids(root, "L3") {
            Ok(n) => {
                out.insert("RDTL3CA_NUM_CLOSID".to_owned(), (n - 1).to_string());
            }
            Err(e) => warnings.push(e),
        }
    }
    out
}

/// `info/<level>/num_closids` under the resctrl mount.
fn num_closids(root: &HostRoot, level: &str) -> Result<i64, CpuError> {
    let mount = resctrl_root(root).ok_or(CpuError::NoResctrl)?;
    let path = format!("{mount}/info/{level}/num_closids");
    let text = root.read_trimmed(&path).map_err(CpuError::Closid)?;
    text.parse().map_err(|_| {
        CpuError::Closid(SourceError::Parse {
            path: root.join(&path),
            reason: format!("`{text}` is not an integer"),
        })
    })
}

/// Where resctrl is mounted on the host, as runc's `intelrdt.Root()`: `/sys/fs/resctrl` when it
/// is a resctrl mount (here: has an `info` directory), else the `resctrl` entry of
/// `/proc/self/mountinfo`.
fn resctrl_root(root: &HostRoot) -> Option<String> {
    if root.exists("/sys/fs/resctrl/info") {
        return Some("/sys/fs/resctrl".to_owned());
    }
    let mountinfo = root.read("/proc/self/mountinfo").ok()?;
    mountinfo.lines().find_map(|line| {
        let (before, after) = line.split_once(" - ")?;
        if after.split_whitespace().next()? != "resctrl" {
            return None;
        }
        before.split_whitespace().nth(4).map(unescape_mount_path)
    })
}

/// Decodes the octal escapes (`\040` for a space) of a mountinfo path.
fn unescape_mount_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let v = bytes[i + 1..i + 4]
                .iter()
                .fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
            out.push(u8::try_from(v).unwrap_or(b'?'));
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_resctrl() {
        let dir = tempfile::tempdir().unwrap();
        let proc_self = dir.path().join("proc/self");
        std::fs::create_dir_all(&proc_self).unwrap();
        std::fs::write(
            proc_self.join("mountinfo"),
            "22 1 0:21 / /sys rw - sysfs sysfs rw\n\
             40 22 0:35 / /mnt/my\\040rdt rw,relatime shared:20 - resctrl resctrl rw\n",
        )
        .unwrap();
        let root = HostRoot::new(dir.path());
        assert_eq!(resctrl_root(&root).as_deref(), Some("/mnt/my rdt"));
        std::fs::create_dir_all(dir.path().join("sys/fs/resctrl/info")).unwrap();
        assert_eq!(resctrl_root(&root).as_deref(), Some("/sys/fs/resctrl"));
    }

    #[test]
    fn unescapes_octal() {
        assert_eq!(unescape_mount_path(r"/a\040b\134c"), r"/a b\c");
        assert_eq!(unescape_mount_path(r"/a\04"), r"/a\04");
    }
}
