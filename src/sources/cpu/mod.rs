//! NFD's `cpu` source: `cpu.cpuid`, `cpu.model`, `cpu.cstate`, `cpu.pstate`, `cpu.rdt`,
//! `cpu.security`, `cpu.sst`, `cpu.topology` and `cpu.coprocessor`.
//!
//! What the CPU reports (CPUID, XCR0, HWCAP, MIDR) comes from the context's [`Machine`]; files
//! come through the [`HostRoot`](super::HostRoot). The per-architecture behaviour follows the
//! machine's architecture, not the one this binary was built for, so an arm64 capture evaluated
//! on x86 gives what NFD gives on arm64.

pub(crate) mod arm;
mod machine;
mod power;
mod rdt;
mod security;
mod topology;
mod x86;
pub(crate) mod x86_flags;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub(crate) use machine::Arch;
pub use machine::Machine;

use super::{Context, Discovered, Source, SourceError};

/// The source name.
const NAME: &str = "cpu";

/// NFD's `cpu` source.
pub(crate) struct Cpu;

/// What the `cpu` source could not discover (NFD logs these and goes on).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CpuError {
    /// `cpu.cstate` could not be read (the feature is then absent).
    #[error("failed to detect cstate")]
    Cstate(#[source] SourceError),
    /// `cpu.pstate` could not be read.
    #[error("failed to detect pstate")]
    Pstate(#[source] SourceError),
    /// `intel_pstate`'s `no_turbo` could not be read.
    #[error("cannot detect whether turbo boost is enabled")]
    Turbo(#[source] SourceError),
    /// A cpufreq policy could not be read.
    #[error("cannot read a cpufreq policy")]
    Governor(#[source] SourceError),
    /// SST-BF could not be detected.
    #[error("failed to detect SST-BF")]
    SstBf(#[source] SourceError),
    /// `cpu.topology` could not be read.
    #[error("failed to detect CPU topology")]
    Topology(#[source] SourceError),
    /// No resctrl file system for `RDTL3CA_NUM_CLOSID`.
    #[error(
        "failed to detect the number of RDT CLOSIDs: resctrl is not mounted \
         (no `/sys/fs/resctrl/info`, no resctrl in `/proc/self/mountinfo`)"
    )]
    NoResctrl,
    /// resctrl's `num_closids` could not be read.
    #[error("failed to detect the number of RDT CLOSIDs")]
    Closid(#[source] SourceError),
}

/// Every feature of the source.
const FEATURES: [&str; 9] = [
    "cpu.cpuid",
    "cpu.model",
    "cpu.cstate",
    // From here on, NFD's present-empty defaults.
    "cpu.pstate",
    "cpu.rdt",
    "cpu.security",
    "cpu.sst",
    "cpu.topology",
    "cpu.coprocessor",
];

/// Every `cpu.*` attribute feature besides `cpu.cpuid`, `cpu.model` and `cpu.cstate`, NFD's
/// present-empty default.
const EMPTY_ATTRIBUTES: &[&str] = FEATURES.split_at(3).1;

impl Source for Cpu {
    fn features(&self) -> &'static [&'static str] {
        &FEATURES
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        let features = &mut out.features;
        for key in EMPTY_ATTRIBUTES {
            features.insert_attributes(key, BTreeMap::<String, String>::new());
        }
        let mut warnings = Vec::new();
        let root = &ctx.root;
        let m = &ctx.machine;
        match m.arch {
            Arch::X86_64 => {
                let info = x86::decode(m);
                features.insert_flags("cpu.cpuid", info.nfd_flags());
                let mut cpuid_attrs = BTreeMap::new();
                if info.avx10_level > 0 {
                    cpuid_attrs.insert("AVX10_VERSION".to_owned(), info.avx10_level.to_string());
                }
                features.insert_attributes("cpu.cpuid", cpuid_attrs);
                features.insert_attributes(
                    "cpu.model",
                    [
                        ("vendor_id", info.vendor.to_owned()),
                        ("family", info.family.to_string()),
                        ("id", info.model.to_string()),
                        ("hypervisor", info.nfd_hypervisor()),
                    ],
                );
                match power::cstate(root) {
                    Ok(cstate) => features.insert_attributes("cpu.cstate", cstate),
                    Err(e) => warnings.push(CpuError::Cstate(e)),
                }
                features.insert_attributes("cpu.pstate", power::pstate(root, &mut warnings));
                features.insert_attributes("cpu.rdt", rdt::rdt(root, m, &mut warnings));
                features.insert_attributes("cpu.security", security::security(root, &info));
                let nominal = (m.cpuid(0, 0)[0] >= 0x16).then(|| m.cpuid(0x16, 0)[0]);
                let mut sst = BTreeMap::new();
                match power::sst_bf(root, nominal) {
                    Ok(true) => {
                        sst.insert("bf.enabled".to_owned(), "true".to_owned());
                    }
                    Ok(false) => {}
                    Err(e) => warnings.push(CpuError::SstBf(e)),
                }
                features.insert_attributes("cpu.sst", sst);
            }
            Arch::Aarch64 => {
                features.insert_flags("cpu.cpuid", arm::hwcap_flags(m.hwcap, m.hwcap2));
                let (vendor, family, id) = arm::model(m.hwcap, m.midr);
                features.insert_attributes(
                    "cpu.model",
                    [
                        ("vendor_id", vendor.to_owned()),
                        ("family", family.to_string()),
                        ("id", id.to_string()),
                        ("hypervisor", "none".to_owned()),
                    ],
                );
                features.insert_attributes("cpu.cstate", BTreeMap::<String, String>::new());
            }
            Arch::Other => {
                features.insert_flags("cpu.cpuid", Vec::<String>::new());
                features.insert_attributes(
                    "cpu.model",
                    [
                        ("vendor_id", "VendorUnknown"),
                        ("family", "0"),
                        ("id", "0"),
                        ("hypervisor", "none"),
                    ],
                );
                features.insert_attributes("cpu.cstate", BTreeMap::<String, String>::new());
            }
        }
        match topology::topology(root) {
            Ok(t) => features.insert_attributes("cpu.topology", t),
            Err(e) => warnings.push(CpuError::Topology(e)),
        }
        for w in &warnings {
            out.warn(NAME, w);
        }
    }
}
