//! What NFD's sources produce: every feature key, its type, and the element names and value
//! formats the lint checks specs against (docs/DECISIONS.md, *Same feature names and values*).
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::sources::cpu::arm::{HWCAP_NAMES, HWCAP2_NAMES};
use crate::sources::cpu::x86_flags;
use crate::spec::Names;

/// How a feature's elements are stored (and so which ops can ever be true on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Names without values: only `Exists`/`DoesNotExist` answer.
    Flag,
    /// Names with values.
    Attribute,
    /// A list of attribute maps; a term matches when one instance satisfies it.
    Instance,
    /// `cpu.cpuid`: flags plus the attribute `AVX10_VERSION`.
    FlagsAndAttribute,
}

/// Which element names a feature has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elements {
    /// Any name (kernel config symbols, local features, vars).
    Open,
    /// Exactly these names.
    Fixed(&'static [&'static str]),
    /// `cpu.cpuid` flag names (klauspost/cpuid on x86, HWCAP names on arm64, more on other
    /// architectures).
    CpuFlags,
    /// Kernel module names (as /proc/modules and modules.builtin list them).
    Modules,
    /// `enabled` and `hugepages-<quantity>`.
    Hugepages,
    /// os-release variables plus `VERSION_ID.major`/`VERSION_ID.minor`.
    OsRelease,
    /// Kernel config symbols without the `CONFIG_` prefix.
    KernelConfig,
}

/// One feature key NFD's sources produce.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Feature {
    /// The key, as NFD spells it (lower case).
    pub(crate) name: &'static str,
    /// How its elements are stored.
    pub(crate) kind: Kind,
    /// Its element names.
    pub(crate) elements: Elements,
    /// Elements present whenever the feature (or, for instances, the instance) is.
    pub(crate) always: &'static [&'static str],
    /// Elements whose values are `true` or `false`.
    pub(crate) booleans: &'static [&'static str],
}

const fn feature(name: &'static str, kind: Kind, elements: Elements) -> Feature {
    Feature {
        name,
        kind,
        elements,
        always: &[],
        booleans: &[],
    }
}

const CPU_MODEL: &[&str] = &["vendor_id", "family", "id", "hypervisor"];
const CPU_RDT: &[&str] = &[
    "RDTMON",
    "RDTCMT",
    "RDTMBM",
    "RDTL3CA",
    "RDTL2CA",
    "RDTMBA",
    "RDTL3CA_NUM_CLOSID",
];
const CPU_RDT_BOOL: &[&str] = &["RDTMON", "RDTCMT", "RDTMBM", "RDTL3CA", "RDTL2CA", "RDTMBA"];
const CPU_SECURITY: &[&str] = &[
    "sgx.enabled",
    "sgx.epc",
    "tdx.enabled",
    "tdx.total_keys",
    "tdx.protected",
    "sev.enabled",
    "sev.es.enabled",
    "sev.snp.enabled",
    "sev.asids",
    "sev.encrypted_state_ids",
    "se.enabled",
];
const CPU_SECURITY_BOOL: &[&str] = &[
    "sgx.enabled",
    "tdx.enabled",
    "tdx.protected",
    "sev.enabled",
    "sev.es.enabled",
    "sev.snp.enabled",
    "se.enabled",
];
const KERNEL_VERSION: &[&str] = &["full", "major", "minor", "revision"];
const ENABLED: &[&str] = &["enabled"];
const NUMA: &[&str] = &["is_numa", "node_count"];
const MEMORY_NV: &[&str] = &["name", "devtype", "mode"];
const NETWORK_DEVICE: &[&str] = &[
    "name",
    "operstate",
    "speed",
    "sriov_numvfs",
    "sriov_totalvfs",
    "mtu",
];
const NETWORK_VIRTUAL: &[&str] = &["name", "operstate", "speed", "mtu"];
const PCI_DEVICE: &[&str] = &[
    "class",
    "vendor",
    "device",
    "subsystem_vendor",
    "subsystem_device",
    "sriov_totalvfs",
    "iommu_group/type",
    "iommu/intel-iommu/version",
];
const PCI_MANDATORY: &[&str] = &[
    "class",
    "vendor",
    "device",
    "subsystem_vendor",
    "subsystem_device",
];
const USB_DEVICE: &[&str] = &["class", "vendor", "device", "serial"];
const STORAGE_BLOCK: &[&str] = &["name", "dax", "rotational", "nr_zones", "zoned"];

/// Every feature key NFD's sources produce on Linux (plus `rule.matched`).
pub(crate) const FEATURES: &[Feature] = &[
    feature("cpu.cpuid", Kind::FlagsAndAttribute, Elements::CpuFlags),
    Feature {
        always: CPU_MODEL,
        ..feature("cpu.model", Kind::Attribute, Elements::Fixed(CPU_MODEL))
    },
    Feature {
        booleans: ENABLED,
        ..feature("cpu.cstate", Kind::Attribute, Elements::Fixed(ENABLED))
    },
    Feature {
        booleans: &["turbo"],
        ..feature(
            "cpu.pstate",
            Kind::Attribute,
            Elements::Fixed(&["status", "turbo", "scaling_governor"]),
        )
    },
    Feature {
        booleans: CPU_RDT_BOOL,
        ..feature("cpu.rdt", Kind::Attribute, Elements::Fixed(CPU_RDT))
    },
    Feature {
        booleans: CPU_SECURITY_BOOL,
        ..feature(
            "cpu.security",
            Kind::Attribute,
            Elements::Fixed(CPU_SECURITY),
        )
    },
    Feature {
        booleans: &["bf.enabled"],
        ..feature("cpu.sst", Kind::Attribute, Elements::Fixed(&["bf.enabled"]))
    },
    Feature {
        booleans: &["hardware_multithreading"],
        ..feature(
            "cpu.topology",
            Kind::Attribute,
            Elements::Fixed(&["hardware_multithreading", "socket_count"]),
        )
    },
    Feature {
        booleans: &["nx_gzip"],
        ..feature(
            "cpu.coprocessor",
            Kind::Attribute,
            Elements::Fixed(&["nx_gzip"]),
        )
    },
    feature("kernel.config", Kind::Attribute, Elements::KernelConfig),
    feature("kernel.loadedmodule", Kind::Flag, Elements::Modules),
    feature("kernel.enabledmodule", Kind::Flag, Elements::Modules),
    Feature {
        always: ENABLED,
        booleans: ENABLED,
        ..feature("kernel.selinux", Kind::Attribute, Elements::Fixed(ENABLED))
    },
    // `major`, `minor` and `revision` are missing when the release does not look like one.
    Feature {
        always: &["full"],
        ..feature(
            "kernel.version",
            Kind::Attribute,
            Elements::Fixed(KERNEL_VERSION),
        )
    },
    Feature {
        always: ENABLED,
        booleans: ENABLED,
        ..feature("kernel.kvm", Kind::Attribute, Elements::Fixed(ENABLED))
    },
    Feature {
        always: NUMA,
        booleans: &["is_numa"],
        ..feature("memory.numa", Kind::Attribute, Elements::Fixed(NUMA))
    },
    Feature {
        always: ENABLED,
        booleans: ENABLED,
        ..feature("memory.swap", Kind::Attribute, Elements::Fixed(ENABLED))
    },
    feature("memory.nv", Kind::Instance, Elements::Fixed(MEMORY_NV)),
    Feature {
        always: ENABLED,
        booleans: ENABLED,
        ..feature("memory.hugepages", Kind::Attribute, Elements::Hugepages)
    },
    feature(
        "network.device",
        Kind::Instance,
        Elements::Fixed(NETWORK_DEVICE),
    ),
    feature(
        "network.virtual",
        Kind::Instance,
        Elements::Fixed(NETWORK_VIRTUAL),
    ),
    Feature {
        always: PCI_MANDATORY,
        ..feature("pci.device", Kind::Instance, Elements::Fixed(PCI_DEVICE))
    },
    feature("usb.device", Kind::Instance, Elements::Fixed(USB_DEVICE)),
    feature(
        "storage.block",
        Kind::Instance,
        Elements::Fixed(STORAGE_BLOCK),
    ),
    feature("system.osrelease", Kind::Attribute, Elements::OsRelease),
    feature(
        "system.dmiid",
        Kind::Attribute,
        Elements::Fixed(&crate::sources::system::DMI_ID_ATTRS),
    ),
    Feature {
        always: &["nodename"],
        ..feature(
            "system.name",
            Kind::Attribute,
            Elements::Fixed(&["nodename"]),
        )
    },
    feature("local.feature", Kind::Attribute, Elements::Open),
    feature("local.label", Kind::Attribute, Elements::Open),
    feature("rule.matched", Kind::Attribute, Elements::Open),
];

/// The feature with this key (already lower-cased).
pub(crate) fn find_feature(key: &str) -> Option<&'static Feature> {
    FEATURES.iter().find(|f| f.name == key)
}

/// The `cpu.cpuid` attribute (amd64).
pub(crate) const CPUID_ATTRIBUTE: &str = "AVX10_VERSION";

/// /proc/cpuinfo flag names whose NFD name differs by more than case, `_` and `-`.
pub(crate) const CPUINFO_ALIASES: &[(&str, &str)] = &[
    ("aes", "AESNI"),
    ("pclmulqdq", "CLMUL"),
    ("pni", "SSE3"),
    ("sse4_1", "SSE4"),
    ("fma", "FMA3"),
    ("sha_ni", "SHA"),
    ("cx8", "CMPXCHG8"),
    ("fpu", "X87"),
    ("ht", "HTT"),
    ("lahf_lm", "LAHF"),
    ("abm", "LZCNT"),
    ("3dnow", "AMD3DNOW"),
    ("3dnowext", "AMD3DNOWEXT"),
    ("mmxext", "MMXEXT"),
    ("avx_vnni", "AVXVNNI"),
    ("amx_bf16", "AMXBF16"),
    ("amx_tile", "AMXTILE"),
    ("amx_int8", "AMXINT8"),
    ("sgx_lc", "SGXLC"),
    ("ibrs_enhanced", "IBRS_PREFERRED"),
    ("ssbd", "SPEC_CTRL_SSBD"),
    ("ibt", "CETIBT"),
];

/// klauspost/cpuid's vendor names (`cpu.model` `vendor_id`).
pub(crate) const CPU_VENDORS: &[&str] = &[
    "VendorUnknown",
    "Intel",
    "AMD",
    "VIA",
    "Transmeta",
    "NSC",
    "KVM",
    "MSVM",
    "VMware",
    "XenHVM",
    "Bhyve",
    "Hygon",
    "SiS",
    "RDC",
    "Ampere",
    "ARM",
    "Broadcom",
    "Cavium",
    "DEC",
    "Fujitsu",
    "Infineon",
    "Motorola",
    "NVIDIA",
    "AMCC",
    "Qualcomm",
    "Marvell",
    "QEMU",
    "QNX",
    "ACRN",
    "SRE",
    "Apple",
];

/// CPUID vendor strings (as /proc/cpuinfo shows them) and the name NFD reports instead.
pub(crate) const CPU_VENDOR_STRINGS: &[(&str, &str)] = &[
    ("GenuineIntel", "Intel"),
    ("AuthenticAMD", "AMD"),
    ("HygonGenuine", "Hygon"),
    ("CentaurHauls", "VIA"),
];

/// `cpu.model` `hypervisor` values NFD produces for known hypervisors (lower case).
pub(crate) const HYPERVISORS: &[&str] = &[
    "none", "kvm", "msvm", "vmware", "xenhvm", "qemu", "bhyve", "qnx", "acrn", "sre", "apple",
];

/// Common os-release variables (any upper-case `[A-Z0-9_]+` name is accepted).
pub(crate) const OS_RELEASE: &[&str] = &[
    "ID",
    "ID_LIKE",
    "NAME",
    "PRETTY_NAME",
    "VERSION",
    "VERSION_ID",
    "VERSION_CODENAME",
    "VARIANT",
    "VARIANT_ID",
    "BUILD_ID",
    "IMAGE_ID",
    "IMAGE_VERSION",
    "PLATFORM_ID",
    "CPE_NAME",
    "HOME_URL",
    "VERSION_ID.major",
    "VERSION_ID.minor",
];

/// The `cpu.cpuid` flag names of x86 and arm64, with what the lint looks up in them, built
/// once: a spec may name many flags, and each unknown one was a scan of every list.
pub(crate) struct CpuFlags {
    /// The arm64 flags (HWCAP, then HWCAP2).
    pub(crate) arm: Vec<&'static str>,
    /// Every flag name, and `AVX10_VERSION`.
    known: HashSet<&'static str>,
    /// Each flag by [`normalise_flag`], the first (x86 before arm64) for a name in both.
    normalised: HashMap<String, &'static str>,
    /// Every flag, x86 before arm64, for "did you mean".
    pub(crate) nearest: Names<'static>,
}

impl CpuFlags {
    /// Whether `name` is a flag (or the attribute) as NFD spells it.
    pub(crate) fn is_known(&self, name: &str) -> bool {
        self.known.contains(name)
    }
}

pub(crate) static CPU_FLAGS: LazyLock<CpuFlags> = LazyLock::new(|| {
    let arm: Vec<&'static str> = HWCAP_NAMES
        .iter()
        .chain(HWCAP2_NAMES.iter())
        .copied()
        .collect();
    let all = || x86_flags::NAMES.iter().chain(arm.iter()).copied();
    let known = all().chain([CPUID_ATTRIBUTE]).collect();
    let mut normalised = HashMap::new();
    for flag in all() {
        normalised.entry(normalise_flag(flag)).or_insert(flag);
    }
    let nearest = Names::new(all());
    CpuFlags {
        arm,
        known,
        normalised,
        nearest,
    }
});

/// The canonical `cpu.cpuid` flag for `name` when it is spelled differently (case, `_`, `-`,
/// or a /proc/cpuinfo name); `None` when `name` is right or unknown.
pub(crate) fn cpu_flag_spelling(name: &str) -> Option<&'static str> {
    let flags = &*CPU_FLAGS;
    if flags.is_known(name) {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    if let Some((_, nfd)) = CPUINFO_ALIASES.iter().find(|(a, _)| *a == lower) {
        return Some(nfd);
    }
    flags.normalised.get(&normalise_flag(name)).copied()
}

/// Upper case without `_` and `-`: `avx512_vnni` and `AVX512VNNI` compare equal.
pub(crate) fn normalise_flag(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The canonical hugepages element for a mistaken one (`hugepages-2048kB` -> `hugepages-2Mi`).
pub(crate) fn hugepages_spelling(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("hugepages")?
        .trim_start_matches(['-', '_']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let number: u64 = digits.parse().ok()?;
    let unit = rest[digits.len()..].trim();
    let kib = match unit {
        "k" | "kb" | "ki" | "kib" => number,
        "m" | "mb" | "mi" | "mib" => number.checked_mul(1 << 10)?,
        "g" | "gb" | "gi" | "gib" => number.checked_mul(1 << 20)?,
        _ => return None,
    };
    Some(format!("hugepages-{}", quantity_kib(kib)))
}

/// A size in KiB as a Kubernetes binary quantity (`2048` -> `2Mi`), as NFD names hugepages.
fn quantity_kib(kib: u64) -> String {
    let units = [("Ti", 1u64 << 30), ("Gi", 1 << 20), ("Mi", 1 << 10)];
    for (suffix, size) in units {
        if kib != 0 && kib.is_multiple_of(size) {
            return format!("{}{suffix}", kib / size);
        }
    }
    format!("{kib}Ki")
}

/// Whether `name` is a hugepages element NFD produces (`enabled`, `hugepages-2Mi`).
pub(crate) fn is_hugepages_element(name: &str) -> bool {
    name == "enabled"
        || (name.starts_with("hugepages-") && hugepages_spelling(name).as_deref() == Some(name))
}
