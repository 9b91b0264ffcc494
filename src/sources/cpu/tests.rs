//! Tests of the `cpu` source on the machine captures in `testdata/machines/` and the host trees
//! in `testdata/hosts/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Cpu, Machine, x86};
use crate::features::Features;
use crate::sources::{Context, Discovered, HostRoot, Source};

/// A capture from `testdata/machines/<name>.txt`.
fn capture(name: &str) -> Machine {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("testdata/machines/{name}.txt"));
    Machine::load(&path).unwrap_or_else(|e| panic!("{}: {e}: {:?}", path.display(), e))
}

/// Whitespace-separated names as a set.
fn names(text: &str) -> BTreeSet<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// Runs the `cpu` source on `root` with `machine`.
fn discover(root: &Path, machine: Machine) -> Discovered {
    let ctx = Context::new(HostRoot::new(root), machine, None);
    let mut out = Discovered::default();
    Cpu.discover(&ctx, &mut out);
    out
}

/// The host tree `testdata/hosts/<name>`.
fn host(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/hosts")
        .join(name)
}

/// An attribute map from pairs.
fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The attribute elements of `key`, `None` when the feature is absent.
fn attributes(f: &Features, key: &str) -> Option<BTreeMap<String, String>> {
    f.attributes
        .get(key)
        .map(|a| a.elements.clone().expect("elements are never null"))
}

/// Runs the `cpu` source on host tree `host_name` with capture `capture_name` and checks the
/// whole result: no warnings, the `cpu.cpuid` flags `flags`, and exactly the attribute features
/// `expected`.
fn assert_discovers(
    host_name: &str,
    capture_name: &str,
    flags: &str,
    expected: &[(&str, BTreeMap<String, String>)],
) {
    let out = discover(&host(host_name), capture(capture_name));
    assert_eq!(out.warnings, vec![]);
    let f = &out.features;
    assert_eq!(f.flags["cpu.cpuid"].elements, Some(names(flags)));
    for (key, want) in expected {
        assert_eq!(attributes(f, key).as_ref(), Some(want), "{key}");
    }
    let mut keys: BTreeSet<&str> = expected.iter().map(|(key, _)| *key).collect();
    let attribute_keys: BTreeSet<&str> = f.attributes.keys().map(String::as_str).collect();
    assert_eq!(attribute_keys, keys);
    keys.insert("cpu.cpuid");
    assert_eq!(f.keys(), keys);
}

const ICELAKE_FLAGS: &str = "ADX AESNI AVX AVX2 AVX512BITALG AVX512BW AVX512CD AVX512DQ AVX512F \
    AVX512IFMA AVX512VBMI AVX512VBMI2 AVX512VL AVX512VNNI AVX512VPOPCNTDQ BMI1 BMI2 CLMUL CMOV \
    CMPXCHG8 CX16 ERMS F16C FLUSH_L1D FMA3 FSRM FXSR FXSROPT GFNI HTT IA32_ARCH_CAP IBPB LAHF \
    LZCNT MD_CLEAR MMX MOVBE NX OSXSAVE PCONFIG PMU_FIXEDCOUNTER_CYCLES \
    PMU_FIXEDCOUNTER_INSTRUCTIONS PMU_FIXEDCOUNTER_REFCYCLES PMU_FIXEDCOUNTER_TOPDOWN_SLOTS POPCNT \
    RDRAND RDSEED RDTSCP RTM SGX SGXLC SHA SPEC_CTRL_SSBD SSE SSE2 SSE3 SSE4 SSE42 SSSE3 STIBP \
    SYSCALL SYSEE TME VAES VMX VPCLMULQDQ WBNOINVD X86_64_V1 X86_64_V2 X86_64_V3 X86_64_V4 X87 \
    XGETBV1 XSAVE XSAVEC XSAVEOPT XSAVES";

const MILAN_FLAGS: &str = "ADX AESNI AVX AVX2 BMI1 BMI2 CETSS CLMUL CLZERO CMOV CMPXCHG8 \
    CPBOOST CPPC CX16 EFER_LMSLE_UNS ERMS F16C FMA3 FP256 FSRM FXSR FXSROPT HTT IBPB IBRS \
    IBRS_PREFERRED IBRS_PROVIDES_SMP IBS IBSBRNTRGT IBSFETCHSAM IBSFFV IBSOPCNT IBSOPCNTEXT \
    IBSOPSAM IBSRDWROPCNT IBSRIPINVALIDCHK IBS_FETCH_CTLX IBS_OPFUSE IBS_PREVENTHOST INT_WBINVD \
    INVLPGB LAHF LBRVIRT LZCNT MCAOVERFLOW MCOMMIT MMX MMXEXT MOVBE MOVU MSRIRC MSR_PAGEFLUSH \
    NRIPS NX OSXSAVE POPCNT PPIN PSFD RDPRU RDRAND RDSEED RDTSCP SEV SEV_64BIT SEV_ALTERNATIVE \
    SEV_DEBUGSWAP SEV_ES SEV_RESTRICTED SEV_SNP SHA SME SME_COHERENT SPEC_CTRL_SSBD SSE SSE2 SSE3 \
    SSE4 SSE42 SSE4A SSSE3 STIBP STIBP_ALWAYSON SUCCOR SVM SVMDA SVMFBASID SVML SVMNP SVMPF \
    SVMPFT SYSCALL SYSEE TLB_FLUSH_NESTED TOPEXT TSCRATEMSR VAES VMCBCLEAN VMPL VPCLMULQDQ VTE \
    WBNOINVD X86_64_V1 X86_64_V2 X86_64_V3 X87 XGETBV1 XSAVE XSAVEC XSAVEOPT XSAVES";

const KVM_GUEST_FLAGS: &str = "ADX AESNI AVX AVX2 BMI1 BMI2 CLMUL CMOV CMPXCHG8 CX16 ERMS F16C \
    FMA3 FXSR FXSROPT HYPERVISOR IA32_ARCH_CAP IBPB LAHF LZCNT MD_CLEAR MMX MOVBE NX OSXSAVE \
    POPCNT RDRAND RDSEED RDTSCP RTM SPEC_CTRL_SSBD SSE SSE2 SSE3 SSE4 SSE42 SSSE3 STIBP SYSCALL \
    SYSEE X86_64_V1 X86_64_V2 X86_64_V3 X87 XGETBV1 XSAVE XSAVEC XSAVEOPT XSAVES";

/// The real CPU of the machine the native capture was taken on (a Milan KVM guest).
const NATIVE_FLAGS: &str = "ADX AESNI AVX AVX2 BMI1 BMI2 CETSS CLMUL CLZERO CMOV CMPXCHG8 CX16 \
    ERMS F16C FMA3 FP256 FSRM FXSR FXSROPT HYPERVISOR IBPB IBPB_BRTYPE IBRS IBRS_PROVIDES_SMP LAHF \
    LZCNT MMX MMXEXT MOVBE MOVU NX OSXSAVE POPCNT PSFD RDRAND RDSEED RDTSCP SBPB SHA \
    SPEC_CTRL_SSBD SSE SSE2 SSE3 SSE4 SSE42 SSE4A SSSE3 STIBP STIBP_ALWAYSON SYSCALL SYSEE TOPEXT \
    TSA_L1_NO TSA_SQ_NO TSA_VERW_CLEAR VAES VPCLMULQDQ WBNOINVD X86_64_V1 X86_64_V2 X86_64_V3 X87 \
    XGETBV1 XSAVE XSAVEC XSAVEOPT XSAVES";

#[test]
fn x86_captures_decode_to_klauspost_flags() {
    // (capture, vendor, family, model, hypervisor, flags)
    let cases = [
        (
            "intel-icelake-server",
            "Intel",
            6,
            106,
            "none",
            ICELAKE_FLAGS,
        ),
        ("amd-epyc-milan", "AMD", 25, 1, "none", MILAN_FLAGS),
        ("kvm-guest", "Intel", 6, 85, "kvm", KVM_GUEST_FLAGS),
        (
            "native-amd-epyc-milan-kvm",
            "AMD",
            25,
            1,
            "kvm",
            NATIVE_FLAGS,
        ),
    ];
    for (name, vendor, family, model, hypervisor, flags) in cases {
        let info = x86::decode(&capture(name));
        assert_eq!(
            (info.vendor, info.family, info.model),
            (vendor, family, model),
            "{name}"
        );
        assert_eq!(info.nfd_hypervisor(), hypervisor, "{name}");
        let got = info.nfd_flags();
        let want = names(flags);
        assert_eq!(
            got,
            want,
            "{name}: extra {:?}, missing {:?}",
            got.difference(&want).collect::<Vec<_>>(),
            want.difference(&got).collect::<Vec<_>>()
        );
    }
}

/// The approximate `/proc/cpuinfo` names of the native capture's flags,
/// checked against that machine's `flags` line as recorded when the capture was taken.
#[test]
fn native_capture_agrees_with_proc_cpuinfo() {
    const CPUINFO: &str = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat \
        pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm \
        constant_tsc rep_good nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq pni \
        pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes \
        xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse \
        3dnowprefetch osvw topoext ssbd ibrs ibpb stibp vmmcall fsgsbase tsc_adjust bmi1 avx2 \
        smep bmi2 erms invpcid rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 \
        xsaves clzero xsaveerptr wbnoinvd arat umip pku ospke vaes vpclmulqdq rdpid fsrm";
    let cpuinfo = names(CPUINFO);
    let correspondences = [
        ("X87", "fpu"),
        ("CMPXCHG8", "cx8"),
        ("SYSEE", "sep"),
        ("CMOV", "cmov"),
        ("MMX", "mmx"),
        ("FXSR", "fxsr"),
        ("SSE", "sse"),
        ("SSE2", "sse2"),
        ("SYSCALL", "syscall"),
        ("NX", "nx"),
        ("MMXEXT", "mmxext"),
        ("FXSROPT", "fxsr_opt"),
        ("RDTSCP", "rdtscp"),
        ("SSE3", "pni"),
        ("CLMUL", "pclmulqdq"),
        ("SSSE3", "ssse3"),
        ("FMA3", "fma"),
        ("CX16", "cx16"),
        ("SSE4", "sse4_1"),
        ("SSE42", "sse4_2"),
        ("MOVBE", "movbe"),
        ("POPCNT", "popcnt"),
        ("AESNI", "aes"),
        ("XSAVE", "xsave"),
        ("AVX", "avx"),
        ("F16C", "f16c"),
        ("RDRAND", "rdrand"),
        ("HYPERVISOR", "hypervisor"),
        ("LAHF", "lahf_lm"),
        ("LZCNT", "abm"),
        ("SSE4A", "sse4a"),
        ("TOPEXT", "topoext"),
        ("SPEC_CTRL_SSBD", "ssbd"),
        ("IBRS", "ibrs"),
        ("IBPB", "ibpb"),
        ("STIBP", "stibp"),
        ("BMI1", "bmi1"),
        ("AVX2", "avx2"),
        ("BMI2", "bmi2"),
        ("ERMS", "erms"),
        ("RDSEED", "rdseed"),
        ("ADX", "adx"),
        ("SHA", "sha_ni"),
        ("XSAVEOPT", "xsaveopt"),
        ("XSAVEC", "xsavec"),
        ("XGETBV1", "xgetbv1"),
        ("XSAVES", "xsaves"),
        ("CLZERO", "clzero"),
        ("WBNOINVD", "wbnoinvd"),
        ("VAES", "vaes"),
        ("VPCLMULQDQ", "vpclmulqdq"),
        ("FSRM", "fsrm"),
    ];
    let flags = x86::decode(&capture("native-amd-epyc-milan-kvm")).nfd_flags();
    for (ours, linux) in correspondences {
        assert_eq!(
            flags.contains(ours),
            cpuinfo.contains(linux),
            "{ours} vs {linux}"
        );
    }
    // `ht` is CPUID.1:EDX[28]; klauspost's HTT also needs more than one thread per core, and
    // this guest's vCPUs are one thread each.
    assert!(cpuinfo.contains("ht") && !flags.contains("HTT"));
}

#[test]
fn intel_server() {
    let expected = [
        ("cpu.cpuid", attrs(&[])),
        (
            "cpu.model",
            attrs(&[
                ("vendor_id", "Intel"),
                ("family", "6"),
                ("id", "106"),
                ("hypervisor", "none"),
            ]),
        ),
        ("cpu.cstate", attrs(&[("enabled", "true")])),
        (
            "cpu.pstate",
            attrs(&[
                ("status", "active"),
                ("turbo", "true"),
                ("scaling_governor", "performance"),
            ]),
        ),
        (
            "cpu.rdt",
            attrs(&[
                ("RDTMON", "true"),
                ("RDTCMT", "true"),
                ("RDTMBM", "true"),
                ("RDTL3CA", "true"),
                ("RDTMBA", "true"),
                ("RDTL3CA_NUM_CLOSID", "15"),
            ]),
        ),
        (
            "cpu.security",
            attrs(&[("sgx.enabled", "true"), ("sgx.epc", "4278190080")]),
        ),
        ("cpu.sst", attrs(&[("bf.enabled", "true")])),
        (
            "cpu.topology",
            attrs(&[("hardware_multithreading", "true"), ("socket_count", "2")]),
        ),
        ("cpu.coprocessor", attrs(&[])),
    ];
    assert_discovers(
        "intel-server",
        "intel-icelake-server",
        ICELAKE_FLAGS,
        &expected,
    );
}

#[test]
fn amd_host() {
    let expected = [
        ("cpu.cpuid", attrs(&[])),
        (
            "cpu.model",
            attrs(&[
                ("vendor_id", "AMD"),
                ("family", "25"),
                ("id", "1"),
                ("hypervisor", "none"),
            ]),
        ),
        ("cpu.cstate", attrs(&[])),
        ("cpu.pstate", attrs(&[])),
        (
            "cpu.rdt",
            attrs(&[
                ("RDTMON", "true"),
                ("RDTCMT", "true"),
                ("RDTMBM", "true"),
                ("RDTL3CA", "true"),
                ("RDTL3CA_NUM_CLOSID", "15"),
            ]),
        ),
        (
            "cpu.security",
            attrs(&[
                ("sev.enabled", "true"),
                ("sev.asids", "509"),
                ("sev.es.enabled", "true"),
                ("sev.encrypted_state_ids", "10"),
            ]),
        ),
        ("cpu.sst", attrs(&[])),
        (
            "cpu.topology",
            attrs(&[("hardware_multithreading", "true"), ("socket_count", "1")]),
        ),
        ("cpu.coprocessor", attrs(&[])),
    ];
    assert_discovers("amd-host", "amd-epyc-milan", MILAN_FLAGS, &expected);
}

#[test]
fn arm64_host() {
    let flags = "FP ASIMD EVTSTRM AES PMULL SHA1 SHA2 CRC32 ATOMICS FPHP ASIMDHP CPUID ASIMDRDM \
                 LRCPC DCPOP ASIMDDP SSBS";
    // No cpu.cpuid attribute feature on arm64.
    let expected = [
        (
            "cpu.model",
            attrs(&[
                ("vendor_id", "ARM"),
                ("family", "63"),
                ("id", "53441"),
                ("hypervisor", "none"),
            ]),
        ),
        ("cpu.cstate", attrs(&[])),
        ("cpu.pstate", attrs(&[])),
        ("cpu.rdt", attrs(&[])),
        ("cpu.security", attrs(&[])),
        ("cpu.sst", attrs(&[])),
        (
            "cpu.topology",
            attrs(&[("hardware_multithreading", "false"), ("socket_count", "1")]),
        ),
        ("cpu.coprocessor", attrs(&[])),
    ];
    assert_discovers("arm64-host", "arm64-neoverse-n1", flags, &expected);
}

#[test]
fn arch_follows_the_machine_not_the_files() {
    // An arm64 machine on an x86 host tree: none of the amd64-only files are looked at.
    let out = discover(&host("intel-server"), capture("arm64-neoverse-n1"));
    assert_eq!(out.warnings, vec![]);
    let f = &out.features;
    for key in [
        "cpu.cstate",
        "cpu.pstate",
        "cpu.rdt",
        "cpu.security",
        "cpu.sst",
    ] {
        assert_eq!(attributes(f, key), Some(attrs(&[])), "{key}");
    }
    assert_eq!(
        attributes(f, "cpu.topology"),
        Some(attrs(&[
            ("hardware_multithreading", "true"),
            ("socket_count", "2")
        ]))
    );
}

#[test]
fn missing_host_files_warn_where_nfd_logs() {
    let empty = tempfile::tempdir().unwrap();
    let out = discover(empty.path(), capture("intel-icelake-server"));
    let f = &out.features;
    // cstate is absent on a read error; the others are present and empty.
    assert_eq!(attributes(f, "cpu.cstate"), None);
    for key in ["cpu.pstate", "cpu.sst", "cpu.topology", "cpu.coprocessor"] {
        assert_eq!(attributes(f, key), Some(attrs(&[])), "{key}");
    }
    // RDT from CPUID alone; the CLOSID count needs resctrl.
    assert_eq!(
        attributes(f, "cpu.rdt"),
        Some(attrs(&[
            ("RDTMON", "true"),
            ("RDTCMT", "true"),
            ("RDTMBM", "true"),
            ("RDTL3CA", "true"),
            ("RDTMBA", "true"),
        ]))
    );
    let messages: Vec<&str> = out.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(messages.len(), 5, "{messages:#?}");
    let starts = [
        "failed to detect cstate: cannot read `",
        "failed to detect pstate: cannot read `",
        "failed to detect the number of RDT CLOSIDs: resctrl is not mounted",
        "failed to detect SST-BF: cannot read `",
        "failed to detect CPU topology: cannot read `",
    ];
    for (message, start) in messages.iter().zip(starts) {
        assert!(message.starts_with(start), "{message}");
    }
    assert!(out.warnings.iter().all(|w| w.source() == Some("cpu")));
}

#[test]
fn unknown_arch_reports_nothing_but_topology() {
    let out = discover(
        &host("arm64-host"),
        Machine::parse("arch: riscv64\n").unwrap(),
    );
    let f = &out.features;
    assert_eq!(f.flags["cpu.cpuid"].elements, Some(BTreeSet::new()));
    assert_eq!(
        attributes(f, "cpu.model"),
        Some(attrs(&[
            ("vendor_id", "VendorUnknown"),
            ("family", "0"),
            ("id", "0"),
            ("hypervisor", "none")
        ]))
    );
    assert_eq!(attributes(f, "cpu.cstate"), Some(attrs(&[])));
}

#[test]
fn avx10_version_attribute() {
    let mut m = capture("intel-icelake-server");
    m.leaves
        .insert((0, 0), [0x24, 0x756e_6547, 0x6c65_746e, 0x4965_6e69]);
    m.leaves.insert((7, 1), [0, 0, 0, 1 << 19]);
    m.leaves.insert((0x24, 0), [0, (7 << 16) | 1, 0, 0]);
    let out = discover(&host("intel-server"), m);
    assert_eq!(
        attributes(&out.features, "cpu.cpuid"),
        Some(attrs(&[("AVX10_VERSION", "1")]))
    );
    let flags = out.features.flags["cpu.cpuid"]
        .elements
        .clone()
        .unwrap_or_default();
    assert!(flags.contains("AVX10_512"));
}
