//! `cpu.security` on amd64: SGX (CPUID EPC sections), TDX and SEV (kvm module parameters and
//! the misc cgroup capacity), as NFD's `security_amd64.go`.

use std::collections::BTreeMap;

use super::x86::X86Info;
use crate::sources::HostRoot;

/// The misc cgroup capacity files NFD looks at, in order.
const MISC_CAPACITY: [&str; 2] = [
    "/sys/fs/cgroup/misc.capacity",
    "/sys/fs/cgroup/misc/misc.capacity",
];

/// The `cpu.security` elements (never an error: NFD ignores every read failure here).
pub(super) fn security(root: &HostRoot, info: &X86Info) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        out.insert(k.to_owned(), v);
    };
    if info.sgx_epc_size > 0 {
        put("sgx.enabled", "true".to_owned());
        put("sgx.epc", info.sgx_epc_size.to_string());
    }
    if root
        .read("/sys/module/kvm_intel/parameters/tdx")
        .is_ok_and(|s| s == "Y\n")
    {
        put("tdx.enabled", "true".to_owned());
        if let Some(keys) = misc_capacity(root, "tdx") {
            put("tdx.total_keys", keys.to_string());
        }
    }
    if info.has("TDX_GUEST") {
        put("tdx.protected", "true".to_owned());
    }
    if sev_parameter(root, "sev") {
        put("sev.enabled", "true".to_owned());
        if let Some(asids) = misc_capacity(root, "sev") {
            put("sev.asids", asids.to_string());
        }
    }
    if sev_parameter(root, "sev_es") {
        put("sev.es.enabled", "true".to_owned());
        if let Some(ids) = misc_capacity(root, "sev_es") {
            put("sev.encrypted_state_ids", ids.to_string());
        }
    }
    if sev_parameter(root, "sev_snp") {
        put("sev.snp.enabled", "true".to_owned());
    }
    out
}

/// Whether `/sys/module/kvm_amd/parameters/<name>` starts with `1` or `Y`.
fn sev_parameter(root: &HostRoot, name: &str) -> bool {
    root.read_bytes(format!("/sys/module/kvm_amd/parameters/{name}"))
        .is_ok_and(|b| matches!(b.first(), Some(b'1' | b'Y')))
}

/// NFD's `getCgroupMiscCapacity`: in the first misc.capacity file that exists, the value of the
/// first line that *starts with* `resource` (so `sev` can match a `sev_es` line that comes
/// first, as in NFD). `None` for NFD's -1.
pub(crate) fn misc_capacity(root: &HostRoot, resource: &str) -> Option<i64> {
    let path = MISC_CAPACITY.iter().find(|p| root.exists(p))?;
    let text = root.read(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(resource))?;
    // Go: strings.Split(line, " ")[1]; a line without a space would panic there.
    line.split(' ').nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn misc_capacity_takes_the_first_prefix_match() {
        let dir = tempfile::tempdir().unwrap();
        let root = HostRoot::new(dir.path());
        assert_eq!(misc_capacity(&root, "sev"), None);
        fs::create_dir_all(dir.path().join("sys/fs/cgroup/misc")).unwrap();
        fs::write(
            dir.path().join("sys/fs/cgroup/misc/misc.capacity"),
            "sev_es 10\nsev 509\ntdx x\n",
        )
        .unwrap();
        // NFD's HasPrefix: `sev` matches the `sev_es` line first.
        assert_eq!(misc_capacity(&root, "sev"), Some(10));
        assert_eq!(misc_capacity(&root, "sev_es"), Some(10));
        assert_eq!(misc_capacity(&root, "tdx"), None);
        // The first path wins when both exist.
        fs::write(dir.path().join("sys/fs/cgroup/misc.capacity"), "tdx 31\n").unwrap();
        assert_eq!(misc_capacity(&root, "tdx"), Some(31));
        assert_eq!(misc_capacity(&root, "sev"), None);
    }

    #[test]
    fn tdx_and_sev_parameters() {
        let dir = tempfile::tempdir().unwrap();
        let params = |m: &str| dir.path().join(format!("sys/module/{m}/parameters"));
        fs::create_dir_all(params("kvm_intel")).unwrap();
        fs::create_dir_all(params("kvm_amd")).unwrap();
        fs::write(params("kvm_intel").join("tdx"), "Y\n").unwrap();
        fs::write(params("kvm_amd").join("sev"), "1\n").unwrap();
        fs::write(params("kvm_amd").join("sev_es"), "N\n").unwrap();
        fs::write(params("kvm_amd").join("sev_snp"), "Y").unwrap();
        fs::create_dir_all(dir.path().join("sys/fs/cgroup")).unwrap();
        fs::write(dir.path().join("sys/fs/cgroup/misc.capacity"), "tdx 63\n").unwrap();
        let info = crate::sources::cpu::x86::decode(&crate::sources::Machine::default());
        let got = security(&HostRoot::new(dir.path()), &info);
        let want: BTreeMap<String, String> = [
            ("tdx.enabled", "true"),
            ("tdx.total_keys", "63"),
            ("sev.enabled", "true"),
            ("sev.snp.enabled", "true"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(got, want);
        // `Y` without the newline is not TDX (NFD compares to "Y\n").
        fs::write(params("kvm_intel").join("tdx"), "Y").unwrap();
        assert!(!security(&HostRoot::new(dir.path()), &info).contains_key("tdx.enabled"));
    }
}
