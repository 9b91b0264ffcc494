//! Power management features read from sysfs: `cpu.cstate`, `cpu.pstate` and `cpu.sst`
//! (NFD `cstate_linux.go`, `pstate_amd64.go`, `sst_amd64.go`).

use std::collections::BTreeMap;

use super::CpuError;
use crate::sources::{HostRoot, SourceError};

/// The sysfs CPU directory.
const CPU_DIR: &str = "/sys/devices/system/cpu";

/// `cpu.cstate` on amd64: `enabled` when the `intel_idle` driver is in use; an empty map
/// without cpuidle or with another driver; an error (the feature is then absent) otherwise.
pub(super) fn cstate(root: &HostRoot) -> Result<BTreeMap<String, String>, SourceError> {
    let mut out = BTreeMap::new();
    if !root.exists(CPU_DIR) {
        return Err(root
            .read_dir_names(CPU_DIR)
            .err()
            .unwrap_or_else(|| not_found(root, CPU_DIR)));
    }
    let cpuidle = format!("{CPU_DIR}/cpuidle");
    if !root.exists(&cpuidle) {
        return Ok(out);
    }
    let driver = root.read_trimmed(format!("{cpuidle}/current_driver"))?;
    if driver != "intel_idle" {
        return Ok(out);
    }
    let path = "/sys/module/intel_idle/parameters/max_cstate";
    let value = root.read_trimmed(path)?;
    let max: i64 = value.parse().map_err(|_| SourceError::Parse {
        path: root.join(path),
        reason: format!("non-integer value of cstates `{value}`"),
    })?;
    out.insert("enabled".to_owned(), (max > 0).to_string());
    Ok(out)
}

/// A "not found" read error for `abs`.
fn not_found(root: &HostRoot, abs: &str) -> SourceError {
    SourceError::Read {
        path: root.join(abs),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory"),
    }
}

/// `cpu.pstate` on amd64 (`intel_pstate`): `status`, `turbo`, `scaling_governor`. Problems NFD
/// logs are returned as warnings beside what could be read.
pub(super) fn pstate(root: &HostRoot, warnings: &mut Vec<CpuError>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if !root.exists(CPU_DIR) {
        warnings.push(CpuError::Pstate(not_found(root, CPU_DIR)));
        return out;
    }
    let dir = format!("{CPU_DIR}/intel_pstate");
    if !root.exists(&dir) {
        return out;
    }
    let status = match root.read_trimmed(format!("{dir}/status")) {
        Ok(status) => status,
        Err(e) => {
            warnings.push(CpuError::Pstate(e));
            return out;
        }
    };
    if status == "off" {
        return out;
    }
    out.insert("status".to_owned(), status.clone());
    match root.read_bytes(format!("{dir}/no_turbo")) {
        // NFD indexes the first byte; an empty file (which sysfs never gives) counts as not '0'.
        Ok(bytes) => {
            out.insert(
                "turbo".to_owned(),
                (bytes.first() == Some(&b'0')).to_string(),
            );
        }
        Err(e) => warnings.push(CpuError::Turbo(e)),
    }
    if status != "active" {
        return out;
    }
    let cpufreq = format!("{CPU_DIR}/cpufreq");
    let policies = root.read_dir_names(&cpufreq).unwrap_or_default();
    let mut governor = String::new();
    for policy in policies.iter().filter(|p| p.starts_with("policy")) {
        let base = format!("{cpufreq}/{policy}");
        let cpus = match root.read_trimmed(format!("{base}/affected_cpus")) {
            Ok(cpus) => cpus,
            Err(e) => {
                warnings.push(CpuError::Governor(e));
                continue;
            }
        };
        if cpus.is_empty() {
            continue;
        }
        let this = match root.read_trimmed(format!("{base}/scaling_governor")) {
            Ok(g) => g,
            Err(e) => {
                warnings.push(CpuError::Governor(e));
                continue;
            }
        };
        if !governor.is_empty() && governor != this {
            // The policies disagree: no scaling_governor.
            return out;
        }
        governor = this;
    }
    if !governor.is_empty() {
        out.insert("scaling_governor".to_owned(), governor);
    }
    out
}

/// SST-BF: whether any CPU's `cpufreq/base_frequency` (kHz) / 1000 exceeds the nominal base
/// frequency (CPUID 0x16 EAX, MHz). `nominal` is `None` when the CPU has no leaf 0x16.
pub(super) fn sst_bf(root: &HostRoot, nominal: Option<u32>) -> Result<bool, SourceError> {
    let Some(nominal) = nominal else {
        return Ok(false);
    };
    let devices = "/sys/bus/cpu/devices";
    for cpu in root.read_dir_names(devices)? {
        let path = format!("{devices}/{cpu}/cpufreq/base_frequency");
        let text = match root.read_trimmed(&path) {
            Ok(text) => text,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e),
        };
        let khz: i64 = text.parse().map_err(|_| SourceError::Parse {
            path: root.join(&path),
            reason: format!("non-integer value `{text}`"),
        })?;
        // Go: uint32(baseFreq/1000) > nominal, with integer division truncating toward zero.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "as Go's uint32()"
        )]
        let mhz = (khz / 1000) as u32;
        if mhz > nominal {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;

    /// `(path, content)` pairs, or expected `(name, value)` pairs.
    type Pairs<'a> = &'a [(&'a str, &'a str)];

    /// Owned list of `(path, content)` pairs.
    type Files<'a> = Vec<(&'a str, &'a str)>;

    /// Writes `(path, content)` files under a new temporary root.
    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let full = dir.path().join(path);
            fs::create_dir_all(full.parent().unwrap_or(Path::new("."))).unwrap();
            fs::write(full, content).unwrap();
        }
        dir
    }

    #[test]
    fn cstate_cases() {
        let idle = "sys/devices/system/cpu/cpuidle/current_driver";
        let max = "sys/module/intel_idle/parameters/max_cstate";
        let cases: [(Pairs<'_>, Result<Pairs<'_>, &str>); 6] = [
            (
                &[(idle, "intel_idle\n"), (max, "9\n")],
                Ok(&[("enabled", "true")]),
            ),
            (
                &[(idle, "intel_idle\n"), (max, "0\n")],
                Ok(&[("enabled", "false")]),
            ),
            (&[(idle, "acpi_idle\n")], Ok(&[])),
            (&[("sys/devices/system/cpu/online", "0\n")], Ok(&[])),
            (
                &[(idle, "intel_idle\n"), (max, "x\n")],
                Err("non-integer value of cstates `x`"),
            ),
            (&[(idle, "intel_idle\n")], Err("cannot read")),
        ];
        for (files, expected) in cases {
            let dir = tree(files);
            let got = cstate(&HostRoot::new(dir.path()));
            match (got, expected) {
                (Ok(map), Ok(pairs)) => {
                    let want: BTreeMap<String, String> = pairs
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                        .collect();
                    assert_eq!(map, want, "{files:?}");
                }
                (Err(e), Err(text)) => assert!(e.to_string().contains(text), "{e}"),
                (got, _) => panic!("{files:?}: unexpected {got:?}"),
            }
        }
    }

    #[test]
    fn pstate_cases() {
        let status = "sys/devices/system/cpu/intel_pstate/status";
        let turbo = "sys/devices/system/cpu/intel_pstate/no_turbo";
        let p = |n: u32, file: &str| format!("sys/devices/system/cpu/cpufreq/policy{n}/{file}");
        let (a0, g0, a1, g1) = (
            p(0, "affected_cpus"),
            p(0, "scaling_governor"),
            p(1, "affected_cpus"),
            p(1, "scaling_governor"),
        );
        let cases: [(Files<'_>, Pairs<'_>, usize); 6] = [
            (vec![(status, "off\n"), (turbo, "0\n")], &[], 0),
            (
                vec![
                    (status, "passive\n"),
                    (turbo, "1\n"),
                    (&a0, "0\n"),
                    (&g0, "schedutil\n"),
                ],
                &[("status", "passive"), ("turbo", "false")],
                0,
            ),
            (
                vec![
                    (status, "active\n"),
                    (turbo, "0\n"),
                    (&a0, "0\n"),
                    (&g0, "powersave\n"),
                    (&a1, "1\n"),
                    (&g1, "powersave\n"),
                ],
                &[
                    ("status", "active"),
                    ("turbo", "true"),
                    ("scaling_governor", "powersave"),
                ],
                0,
            ),
            // Disagreeing policies: no governor.
            (
                vec![
                    (status, "active\n"),
                    (turbo, "0\n"),
                    (&a0, "0\n"),
                    (&g0, "powersave\n"),
                    (&a1, "1\n"),
                    (&g1, "performance\n"),
                ],
                &[("status", "active"), ("turbo", "true")],
                0,
            ),
            // A policy without CPUs does not count; one without a governor file warns.
            (
                vec![
                    (status, "active\n"),
                    (&a0, "\n"),
                    (&g0, "powersave\n"),
                    (&a1, "1\n"),
                ],
                &[("status", "active")],
                2,
            ),
            (vec![("sys/devices/system/cpu/intel_pstate/x", "")], &[], 1),
        ];
        for (files, pairs, warning_count) in cases {
            let dir = tree(&files);
            let mut warnings = Vec::new();
            let got = pstate(&HostRoot::new(dir.path()), &mut warnings);
            let want: BTreeMap<String, String> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(got, want, "{files:?}");
            assert_eq!(warnings.len(), warning_count, "{files:?}: {warnings:?}");
        }
    }

    #[test]
    fn sst_bf_cases() {
        let f = |n: u32| format!("sys/bus/cpu/devices/cpu{n}/cpufreq/base_frequency");
        let (f0, f1) = (f(0), f(1));
        let dir = tree(&[(&f0, "2300000\n"), (&f1, "2300999\n")]);
        let root = HostRoot::new(dir.path());
        assert!(!sst_bf(&root, Some(2300)).unwrap());
        assert!(sst_bf(&root, Some(2299)).unwrap());
        assert!(!sst_bf(&root, None).unwrap());
        let dir = tree(&[(&f0, "fast\n")]);
        let err = sst_bf(&HostRoot::new(dir.path()), Some(1)).unwrap_err();
        assert!(
            err.to_string().contains("non-integer value `fast`"),
            "{err}"
        );
        // A CPU without the file is skipped.
        let dir = tree(&[("sys/bus/cpu/devices/cpu0/online", "1\n")]);
        assert!(!sst_bf(&HostRoot::new(dir.path()), Some(1)).unwrap());
    }
}
