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
        source: std::io::ErrorKind::NotFound.into(),
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
