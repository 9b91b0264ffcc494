//! Synthetic test data, deterministic from a seed, shared by the integration tests, the
//! benchmarks (included with `#[path]`), `examples/gen_fleet.rs` and the fleet module's unit
//! tests. It depends only on std and serde_json, so that every one of them can include it.
//!
//! - A fleet: [`write_fleet`] writes a NodeFeatureList of N realistic nodes. Each node draws a
//!   CPU (Intel and AMD server generations, their cpuid flags: ~200 per node), a kernel and OS
//!   release, loaded and built-in modules, and 100-300 PCI devices (platform devices, bridges,
//!   NICs with SR-IOV functions, NVMe, sometimes NVIDIA GPUs), plus network, storage and USB
//!   instances, so that an item is as large as a real NodeFeature (30-60 KB of JSON).
//!   [`spec_yaml`] writes a spec with N rules over the same features, in three sets, that some
//!   nodes pass and some fail for a handful of causes.
//! - The stress input: [`stress_features`], a node with [`STRESS_PCI_INSTANCES`] PCI instances
//!   and [`STRESS_CPUID_FLAGS`] cpuid flags (NFD's `Features` JSON), and [`stress_spec_yaml`],
//!   a spec of [`STRESS_RULES`] rules over it. The same bytes on every run, so that instruction
//!   counts (`valgrind --tool=callgrind`) compare across builds.

#![allow(
    dead_code,
    reason = "each includer (tests, benches, the example) uses a part"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Map, Value, json};

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % (n as u64)).unwrap_or_default()
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// cpuid flags every x86-64 server CPU here has (NFD's names).
const BASE_FLAGS: &[&str] = &[
    "ADX",
    "AESNI",
    "AVX",
    "AVX2",
    "BMI1",
    "BMI2",
    "CLMUL",
    "CMOV",
    "CMPXCHG8",
    "CX16",
    "ERMS",
    "F16C",
    "FMA3",
    "FXSR",
    "FXSROPT",
    "HTT",
    "IBPB",
    "LAHF",
    "LZCNT",
    "MMX",
    "MMXEXT",
    "MOVBE",
    "NX",
    "OSXSAVE",
    "POPCNT",
    "RDRAND",
    "RDSEED",
    "RDTSCP",
    "SHA",
    "SSE",
    "SSE2",
    "SSE3",
    "SSE4",
    "SSE42",
    "SSSE3",
    "STIBP",
    "SYSCALL",
    "SYSEE",
    "X87",
    "XGETBV1",
    "XSAVE",
    "XSAVEC",
    "XSAVEOPT",
    "XSAVES",
    "X86_64_V2",
    "X86_64_V3",
    "CLWB",
    "SPEC_CTRL_SSBD",
    "MD_CLEAR",
    "FSRM",
    "VAES",
    "VPCLMULQDQ",
    "GFNI",
    "WBNOINVD",
    "RDPID",
    "INVPCID",
    "PCONFIG",
    "PKU",
    "OSPKE",
    "UMIP",
    "SMAP",
    "SMEP",
    "FSGSBASE",
    "TSC_ADJUST",
    "TSCINV",
    "ARAT",
    "APIC",
    "X2APIC",
    "PAT",
    "PSE",
    "PSE36",
    "PGE",
    "MTRR",
    "MCA",
    "MCE",
    "DE",
    "PAE",
    "TSC",
    "MSR",
    "VME",
    "CLFLUSH",
    "CLFLUSHOPT",
    "DTES64",
    "MONITOR",
    "DSCPL",
    "EST",
    "TM2",
    "CNXT_ID",
    "SDBG",
    "XTPR",
    "PDCM",
    "PCID",
    "DCA",
    "TSC_DEADLINE",
    "HYPERVISOR",
    "PPIN",
    "CPBOOST",
    "AMXFP16",
    "IA32_ARCH_CAP",
    "IA32_CORE_CAP",
];

const INTEL_FLAGS: &[&str] = &[
    "VMX",
    "SMX",
    "TM",
    "PBE",
    "DS",
    "ACPI",
    "SS",
    "HLE",
    "RTM",
    "MPX",
    "CETIBT",
    "CETSS",
    "FLUSH_L1D",
    "IBRS",
    "IBRS_PREFERRED",
    "L1D_FLUSH",
    "STIBP_ALWAYSON",
    "TSXLDTRK",
    "WAITPKG",
    "CLDEMOTE",
    "MOVDIRI",
    "MOVDIR64B",
    "ENQCMD",
    "SERIALIZE",
    "HRESET",
    "LBR",
    "RDT_M",
    "RDT_A",
    "SGX",
    "SGXLC",
    "SGX_KEYS",
    "PT",
    "PTWRITE",
    "HWP",
    "HWP_NOTIFY",
    "HWP_ACT_WINDOW",
    "HWP_EPP",
    "HWP_PKG_REQ",
    "HDC",
    "PLN",
    "PTS",
    "ECMD",
    "IDA",
    "DTS",
    "EPT",
    "VPID",
    "VNMI",
    "FLEXPRIORITY",
    "EPT_AD",
    "INTEL_PPIN",
    "TME",
    "SPLITLOCK",
    "BUS_LOCK_DETECT",
    "UINTR",
    "KL",
    "AESKLE",
    "WIDEKL",
    "PREFETCHI",
    "MCDT_NO",
];

const AMD_FLAGS: &[&str] = &[
    "SVM",
    "SSE4A",
    "MISALIGNSSE",
    "3DNOWPREFETCH",
    "OSVW",
    "IBS",
    "SKINIT",
    "WDT",
    "TCE",
    "TOPOEXT",
    "PERFCTR_CORE",
    "PERFCTR_NB",
    "BPEXT",
    "PTSC",
    "MWAITX",
    "CPB",
    "HW_PSTATE",
    "SME",
    "SEV",
    "SEV_ES",
    "SEV_SNP",
    "VMPL",
    "NPT",
    "LBRV",
    "SVM_LOCK",
    "NRIP_SAVE",
    "TSC_SCALE",
    "VMCB_CLEAN",
    "FLUSHBYASID",
    "DECODEASSISTS",
    "PAUSEFILTER",
    "PFTHRESHOLD",
    "AVIC",
    "V_VMSAVE_VMLOAD",
    "VGIF",
    "V_SPEC_CTRL",
    "CLZERO",
    "IRPERF",
    "XSAVEERPTR",
    "RDPRU",
    "AMD_PPIN",
    "AMD_SSBD",
    "AMD_IBRS",
    "AMD_STIBP",
    "VIRT_SSBD",
    "SUCCOR",
    "SMCA",
    "OVERFLOW_RECOV",
    "INT_WBINVD",
    "PFLUSHD",
    "IBS_FETCHSAM",
    "IBS_OPSAM",
    "IBS_RDWROPCNT",
    "IBS_OPCNT",
    "IBS_BRNTRGT",
    "IBS_OPCNTEXT",
    "IBS_RIPINVALIDCHK",
    "LBRVIRT",
    "FMA4",
    "TBM",
    "XOP",
];

const AVX512_FLAGS: &[&str] = &[
    "AVX512F",
    "AVX512CD",
    "AVX512BW",
    "AVX512DQ",
    "AVX512VL",
    "AVX512IFMA",
    "AVX512VBMI",
    "AVX512VBMI2",
    "AVX512VNNI",
    "AVX512BITALG",
    "AVX512VPOPCNTDQ",
    "AVX512BF16",
    "X86_64_V4",
];

const SPR_FLAGS: &[&str] = &[
    "AMXBF16",
    "AMXINT8",
    "AMXTILE",
    "AVX512FP16",
    "AVXVNNI",
    "AVX512VP2INTERSECT",
];

/// A CPU model: vendor, family, id, and which extra flag groups it has.
struct Cpu {
    vendor: &'static str,
    family: u32,
    id: u32,
    avx512: bool,
    spr: bool,
    weight: usize,
}

const CPUS: &[Cpu] = &[
    // Skylake-SP, Cascade Lake, Ice Lake, Sapphire Rapids.
    Cpu {
        vendor: "Intel",
        family: 6,
        id: 85,
        avx512: true,
        spr: false,
        weight: 20,
    },
    Cpu {
        vendor: "Intel",
        family: 6,
        id: 106,
        avx512: true,
        spr: false,
        weight: 20,
    },
    Cpu {
        vendor: "Intel",
        family: 6,
        id: 143,
        avx512: true,
        spr: true,
        weight: 10,
    },
    // Broadwell: no AVX-512.
    Cpu {
        vendor: "Intel",
        family: 6,
        id: 79,
        avx512: false,
        spr: false,
        weight: 5,
    },
    // Rome, Milan, Genoa.
    Cpu {
        vendor: "AMD",
        family: 23,
        id: 49,
        avx512: false,
        spr: false,
        weight: 15,
    },
    Cpu {
        vendor: "AMD",
        family: 25,
        id: 1,
        avx512: false,
        spr: false,
        weight: 20,
    },
    Cpu {
        vendor: "AMD",
        family: 25,
        id: 17,
        avx512: true,
        spr: false,
        weight: 10,
    },
];

/// Kernel `full` versions and the OS release that ships them.
const KERNELS: &[(&str, &str, &str)] = &[
    ("4.18.0-513.5.1.el8_9.x86_64", "rhel", "8.9"),
    ("5.14.0-427.13.1.el9_4.x86_64", "rhel", "9.4"),
    ("5.15.0-105-generic", "ubuntu", "22.04"),
    ("6.1.0-18-amd64", "debian", "12"),
    ("6.8.0-45-generic", "ubuntu", "24.04"),
    ("6.6.56-flatcar", "flatcar", "3975.2.2"),
];

const BASE_MODULES: &[&str] = &[
    "overlay",
    "br_netfilter",
    "bridge",
    "stp",
    "llc",
    "nf_conntrack",
    "nf_defrag_ipv4",
    "nf_defrag_ipv6",
    "nf_nat",
    "nf_tables",
    "nfnetlink",
    "ip_tables",
    "ip6_tables",
    "iptable_filter",
    "iptable_nat",
    "iptable_mangle",
    "x_tables",
    "xt_conntrack",
    "xt_MASQUERADE",
    "xt_addrtype",
    "xt_comment",
    "xt_mark",
    "xt_multiport",
    "xt_nat",
    "xt_statistic",
    "veth",
    "vxlan",
    "ip6_udp_tunnel",
    "udp_tunnel",
    "tls",
    "ipmi_si",
    "ipmi_devintf",
    "ipmi_msghandler",
    "acpi_ipmi",
    "acpi_power_meter",
    "acpi_pad",
    "dm_mod",
    "dm_multipath",
    "dm_round_robin",
    "sg",
    "sd_mod",
    "t10_pi",
    "crc64_rocksoft",
    "ahci",
    "libahci",
    "libata",
    "nvme",
    "nvme_core",
    "nvme_auth",
    "xfs",
    "ext4",
    "mbcache",
    "jbd2",
    "fuse",
    "configfs",
    "efivarfs",
    "loop",
    "nfsd",
    "nfs_acl",
    "auth_rpcgss",
    "lockd",
    "grace",
    "sunrpc",
    "rpcsec_gss_krb5",
    "nls_utf8",
    "isofs",
    "binfmt_misc",
    "intel_rapl_msr",
    "intel_rapl_common",
    "rapl",
    "pcspkr",
    "joydev",
    "input_leds",
    "mei_me",
    "mei",
    "i2c_i801",
    "i2c_smbus",
    "lpc_ich",
    "wmi",
    "ghash_clmulni_intel",
    "sha512_ssse3",
    "sha256_ssse3",
    "sha1_ssse3",
    "aesni_intel",
    "crypto_simd",
    "cryptd",
    "crct10dif_pclmul",
    "crc32_pclmul",
    "crc32c_intel",
    "polyval_clmulni",
    "polyval_generic",
    "gf128mul",
    "ast",
    "drm_shmem_helper",
    "drm_kms_helper",
    "drm",
    "i2c_algo_bit",
    "fb_sys_fops",
    "syscopyarea",
    "sysfillrect",
    "sysimgblt",
    "ipv6",
    "autofs4",
    "squashfs",
    "scsi_transport_iscsi",
    "iscsi_tcp",
    "libiscsi",
    "libiscsi_tcp",
    "rdma_cm",
    "iw_cm",
    "ib_cm",
    "ib_core",
    "ib_uverbs",
    "irqbypass",
    "kvm",
    "tcp_bbr",
    "sch_fq",
    "sch_fq_codel",
    "cls_bpf",
    "act_bpf",
    "ip_set",
    "ip_set_hash_ip",
    "ip_set_hash_net",
    "ip_vs",
    "ip_vs_rr",
    "ip_vs_wrr",
    "ip_vs_sh",
];

const ENABLED_MODULES: &[&str] = &[
    "8250",
    "binfmt_script",
    "crypto",
    "crypto_algapi",
    "cpufreq",
    "deflate",
    "dm_crypt",
    "ehci_hcd",
    "ext4",
    "fat",
    "hid",
    "i8042",
    "input_core",
    "kernel",
    "keyboard",
    "libcrc32c",
    "lz4",
    "md",
    "msr",
    "nvme_core",
    "pcieportdrv",
    "printk",
    "random",
    "rtc_cmos",
    "scsi_mod",
    "sd_mod",
    "serial",
    "sr_mod",
    "tpm",
    "usbcore",
    "vfat",
    "virtio",
    "virtio_pci",
    "vt",
    "xhci_hcd",
    "zstd",
];

/// Writes a NodeFeatureList (`kubectl get nodefeatures -A -o json`, compact) of `nodes`
/// nodes named `node-00000`, `node-00001`, ...
pub(crate) fn write_fleet(out: &mut impl Write, nodes: usize, seed: u64) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    out.write_all(b"{\"apiVersion\":\"v1\",\"items\":[")?;
    for i in 0..nodes {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &node(&mut rng, &format!("node-{i:05}")))?;
    }
    out.write_all(b"],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}\n")
}

fn flags(names: impl IntoIterator<Item = String>) -> Value {
    let elements: Map<String, Value> = names.into_iter().map(|n| (n, json!({}))).collect();
    json!({ "elements": elements })
}

fn string_map(pairs: &[(&str, String)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
        .collect()
}

fn attrs(pairs: &[(&str, String)]) -> Value {
    json!({ "elements": string_map(pairs) })
}

fn instance(pairs: &[(&str, String)]) -> Value {
    json!({ "attributes": string_map(pairs) })
}

fn pci(rng: &mut Rng, gpu: bool, mellanox: bool) -> Vec<Value> {
    let mut out = Vec::new();
    let mut dev =
        |class: &str, vendor: &str, device: &str, sub: (&str, &str), extra: &[(&str, String)]| {
            let mut pairs = vec![
                ("class", class.to_owned()),
                ("vendor", vendor.to_owned()),
                ("device", device.to_owned()),
                ("subsystem_vendor", sub.0.to_owned()),
                ("subsystem_device", sub.1.to_owned()),
                ("iommu_group/type", "DMA".to_owned()),
            ];
            pairs.extend(extra.iter().cloned());
            out.push(instance(&pairs));
        };
    // Platform devices: host bridges, system peripherals, root ports.
    let platform = 60 + rng.below(120);
    for k in 0..platform {
        let (class, device) = match k % 5 {
            0 => ("0600", "09a2"),
            1 => ("0604", "347a"),
            2 => ("0880", "0998"),
            3 => ("0880", "344f"),
            _ => ("1101", "3458"),
        };
        dev(class, "8086", device, ("8086", "0000"), &[]);
    }
    dev("0c03", "8086", "a1af", ("15d9", "7270"), &[]);
    dev("0106", "8086", "a182", ("15d9", "7270"), &[]);
    dev("0300", "1a03", "2000", ("15d9", "1b95"), &[]);
    for _ in 0..(2 + rng.below(6)) {
        dev("0108", "144d", "a80a", ("144d", "a801"), &[]);
    }
    // NICs with SR-IOV virtual functions.
    let (nic_vendor, nic_device, vf_device) = if mellanox {
        ("15b3", "101d", "101e")
    } else {
        ("8086", "159b", "1889")
    };
    for _ in 0..2 {
        dev(
            "0200",
            nic_vendor,
            nic_device,
            (nic_vendor, "0043"),
            &[("sriov_totalvfs", "64".to_owned())],
        );
    }
    for _ in 0..(20 + rng.below(80)) {
        dev("0200", nic_vendor, vf_device, (nic_vendor, "0043"), &[]);
    }
    if gpu {
        for _ in 0..(4 << rng.below(2)) {
            dev("0302", "10de", "2330", ("10de", "16c1"), &[]);
        }
    }
    out
}

/// One NodeFeature.
fn node(rng: &mut Rng, name: &str) -> Value {
    let total: usize = CPUS.iter().map(|c| c.weight).sum();
    let mut roll = rng.below(total);
    let cpu = CPUS
        .iter()
        .find(|c| {
            if roll < c.weight {
                true
            } else {
                roll -= c.weight;
                false
            }
        })
        .unwrap_or(&CPUS[0]);
    let mut cpuid: Vec<String> = BASE_FLAGS.iter().map(|s| (*s).to_owned()).collect();
    let own = if cpu.vendor == "Intel" {
        INTEL_FLAGS
    } else {
        AMD_FLAGS
    };
    cpuid.extend(own.iter().map(|s| (*s).to_owned()));
    if cpu.avx512 {
        cpuid.extend(AVX512_FLAGS.iter().map(|s| (*s).to_owned()));
    }
    if cpu.spr {
        cpuid.extend(SPR_FLAGS.iter().map(|s| (*s).to_owned()));
    }
    let (kernel, os, os_version) = *rng.pick(KERNELS);
    let mut parts = kernel.split(['.', '-']);
    let major = parts.next().unwrap_or("0").to_owned();
    let minor = parts.next().unwrap_or("0").to_owned();
    let revision = parts.next().unwrap_or("0").to_owned();
    let gpu = rng.chance(20);
    let mellanox = rng.chance(40);
    let mut modules: Vec<String> = BASE_MODULES
        .iter()
        .filter(|_| rng.chance(85))
        .map(|s| (*s).to_owned())
        .collect();
    modules.push(
        if cpu.vendor == "Intel" {
            "kvm_intel"
        } else {
            "kvm_amd"
        }
        .to_owned(),
    );
    if rng.chance(70) {
        modules
            .extend(["vfio_pci", "vfio_pci_core", "vfio", "vfio_iommu_type1"].map(str::to_owned));
    }
    if gpu {
        modules.extend(["nvidia", "nvidia_uvm", "nvidia_modeset", "nvidia_drm"].map(str::to_owned));
    }
    if mellanox {
        modules.extend(["mlx5_core", "mlx5_ib", "mlxfw", "psample"].map(str::to_owned));
    } else {
        modules.extend(["ice", "iavf", "gnss"].map(str::to_owned));
    }
    let sockets = 1 + rng.below(2);
    let pci_devices = pci(rng, gpu, mellanox);
    let net: Vec<Value> = (0..(2 + rng.below(4)))
        .map(|k| {
            instance(&[
                ("name", format!("ens{}f{}", 1 + k / 2, k % 2)),
                ("mtu", if k % 2 == 0 { "9000" } else { "1500" }.to_owned()),
                ("operstate", if k < 2 { "up" } else { "down" }.to_owned()),
                ("speed", "100000".to_owned()),
                ("sriov_numvfs", "8".to_owned()),
                ("sriov_totalvfs", "64".to_owned()),
            ])
        })
        .collect();
    let storage: Vec<Value> = (0..=rng.below(4))
        .map(|k| {
            instance(&[
                ("name", format!("nvme{k}n1")),
                ("dax", "0".to_owned()),
                ("rotational", "0".to_owned()),
                ("nr_zones", "0".to_owned()),
                ("zoned", "none".to_owned()),
            ])
        })
        .collect();
    let usb = vec![
        instance(&[
            ("class", "03".to_owned()),
            ("vendor", "046b".to_owned()),
            ("device", "ff10".to_owned()),
            ("serial", "KVM-0001".to_owned()),
        ]),
        instance(&[
            ("class", "08".to_owned()),
            ("vendor", "046b".to_owned()),
            ("device", "ff20".to_owned()),
            ("serial", "KVM-0001".to_owned()),
        ]),
    ];
    let kconfig: Vec<(&str, String)> = [
        "64BIT",
        "CGROUPS",
        "CPUSETS",
        "HUGETLBFS",
        "IOMMU_SUPPORT",
        "KVM",
        "NO_HZ_FULL",
        "NUMA",
        "PREEMPT_VOLUNTARY",
        "SECURITY_SELINUX",
        "SMP",
        "VFIO",
        "VFIO_PCI",
        "X86_SGX",
    ]
    .iter()
    .map(|k| (*k, "y".to_owned()))
    .collect();
    json!({
        "apiVersion": "nfd.k8s-sigs.io/v1alpha1",
        "kind": "NodeFeature",
        "metadata": {
            "creationTimestamp": "2026-01-12T08:30:11Z",
            "generation": 1 + rng.below(40),
            "labels": { "nfd.node.kubernetes.io/node-name": name },
            "name": name,
            "namespace": "node-feature-discovery",
            "resourceVersion": (1_000_000 + rng.below(9_000_000)).to_string(),
            "uid": format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", rng.next_u64() & 0xffff_ffff, rng.below(65536), rng.below(4096), rng.below(4096), rng.next_u64() & 0xffff_ffff_ffff),
        },
        "spec": {
            "features": {
                "flags": {
                    "cpu.cpuid": flags(cpuid),
                    "kernel.loadedmodule": flags(modules),
                    "kernel.enabledmodule": flags(ENABLED_MODULES.iter().map(|s| (*s).to_owned())),
                },
                "attributes": {
                    "cpu.model": attrs(&[("vendor_id", cpu.vendor.to_owned()), ("family", cpu.family.to_string()), ("id", cpu.id.to_string()), ("hypervisor", "none".to_owned())]),
                    "cpu.topology": attrs(&[("hardware_multithreading", "true".to_owned()), ("socket_count", sockets.to_string())]),
                    "cpu.cstate": attrs(&[("enabled", "true".to_owned())]),
                    "cpu.pstate": attrs(&[("status", "active".to_owned()), ("scaling_governor", "performance".to_owned()), ("turbo", "true".to_owned())]),
                    "kernel.version": attrs(&[("full", kernel.to_owned()), ("major", major), ("minor", minor), ("revision", revision)]),
                    "kernel.config": attrs(&kconfig),
                    "kernel.selinux": attrs(&[("enabled", (os == "rhel").to_string())]),
                    "memory.numa": attrs(&[("is_numa", (sockets > 1).to_string()), ("node_count", sockets.to_string())]),
                    "memory.hugepages": attrs(&[("enabled", "true".to_owned()), ("hugepages-1Gi", (rng.below(3) * 4).to_string()), ("hugepages-2Mi", "0".to_owned())]),
                    "system.osrelease": attrs(&[("ID", os.to_owned()), ("VERSION_ID", os_version.to_owned()), ("VERSION_ID.major", os_version.split('.').next().unwrap_or_default().to_owned())]),
                    "system.name": attrs(&[("nodename", name.to_owned())]),
                },
                "instances": {
                    "pci.device": { "elements": pci_devices },
                    "network.device": { "elements": net },
                    "storage.block": { "elements": storage },
                    "usb.device": { "elements": usb },
                    "memory.nv": { "elements": [] },
                },
            },
            "labels": {
                "cpu-model.vendor_id": cpu.vendor,
                "kernel-version.major": kernel.split('.').next().unwrap_or_default(),
            },
        },
    })
}

/// A spec of `rules` rules in three sets (`gpu`, weight 10; `avx512`, weight 5; `baseline`,
/// weight 1) over the features [`write_fleet`] generates.
pub(crate) fn spec_yaml(rules: usize) -> String {
    // Each template is one rule's matchFeatures body; the first of each set is what makes the
    // set selective.
    const BASELINE: &[&str] = &[
        "    - feature: kernel.loadedmodule\n      matchExpressions:\n        vfio_pci: {op: Exists}\n",
        "    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: In, value: [Intel, AMD]}\n",
        "    - feature: kernel.version\n      matchExpressions:\n        major: {op: Ge, value: [\"5\"]}\n",
        "    - feature: cpu.cpuid\n      matchExpressions:\n        AVX2: {op: Exists}\n        SSE42: {op: Exists}\n",
        "    - feature: pci.device\n      matchExpressions:\n        class: {op: In, value: [\"0200\"]}\n        vendor: {op: In, value: [\"8086\", \"15b3\"]}\n",
        "    - feature: kernel.loadedmodule\n      matchExpressions:\n        overlay: {op: Exists}\n",
        "    - feature: cpu.cpuid\n      matchName: {op: InRegexp, value: [\"^X86_64_V\"]}\n",
        "    - feature: memory.hugepages\n      matchExpressions:\n        enabled: {op: IsTrue}\n",
        "    - feature: system.osrelease\n      matchExpressions:\n        ID: {op: NotIn, value: [centos]}\n",
        "    - feature: kernel.config\n      matchExpressions:\n        IOMMU_SUPPORT: {op: In, value: [\"y\"]}\n",
    ];
    const AVX512: &[&str] = &[
        "    - feature: cpu.cpuid\n      matchExpressions:\n        X86_64_V4: {op: Exists}\n",
        "    - feature: kernel.version\n      matchExpressions:\n        major: {op: Gt, value: [\"4\"]}\n",
    ];
    const GPU: &[&str] = &[
        "    - feature: pci.device\n      matchExpressions:\n        vendor: {op: In, value: [\"10de\"]}\n        class: {op: In, value: [\"0302\"]}\n",
        "    - feature: kernel.loadedmodule\n      matchExpressions:\n        nvidia: {op: Exists}\n        nvidia_uvm: {op: Exists}\n",
    ];
    let mut s = String::from("version: v1alpha1\ncompatibilities:\n");
    let sets: [(&str, i64, &[&str]); 3] = [
        ("gpu", 10, GPU),
        ("avx512", 5, AVX512),
        ("baseline", 1, BASELINE),
    ];
    let per_set = [rules / 5, rules / 5, rules - 2 * (rules / 5)];
    for ((tag, weight, own), count) in sets.into_iter().zip(per_set) {
        let _ = write!(
            s,
            "- tag: {tag}\n  weight: {weight}\n  description: {tag} nodes\n  rules:\n"
        );
        for r in 0..count {
            let body = if r < own.len() {
                own[r]
            } else {
                BASELINE[(r - own.len()) % BASELINE.len()]
            };
            let _ = write!(s, "  - name: {tag}-{r}\n    matchFeatures:\n{body}");
        }
    }
    s
}

/// Rules in the stress spec.
pub(crate) const STRESS_RULES: usize = 1000;
/// `pci.device` instances on the stress node.
pub(crate) const STRESS_PCI_INSTANCES: usize = 2000;
/// `cpu.cpuid` flags on the stress node.
pub(crate) const STRESS_CPUID_FLAGS: usize = 5000;

const STRESS_CLASSES: [&str; 10] = [
    "0200", "0300", "0302", "0108", "0604", "0c03", "0b40", "1200", "0280", "0600",
];
const STRESS_VENDORS: [&str; 12] = [
    "8086", "10de", "15b3", "1002", "14e4", "1af4", "8087", "1022", "1d0f", "19e5", "1077", "177d",
];

fn hex4(rng: &mut Rng) -> String {
    format!("{:04x}", rng.next_u64() & 0xffff)
}

/// The stress node, as NFD's `Features` JSON (`{"flags": .., "attributes": .., "instances": ..}`).
pub(crate) fn stress_features() -> Value {
    let mut rng = Rng::new(0x2545_f491_4f6c_dd1d);
    let pci: Vec<Value> = (0..STRESS_PCI_INSTANCES)
        .map(|i| {
            let mut pairs = vec![
                ("class", (*rng.pick(&STRESS_CLASSES)).to_owned()),
                ("vendor", (*rng.pick(&STRESS_VENDORS)).to_owned()),
                ("device", hex4(&mut rng)),
                ("subsystem_vendor", (*rng.pick(&STRESS_VENDORS)).to_owned()),
                ("subsystem_device", hex4(&mut rng)),
            ];
            if i % 4 == 0 {
                pairs.push(("sriov_totalvfs", (rng.below(8) * 8).to_string()));
            }
            instance(&pairs)
        })
        .collect();
    let cpuid = (0..STRESS_CPUID_FLAGS - 8)
        .map(|i| format!("FLAG_{i:05}"))
        .chain(
            [
                "AVX",
                "AVX2",
                "AVX512F",
                "AVX512BW",
                "SSE4",
                "AESNI",
                "X86_64_V3",
                "FMA3",
            ]
            .map(str::to_owned),
        );
    let kconfig: Map<String, Value> = (0..1000_u32)
        .map(|i| {
            let value = if i % 3 == 0 { "m" } else { "y" };
            (format!("CONFIG_{i}"), Value::from(value))
        })
        .collect();
    json!({
        "flags": {
            "cpu.cpuid": flags(cpuid),
            "kernel.loadedmodule": flags((0..200).map(|i| format!("mod_{i}"))),
        },
        "attributes": {
            "cpu.cpuid": attrs(&[("AVX10_VERSION", "1".to_owned())]),
            "kernel.version": attrs(&[
                ("full", "6.8.0-45-generic".to_owned()),
                ("major", "6".to_owned()),
                ("minor", "8".to_owned()),
                ("revision", "0".to_owned()),
            ]),
            "kernel.config": { "elements": kconfig },
            "cpu.model": attrs(&[
                ("vendor_id", "Intel".to_owned()),
                ("family", "6".to_owned()),
                ("id", "143".to_owned()),
            ]),
        },
        "instances": {
            "pci.device": { "elements": pci },
        },
    })
}

fn expressions(out: &mut String, indent: &str, exprs: &[(String, String)]) {
    let _ = writeln!(out, "{indent}matchExpressions:");
    for (key, expr) in exprs {
        let _ = writeln!(out, "{indent}  {key}: {expr}");
    }
}

fn in_values(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    format!("{{op: In, value: [{}]}}", quoted.join(", "))
}

/// The stress spec ([`STRESS_RULES`] rules): 40% PCI instance terms (some in `matchAny`), 30% cpuid flags (`Exists`
/// or `matchName`), 30% attribute terms with version comparisons, a few typos among the
/// feature names' elements (modules and config options the node does not have).
pub(crate) fn stress_spec_yaml() -> String {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    let mut s =
        String::from("version: v1alpha1\ncompatibilities:\n- description: stress\n  rules:\n");
    for i in 0..STRESS_RULES {
        let _ = writeln!(s, "  - name: rule-{i}");
        match i % 10 {
            0..=3 => {
                let mut exprs = vec![
                    (
                        "vendor".to_owned(),
                        in_values(&[STRESS_VENDORS[rng.below(STRESS_VENDORS.len())]]),
                    ),
                    (
                        "class".to_owned(),
                        in_values(&[STRESS_CLASSES[rng.below(4)], STRESS_CLASSES[rng.below(10)]]),
                    ),
                ];
                if i % 3 == 0 {
                    let (a, b) = (hex4(&mut rng), hex4(&mut rng));
                    exprs.push(("device".to_owned(), in_values(&[&a, &b])));
                }
                if i % 7 == 0 {
                    exprs.push((
                        "sriov_totalvfs".to_owned(),
                        "{op: Gt, value: [\"8\"]}".to_owned(),
                    ));
                }
                if i % 5 == 0 {
                    s.push_str(
                        "    matchAny:\n    - matchFeatures:\n      - feature: pci.device\n",
                    );
                    expressions(&mut s, "        ", &exprs);
                    s.push_str("    - matchFeatures:\n      - feature: pci.device\n");
                    expressions(
                        &mut s,
                        "        ",
                        &[("vendor".to_owned(), in_values(&["ffff"]))],
                    );
                } else {
                    s.push_str("    matchFeatures:\n    - feature: pci.device\n");
                    expressions(&mut s, "      ", &exprs);
                }
            }
            4..=6 => {
                s.push_str("    matchFeatures:\n    - feature: cpu.cpuid\n");
                if i % 2 == 0 {
                    let names = ["AVX", "AVX2", "AVX512F", "AMX", "SSE4"];
                    let exprs: Vec<(String, String)> = (0..=rng.below(3))
                        .map(|_| {
                            (
                                names[rng.below(names.len())].to_owned(),
                                "{op: Exists}".to_owned(),
                            )
                        })
                        .collect::<BTreeMap<_, _>>()
                        .into_iter()
                        .collect();
                    expressions(&mut s, "      ", &exprs);
                } else {
                    let patterns = ["^AVX512", "^AMX", "FMA", "^SSE4"];
                    let _ = writeln!(
                        s,
                        "      matchName: {{op: InRegexp, value: [\"{}\"]}}",
                        patterns[rng.below(patterns.len())]
                    );
                }
            }
            _ => {
                let full_op = if i % 2 == 0 { "Ge" } else { "Lt" };
                s.push_str("    matchFeatures:\n    - feature: kernel.version\n");
                expressions(
                    &mut s,
                    "      ",
                    &[
                        ("major".to_owned(), "{op: Gt, value: [\"4\"]}".to_owned()),
                        (
                            "full".to_owned(),
                            format!("{{op: {full_op}, value: [\"5.15\"], type: version}}"),
                        ),
                    ],
                );
                s.push_str("    - feature: kernel.loadedmodule\n");
                expressions(
                    &mut s,
                    "      ",
                    &[(format!("mod_{}", rng.below(400)), "{op: Exists}".to_owned())],
                );
                s.push_str("    - feature: kernel.config\n");
                expressions(
                    &mut s,
                    "      ",
                    &[(
                        format!("CONFIG_{}", rng.below(1200)),
                        in_values(&["y", "m"]),
                    )],
                );
                s.push_str("    - feature: cpu.model\n");
                expressions(
                    &mut s,
                    "      ",
                    &[("vendor_id".to_owned(), in_values(&["Intel", "AMD"]))],
                );
            }
        }
    }
    s
}
