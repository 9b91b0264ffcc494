//! x86 CPU identification from raw CPUID leaves and XCR0, ported from klauspost/cpuid v2
//! (`cpuid.go` `support()`, `vendorID()`, `familyModel()`, `threadsPerCore()`, `X64Level()`,
//! `hasSGX()`, `hypervisorVendorID()`), which NFD's `cpu` source uses on amd64.
//!
//! The feature names are klauspost's `FeatureID` strings. The decoding is a pure function of the
//! [`Machine`]; a leaf above the maximum basic or extended leaf is not read, as klauspost does.
//! Where the port is unsure of klauspost's exact condition, a comment says `UNSURE`.

use std::collections::BTreeSet;

use super::machine::Machine;
use super::x86_flags::Flag as F;

/// What klauspost/cpuid reports about an x86 CPU, as far as NFD uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct X86Info {
    /// `CPU.VendorID.String()`: `Intel`, `AMD`, ... or `VendorUnknown`.
    pub(crate) vendor: &'static str,
    /// `CPU.Family`.
    pub(crate) family: u32,
    /// `CPU.Model`.
    pub(crate) model: u32,
    /// `CPU.FeatureSet()`: klauspost feature names.
    pub(crate) features: BTreeSet<&'static str>,
    /// `CPU.X64Level()`: 0 to 4.
    pub(crate) x64_level: u32,
    /// `CPU.AVX10Level`: 0 when AVX10 is absent.
    pub(crate) avx10_level: u32,
    /// The hypervisor vendor string from leaf `0x4000_0000` (`KVMKVMKVM`), cut at the first NUL.
    pub(crate) hypervisor_vendor: String,
    /// Total size in bytes of the SGX EPC sections (`CPU.SGX.EPCSections`), 0 without SGX.
    pub(crate) sgx_epc_size: u64,
}

impl X86Info {
    /// Whether klauspost reports the feature.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.features.contains(name)
    }

    /// NFD's `cpu.cpuid` flags: the feature set plus `X86_64_V1..X86_64_V<level>`.
    pub(crate) fn nfd_flags(&self) -> BTreeSet<String> {
        let levels = F::LEVELS.iter().take(self.x64_level as usize);
        self.features
            .iter()
            .copied()
            .chain(levels.map(|f| f.name()))
            .map(str::to_owned)
            .collect()
    }

    /// The value of `cpu.model` `hypervisor`: `none` without the HYPERVISOR bit, else the
    /// lower-cased vendor name, else the sanitised raw string (`unknown` if empty).
    pub(crate) fn nfd_hypervisor(&self) -> String {
        if !self.has("HYPERVISOR") {
            return "none".to_owned();
        }
        if let Some(name) = vendor_name(&self.hypervisor_vendor) {
            return name.to_lowercase();
        }
        let sanitized = sanitize(&self.hypervisor_vendor);
        if sanitized.is_empty() {
            "unknown".to_owned()
        } else {
            sanitized
        }
    }
}

/// Replaces every run of characters outside `[-A-Za-z0-9_.]` with `_` (NFD's label sanitiser).
pub(crate) fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_run = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out
}

/// klauspost's `vendorMapping`: a CPUID vendor string to `Vendor.String()`.
pub(crate) fn vendor_name(id: &str) -> Option<&'static str> {
    Some(match id {
        "AMDisbetter!" | "AuthenticAMD" => "AMD",
        "CentaurHauls" | "VIA VIA VIA " => "VIA",
        "GenuineIntel" => "Intel",
        "TransmetaCPU" | "GenuineTMx86" => "Transmeta",
        "Geode by NSC" => "NSC",
        "KVMKVMKVM" | "Linux KVM Hv" => "KVM",
        "TCGTCGTCGTCG" => "QEMU",
        "Microsoft Hv" => "MSVM",
        "VMwareVMware" => "VMware",
        "XenVMMXenVMM" => "XenHVM",
        "bhyve bhyve " => "Bhyve",
        "HygonGenuine" => "Hygon",
        "Vortex86 SoC" | "SiS SiS SiS " | "RiseRiseRise" => "SiS",
        "Genuine  RDC" => "RDC",
        "QNXQVMBSQG" => "QNX",
        "ACRNACRNACRN" => "ACRN",
        "SRESRESRESRE" => "SRE",
        "Apple VZ" => "Apple",
        _ => return None,
    })
}

/// klauspost's `valAsString`: little-endian bytes of the registers, cut at the first NUL.
fn registers_as_string(values: &[u32]) -> String {
    let mut bytes = Vec::with_capacity(values.len() * 4);
    for v in values {
        for b in v.to_le_bytes() {
            if b == 0 {
                return String::from_utf8_lossy(&bytes).into_owned();
            }
            bytes.push(b);
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// klauspost's `familyModel()`: family and model with the extended fields.
pub(crate) fn family_model(leaf1_eax: u32) -> (u32, u32) {
    let mut family = (leaf1_eax >> 8) & 0xf;
    let mut extended_model = family == 6;
    if family == 0xf {
        family += (leaf1_eax >> 20) & 0xff;
        extended_model = true;
    }
    let mut model = (leaf1_eax >> 4) & 0xf;
    if extended_model {
        model += (leaf1_eax >> 12) & 0xf0;
    }
    (family, model)
}

/// Whether bit `n` of `v` is set.
const fn bit(v: u32, n: u32) -> bool {
    (v >> n) & 1 == 1
}

/// A feature set under construction (klauspost's `flagSet`); only flags of the one table in
/// [`super::x86_flags`] can be set.
#[derive(Default)]
struct Set(BTreeSet<F>);

impl Set {
    fn set(&mut self, flag: F) {
        self.0.insert(flag);
    }
    fn set_if(&mut self, cond: bool, flag: F) {
        if cond {
            self.0.insert(flag);
        }
    }
    fn has(&self, flag: F) -> bool {
        self.0.contains(&flag)
    }
    fn has_all(&self, flags: &[F]) -> bool {
        flags.iter().all(|f| self.0.contains(f))
    }
}

/// Decodes an x86 machine the way klauspost/cpuid's `Detect()` does.
pub(crate) fn decode(m: &Machine) -> X86Info {
    let [max_basic, b0, c0, d0] = m.cpuid(0, 0);
    let vendor_string = registers_as_string(&[b0, d0, c0]);
    let vendor = vendor_name(&vendor_string).unwrap_or("VendorUnknown");
    let (family, model) = if max_basic >= 1 {
        family_model(m.cpuid(1, 0)[0])
    } else {
        (0, 0)
    };
    let features = support(m, vendor, family, model);
    let x64_level = x64_level(&features);
    let avx10_level = if features.has(F::AVX10) && max_basic >= 0x24 {
        m.cpuid(0x24, 0)[1] & 0xff
    } else {
        0
    };
    let [_, hb, hc, hd] = m.cpuid(0x4000_0000, 0);
    let hypervisor_vendor = registers_as_string(&[hb, hc, hd]);
    let sgx_epc_size = if features.has(F::SGX) {
        sgx_epc_size(m)
    } else {
        0
    };
    X86Info {
        vendor,
        family,
        model,
        features: features.0.iter().map(|f| f.name()).collect(),
        x64_level,
        avx10_level,
        hypervisor_vendor,
        sgx_epc_size,
    }
}

/// klauspost's `hasSGX()`: the EPC sections from CPUID.(0x12, 2..10), until an invalid subleaf.
fn sgx_epc_size(m: &Machine) -> u64 {
    let mut total = 0u64;
    for subleaf in 2..10 {
        let [eax, _, ecx, edx] = m.cpuid(0x12, subleaf);
        match eax & 0xf {
            0 => break,
            1 => {
                total += u64::from(ecx & 0xffff_f000) + (u64::from(edx & 0x000f_ffff) << 32);
            }
            _ => {}
        }
    }
    total
}

/// klauspost's `threadsPerCore()`.
fn threads_per_core(m: &Machine, vendor: &str, family: u32) -> u32 {
    let max_basic = m.cpuid(0, 0)[0];
    if max_basic < 4 || (vendor != "Intel" && vendor != "AMD") {
        return 1;
    }
    if max_basic < 0xb {
        if vendor != "Intel" {
            return 1;
        }
        let [_, ebx, _, edx] = m.cpuid(1, 0);
        if bit(edx, 28) {
            let logical = (ebx >> 16) & 0xff;
            if logical > 1 {
                let cores = (m.cpuid(4, 0)[0] >> 26) + 1;
                return logical / cores;
            }
        }
        return 1;
    }
    let ebx = m.cpuid(0xb, 0)[1];
    if ebx.trailing_zeros() >= 16 {
        if vendor == "AMD" && bit(m.cpuid(1, 0)[3], 28) && family >= 23 {
            if m.cpuid(0x8000_0000, 0)[0] >= 0x8000_001e {
                return ((m.cpuid(0x8000_001e, 0)[1] >> 8) & 0xff) + 1;
            }
            return 2;
        }
        return 1;
    }
    ebx & 0xffff
}

/// klauspost's `X64Level()`.
fn x64_level(fs: &Set) -> u32 {
    const V1: &[F] = &[
        F::CMOV,
        F::CMPXCHG8,
        F::X87,
        F::FXSR,
        F::MMX,
        F::SSE,
        F::SSE2,
    ];
    const V2: &[F] = &[
        F::CX16,
        F::LAHF,
        F::POPCNT,
        F::SSE3,
        F::SSE4,
        F::SSE42,
        F::SSSE3,
    ];
    const V3: &[F] = &[
        F::AVX,
        F::AVX2,
        F::BMI1,
        F::BMI2,
        F::F16C,
        F::FMA3,
        F::LZCNT,
        F::MOVBE,
        F::OSXSAVE,
    ];
    const V4: &[F] = &[
        F::AVX512F,
        F::AVX512BW,
        F::AVX512CD,
        F::AVX512DQ,
        F::AVX512VL,
    ];
    if !fs.has(F::SYSCALL) && !fs.has(F::SYSEE) {
        return 0;
    }
    let mut level = 0;
    for (n, set) in (1..).zip([V1, V2, V3, V4]) {
        if !fs.has_all(set) {
            break;
        }
        level = n;
    }
    level
}

/// klauspost's `support()`: the feature set.
#[expect(
    clippy::similar_names,
    reason = "register names as in the CPUID documentation"
)]
fn support(m: &Machine, vendor: &str, family: u32, model: u32) -> Set {
    let mut fs = Set::default();
    let mfi = m.cpuid(0, 0)[0];
    if mfi < 1 {
        return fs;
    }
    let max_ext = m.cpuid(0x8000_0000, 0)[0];
    let xcr0 = m.effective_xcr0();
    let intel = vendor == "Intel";
    let amd = vendor == "AMD";

    let [_, _, c, d] = m.cpuid(1, 0);
    fs.set_if(bit(d, 0), F::X87);
    fs.set_if(bit(d, 8), F::CMPXCHG8);
    fs.set_if(bit(d, 11), F::SYSEE);
    fs.set_if(bit(d, 15), F::CMOV);
    fs.set_if(bit(d, 23), F::MMX);
    fs.set_if(bit(d, 24), F::FXSR);
    fs.set_if(bit(d, 25), F::FXSROPT);
    fs.set_if(bit(d, 25), F::SSE);
    fs.set_if(bit(d, 26), F::SSE2);
    fs.set_if(bit(c, 0), F::SSE3);
    fs.set_if(bit(c, 5), F::VMX);
    fs.set_if(bit(c, 9), F::SSSE3);
    fs.set_if(bit(c, 19), F::SSE4);
    fs.set_if(bit(c, 20), F::SSE42);
    fs.set_if(bit(c, 25), F::AESNI);
    fs.set_if(bit(c, 1), F::CLMUL);
    fs.set_if(bit(c, 22), F::MOVBE);
    fs.set_if(bit(c, 23), F::POPCNT);
    fs.set_if(bit(c, 30), F::RDRAND);
    // Reserved by Intel and AMD for hypervisors: the presence of a hypervisor.
    fs.set_if(bit(c, 31), F::HYPERVISOR);
    fs.set_if(bit(c, 29), F::F16C);
    fs.set_if(bit(c, 13), F::CX16);
    if (intel || amd) && bit(d, 28) && mfi >= 4 {
        fs.set_if(threads_per_core(m, vendor, family) > 1, F::HTT);
    }
    fs.set_if(bit(c, 26), F::XSAVE);
    fs.set_if(bit(c, 27), F::OSXSAVE);

    // XSAVE (26), OSXSAVE (27) and AVX (28), then OS support of XMM and YMM state in XCR0.
    let xsave_os = bit(c, 26) && bit(c, 27);
    if xsave_os && bit(c, 28) && xcr0 & 0x6 == 0x6 {
        fs.set(F::AVX);
        if intel {
            // Older than Haswell.
            fs.set_if(family == 6 && model < 60, F::AVXSLOW);
        } else if amd {
            // Older than Zen 2.
            fs.set_if(family < 23 || (family == 23 && model < 49), F::AVXSLOW);
        }
    }
    // FMA3 works on SSE registers too: FMA (12) and OSXSAVE (27) only.
    fs.set_if(bit(c, 12) && bit(c, 27), F::FMA3);

    if mfi >= 7 {
        let [_, ebx, ecx, edx] = m.cpuid(7, 0);
        fs.set_if(fs.has(F::AVX) && bit(ebx, 5), F::AVX2);
        if bit(ebx, 3) {
            fs.set(F::BMI1);
            fs.set_if(bit(ebx, 8), F::BMI2);
        }
        fs.set_if(bit(ebx, 2), F::SGX);
        fs.set_if(bit(ebx, 4), F::HLE);
        fs.set_if(bit(ebx, 9), F::ERMS);
        fs.set_if(bit(ebx, 11), F::RTM);
        fs.set_if(bit(ebx, 14), F::MPX);
        fs.set_if(bit(ebx, 18), F::RDSEED);
        fs.set_if(bit(ebx, 19), F::ADX);
        fs.set_if(bit(ebx, 29), F::SHA);

        fs.set_if(bit(ecx, 5), F::WAITPKG);
        fs.set_if(bit(ecx, 7), F::CETSS);
        fs.set_if(bit(ecx, 8), F::GFNI);
        fs.set_if(bit(ecx, 9), F::VAES);
        fs.set_if(bit(ecx, 10), F::VPCLMULQDQ);
        fs.set_if(bit(ecx, 13), F::TME);
        fs.set_if(bit(ecx, 25), F::CLDEMOTE);
        fs.set_if(bit(ecx, 23), F::KEYLOCKER);
        fs.set_if(bit(ecx, 27), F::MOVDIRI);
        fs.set_if(bit(ecx, 28), F::MOVDIR64B);
        fs.set_if(bit(ecx, 29), F::ENQCMD);
        fs.set_if(bit(ecx, 30), F::SGXLC);

        fs.set_if(bit(edx, 4), F::FSRM);
        fs.set_if(bit(edx, 9), F::SRBDS_CTRL);
        fs.set_if(bit(edx, 10), F::MD_CLEAR);
        fs.set_if(bit(edx, 11), F::RTM_ALWAYS_ABORT);
        fs.set_if(bit(edx, 14), F::SERIALIZE);
        fs.set_if(bit(edx, 15), F::HYBRID_CPU);
        fs.set_if(bit(edx, 16), F::TSXLDTRK);
        fs.set_if(bit(edx, 18), F::PCONFIG);
        fs.set_if(bit(edx, 20), F::CETIBT);
        fs.set_if(bit(edx, 26), F::IBPB);
        fs.set_if(bit(edx, 27), F::STIBP);
        fs.set_if(bit(edx, 28), F::FLUSH_L1D);
        fs.set_if(bit(edx, 29), F::IA32_ARCH_CAP);
        fs.set_if(bit(edx, 30), F::IA32_CORE_CAP);
        fs.set_if(bit(edx, 31), F::SPEC_CTRL_SSBD);

        let [eax1, _, _, edx1] = m.cpuid(7, 1);
        // UNSURE: SM3_X86/SM4_X86 (CPUID.(7,1).EAX[1], [2]) are not gated on AVX here.
        fs.set_if(bit(eax1, 1), F::SM3_X86);
        fs.set_if(bit(eax1, 2), F::SM4_X86);
        fs.set_if(fs.has(F::AVX) && bit(eax1, 4), F::AVXVNNI);
        fs.set_if(bit(eax1, 7), F::CMPCCXADD);
        fs.set_if(bit(eax1, 10), F::MOVSB_ZL);
        fs.set_if(bit(eax1, 11), F::STOSB_SHORT);
        fs.set_if(bit(eax1, 12), F::CMPSB_SCADBS_SHORT);
        fs.set_if(bit(eax1, 22), F::HRESET);
        fs.set_if(bit(eax1, 23), F::AVXIFMA);
        fs.set_if(bit(eax1, 26), F::LAM);

        fs.set_if(bit(edx1, 4), F::AVXVNNIINT8);
        fs.set_if(bit(edx1, 5), F::AVXNECONVERT);
        fs.set_if(bit(edx1, 10), F::AVXVNNIINT16);
        fs.set_if(bit(edx1, 14), F::PREFETCHI);
        // UNSURE: AVX10 is taken from CPUID.(7,1).EDX[19] without an XCR0 check.
        fs.set_if(bit(edx1, 19), F::AVX10);

        // AVX-512 and AMX only when XGETBV is usable (XSAVE and OSXSAVE).
        if xsave_os {
            // XCR0[7:5] (opmask, ZMM_Hi256, Hi16_ZMM) and XCR0[2:1] (XMM, YMM) enabled.
            let has_avx512 = (xcr0 >> 5) & 7 == 7 && (xcr0 >> 1) & 3 == 3;
            if has_avx512 {
                fs.set_if(bit(ebx, 16), F::AVX512F);
                fs.set_if(bit(ebx, 17), F::AVX512DQ);
                fs.set_if(bit(ebx, 21), F::AVX512IFMA);
                fs.set_if(bit(ebx, 26), F::AVX512PF);
                fs.set_if(bit(ebx, 27), F::AVX512ER);
                fs.set_if(bit(ebx, 28), F::AVX512CD);
                fs.set_if(bit(ebx, 30), F::AVX512BW);
                fs.set_if(bit(ebx, 31), F::AVX512VL);
                fs.set_if(bit(ecx, 1), F::AVX512VBMI);
                fs.set_if(bit(ecx, 6), F::AVX512VBMI2);
                fs.set_if(bit(ecx, 11), F::AVX512VNNI);
                fs.set_if(bit(ecx, 12), F::AVX512BITALG);
                fs.set_if(bit(ecx, 14), F::AVX512VPOPCNTDQ);
                fs.set_if(bit(edx, 8), F::AVX512VP2INTERSECT);
                fs.set_if(bit(edx, 23), F::AVX512FP16);
                fs.set_if(bit(eax1, 5), F::AVX512BF16);
                // klauspost reports these two inside its AVX-512 block.
                fs.set_if(bit(eax1, 19), F::WRMSRNS);
                fs.set_if(bit(eax1, 27), F::MSRLIST);
            }
            // AMX: XCR0[17] (XTILECFG) and XCR0[18] (XTILEDATA) enabled.
            // UNSURE: klauspost's exact AMX gate; this follows the architectural requirement.
            if (xcr0 >> 17) & 3 == 3 {
                fs.set_if(bit(edx, 22), F::AMXBF16);
                fs.set_if(bit(edx, 24), F::AMXTILE);
                fs.set_if(bit(edx, 25), F::AMXINT8);
                fs.set_if(bit(eax1, 21), F::AMXFP16);
                fs.set_if(bit(edx1, 8), F::AMXCOMPLEX);
                if mfi >= 0x1e {
                    // UNSURE: CPUID.(0x1E,1).EAX[4..6] for AMX-FP8, AMX-TRANSPOSE, AMX-TF32.
                    let eax = m.cpuid(0x1e, 1)[0];
                    fs.set_if(bit(eax, 4), F::AMXFP8);
                    fs.set_if(bit(eax, 5), F::AMXTRANSPOSE);
                    fs.set_if(bit(eax, 6), F::AMXTF32);
                }
            }
            // APX: extended GPR state, XCR0[19].
            // UNSURE: whether klauspost gates APX_F on XCR0[19].
            fs.set_if(bit(edx1, 21) && bit_u64(xcr0, 19), F::APX_F);
        }

        let edx2 = m.cpuid(7, 2)[3];
        fs.set_if(bit(edx2, 0), F::PSFD);
        fs.set_if(bit(edx2, 1), F::IDPRED_CTRL);
        fs.set_if(bit(edx2, 2), F::RRSBA_CTRL);
        fs.set_if(bit(edx2, 4), F::BHI_CTRL);
        fs.set_if(bit(edx2, 5), F::MCDT_NO);

        if fs.has(F::KEYLOCKER) && mfi >= 0x19 {
            // Bits 0 and 2: AESKLE and wide Key Locker instructions.
            fs.set_if(m.cpuid(0x19, 0)[1] & 5 == 5, F::KEYLOCKERW);
        }
        if fs.has(F::AVX10) && mfi >= 0x24 {
            let ebx = m.cpuid(0x24, 0)[1];
            fs.set_if(bit(ebx, 16), F::AVX10_128);
            fs.set_if(bit(ebx, 17), F::AVX10_256);
            fs.set_if(bit(ebx, 18), F::AVX10_512);
        }
    }

    // Architectural performance monitoring fixed counters (leaf 0xA).
    // UNSURE: klauspost's exact conditions; this follows the Intel SDM: fixed counter i exists
    // when ECX[i] is set or EDX[4:0] > i (version 2 and later).
    if mfi >= 0xa {
        let [eax, _, ecx, edx] = m.cpuid(0xa, 0);
        if eax & 0xff >= 2 {
            let fixed = edx & 0x1f;
            let counter = |i: u32| bit(ecx, i) || fixed > i;
            fs.set_if(counter(0), F::PMU_FIXEDCOUNTER_INSTRUCTIONS);
            fs.set_if(counter(1), F::PMU_FIXEDCOUNTER_CYCLES);
            fs.set_if(counter(2), F::PMU_FIXEDCOUNTER_REFCYCLES);
            fs.set_if(counter(3), F::PMU_FIXEDCOUNTER_TOPDOWN_SLOTS);
        }
    }

    if mfi >= 0xd && fs.has(F::XSAVE) {
        let eax = m.cpuid(0xd, 1)[0];
        fs.set_if(bit(eax, 0), F::XSAVEOPT);
        fs.set_if(bit(eax, 1), F::XSAVEC);
        fs.set_if(bit(eax, 2), F::XGETBV1);
        fs.set_if(bit(eax, 3), F::XSAVES);
    }

    if max_ext >= 0x8000_0001 {
        let [_, _, c, d] = m.cpuid(0x8000_0001, 0);
        if bit(c, 5) {
            fs.set(F::LZCNT);
            fs.set(F::POPCNT);
        }
        fs.set_if(bit(c, 0), F::LAHF);
        fs.set_if(bit(c, 2), F::SVM);
        fs.set_if(bit(c, 6), F::SSE4A);
        fs.set_if(bit(c, 10), F::IBS);
        fs.set_if(bit(c, 22), F::TOPEXT);
        fs.set_if(bit(d, 11), F::SYSCALL);
        fs.set_if(bit(d, 20), F::NX);
        fs.set_if(bit(d, 22), F::MMXEXT);
        fs.set_if(bit(d, 23), F::MMX);
        fs.set_if(bit(d, 24), F::FXSR);
        fs.set_if(bit(d, 25), F::FXSROPT);
        fs.set_if(bit(d, 27), F::RDTSCP);
        fs.set_if(bit(d, 30), F::AMD3DNOWEXT);
        fs.set_if(bit(d, 31), F::AMD3DNOW);
        // XOP and FMA4 use the AVX encoding, so they need the OS support of AVX.
        if fs.has(F::AVX) {
            fs.set_if(bit(c, 11), F::XOP);
            fs.set_if(bit(c, 16), F::FMA4);
        }
    }
    if max_ext >= 0x8000_0007 {
        let [_, b, _, d] = m.cpuid(0x8000_0007, 0);
        fs.set_if(bit(b, 0), F::MCAOVERFLOW);
        fs.set_if(bit(b, 1), F::SUCCOR);
        fs.set_if(bit(b, 2), F::HWA);
        fs.set_if(bit(d, 9), F::CPBOOST);
    }
    if max_ext >= 0x8000_0008 {
        let b = m.cpuid(0x8000_0008, 0)[1];
        fs.set_if(bit(b, 28), F::PSFD);
        fs.set_if(bit(b, 27), F::CPPC);
        fs.set_if(bit(b, 24), F::SPEC_CTRL_SSBD);
        fs.set_if(bit(b, 23), F::PPIN);
        fs.set_if(bit(b, 21), F::TLB_FLUSH_NESTED);
        fs.set_if(bit(b, 20), F::EFER_LMSLE_UNS);
        fs.set_if(bit(b, 19), F::IBRS_PROVIDES_SMP);
        fs.set_if(bit(b, 18), F::IBRS_PREFERRED);
        fs.set_if(bit(b, 17), F::STIBP_ALWAYSON);
        fs.set_if(bit(b, 15), F::STIBP);
        fs.set_if(bit(b, 14), F::IBRS);
        fs.set_if(bit(b, 13), F::INT_WBINVD);
        fs.set_if(bit(b, 12), F::IBPB);
        fs.set_if(bit(b, 9), F::WBNOINVD);
        fs.set_if(bit(b, 8), F::MCOMMIT);
        fs.set_if(bit(b, 4), F::RDPRU);
        fs.set_if(bit(b, 3), F::INVLPGB);
        fs.set_if(bit(b, 1), F::MSRIRC);
        fs.set_if(bit(b, 0), F::CLZERO);
    }
    if fs.has(F::SVM) && max_ext >= 0x8000_000a {
        let edx = m.cpuid(0x8000_000a, 0)[3];
        fs.set_if(bit(edx, 0), F::SVMNP);
        fs.set_if(bit(edx, 1), F::LBRVIRT);
        fs.set_if(bit(edx, 2), F::SVML);
        fs.set_if(bit(edx, 3), F::NRIPS);
        fs.set_if(bit(edx, 4), F::TSCRATEMSR);
        fs.set_if(bit(edx, 5), F::VMCBCLEAN);
        fs.set_if(bit(edx, 6), F::SVMFBASID);
        fs.set_if(bit(edx, 7), F::SVMDA);
        fs.set_if(bit(edx, 10), F::SVMPF);
        fs.set_if(bit(edx, 12), F::SVMPFT);
    }
    if max_ext >= 0x8000_001a {
        let eax = m.cpuid(0x8000_001a, 0)[0];
        fs.set_if(bit(eax, 0), F::FP128);
        fs.set_if(bit(eax, 1), F::MOVU);
        fs.set_if(bit(eax, 2), F::FP256);
    }
    if max_ext >= 0x8000_001b && fs.has(F::IBS) {
        let eax = m.cpuid(0x8000_001b, 0)[0];
        fs.set_if(bit(eax, 0), F::IBSFFV);
        fs.set_if(bit(eax, 1), F::IBSFETCHSAM);
        fs.set_if(bit(eax, 2), F::IBSOPSAM);
        fs.set_if(bit(eax, 3), F::IBSRDWROPCNT);
        fs.set_if(bit(eax, 4), F::IBSOPCNT);
        fs.set_if(bit(eax, 5), F::IBSBRNTRGT);
        fs.set_if(bit(eax, 6), F::IBSOPCNTEXT);
        fs.set_if(bit(eax, 7), F::IBSRIPINVALIDCHK);
        fs.set_if(bit(eax, 8), F::IBS_OPFUSE);
        fs.set_if(bit(eax, 9), F::IBS_FETCH_CTLX);
        fs.set_if(bit(eax, 10), F::IBS_OPDATA4);
        fs.set_if(bit(eax, 11), F::IBS_ZEN4);
    }
    if max_ext >= 0x8000_001f && amd {
        let a = m.cpuid(0x8000_001f, 0)[0];
        fs.set_if(bit(a, 0), F::SME);
        fs.set_if(bit(a, 1), F::SEV);
        fs.set_if(bit(a, 2), F::MSR_PAGEFLUSH);
        fs.set_if(bit(a, 3), F::SEV_ES);
        fs.set_if(bit(a, 4), F::SEV_SNP);
        fs.set_if(bit(a, 5), F::VMPL);
        fs.set_if(bit(a, 10), F::SME_COHERENT);
        fs.set_if(bit(a, 11), F::SEV_64BIT);
        fs.set_if(bit(a, 12), F::SEV_RESTRICTED);
        fs.set_if(bit(a, 13), F::SEV_ALTERNATIVE);
        fs.set_if(bit(a, 14), F::SEV_DEBUGSWAP);
        fs.set_if(bit(a, 15), F::IBS_PREVENTHOST);
        fs.set_if(bit(a, 16), F::VTE);
        fs.set_if(bit(a, 24), F::VMSA_REGPROT);
    }
    if max_ext >= 0x8000_0021 && amd {
        let [a, _, c, _] = m.cpuid(0x8000_0021, 0);
        fs.set_if(bit(a, 31), F::SRSO_MSR_FIX);
        fs.set_if(bit(a, 30), F::SRSO_USER_KERNEL_NO);
        fs.set_if(bit(a, 29), F::SRSO_NO);
        fs.set_if(bit(a, 28), F::IBPB_BRTYPE);
        fs.set_if(bit(a, 27), F::SBPB);
        fs.set_if(bit(a, 5), F::TSA_VERW_CLEAR);
        fs.set_if(bit(c, 1), F::TSA_SQ_NO);
        fs.set_if(bit(c, 2), F::TSA_L1_NO);
    }
    if mfi >= 0x20 {
        // Hyper-V hides a TDX guest; its isolation configuration leaf says 0xbe3 for TDX.
        fs.set_if(m.cpuid(0x4000_000c, 0)[1] == 0xbe3, F::TDX_GUEST);
    }
    if mfi >= 0x21 {
        let [_, ebx, ecx, edx] = m.cpuid(0x21, 0);
        fs.set_if(
            registers_as_string(&[ebx, edx, ecx]) == "IntelTDX    ",
            F::TDX_GUEST,
        );
    }
    fs
}

/// Whether bit `n` of a 64-bit value is set.
const fn bit_u64(v: u64, n: u32) -> bool {
    (v >> n) & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::cpu::machine::Arch;

    /// A machine from `(leaf, subleaf, [eax, ebx, ecx, edx])` entries and XCR0.
    fn machine(leaves: &[(u32, u32, [u32; 4])], xcr0: u64) -> Machine {
        let mut m = Machine {
            arch: Arch::X86_64,
            xcr0: Some(xcr0),
            ..Machine::default()
        };
        for &(l, s, r) in leaves {
            m.leaves.insert((l, s), r);
        }
        m
    }

    const INTEL: [u32; 3] = [0x756e_6547, 0x6c65_746e, 0x4965_6e69]; // ebx, ecx, edx

    fn leaf0(max: u32, vendor: [u32; 3]) -> (u32, u32, [u32; 4]) {
        (0, 0, [max, vendor[0], vendor[1], vendor[2]])
    }

    #[test]
    fn family_and_model() {
        let cases = [
            (0x0006_06a6, (6, 106)), // Ice Lake-SP: extended model on family 6
            (0x00a0_0f11, (25, 1)),  // Milan: family 0xf + extended 0xa
            (0x00a1_0f11, (25, 17)), // Genoa: extended model on family 0xf
            (0x0080_0f82, (23, 8)),  // Zen+ (0x00800f82: family 0xf+8, model 8)
            (0x0000_0633, (6, 3)),   // old P6: no extended model
            (0x000f_0543, (5, 4)),   // family 5: extended model ignored
            (0x0ff0_0f00, (270, 0)), // maximal extended family
        ];
        for (eax, expected) in cases {
            assert_eq!(family_model(eax), expected, "{eax:#x}");
        }
    }

    #[test]
    fn vendor_mapping() {
        let cases = [
            ("GenuineIntel", Some("Intel")),
            ("AuthenticAMD", Some("AMD")),
            ("AMDisbetter!", Some("AMD")),
            ("HygonGenuine", Some("Hygon")),
            ("KVMKVMKVM", Some("KVM")),
            ("Linux KVM Hv", Some("KVM")),
            ("Microsoft Hv", Some("MSVM")),
            ("TCGTCGTCGTCG", Some("QEMU")),
            ("VIA VIA VIA ", Some("VIA")),
            ("Vortex86 SoC", Some("SiS")),
            ("Genuine  RDC", Some("RDC")),
            ("Apple VZ", Some("Apple")),
            ("genuineintel", None),
            ("", None),
        ];
        for (id, expected) in cases {
            assert_eq!(vendor_name(id), expected, "{id:?}");
        }
    }

    #[test]
    fn vendor_string_from_registers() {
        let m = machine(&[leaf0(1, INTEL)], 0);
        assert_eq!(decode(&m).vendor, "Intel");
        let m = machine(&[leaf0(1, [0x6868_6868, 0x6868_6868, 0x6868_6868])], 0);
        assert_eq!(decode(&m).vendor, "VendorUnknown");
    }

    #[test]
    fn hypervisor_naming() {
        // (leaf 0x40000000 ebx/ecx/edx as text, hypervisor bit) -> cpu.model hypervisor
        let cases: [(&[u8; 12], bool, &str); 7] = [
            (b"KVMKVMKVM\0\0\0", true, "kvm"),
            (b"Microsoft Hv", true, "msvm"),
            (b"VMwareVMware", true, "vmware"),
            (b"XenVMMXenVMM", true, "xenhvm"),
            (b"My Hyper/Vis", true, "My_Hyper_Vis"),
            (b"\0\0\0\0\0\0\0\0\0\0\0\0", true, "unknown"),
            (b"KVMKVMKVM\0\0\0", false, "none"),
        ];
        for (text, hv_bit, expected) in cases {
            let word =
                |i: usize| u32::from_le_bytes([text[i], text[i + 1], text[i + 2], text[i + 3]]);
            let ecx1 = if hv_bit { 1 << 31 } else { 0 };
            let m = machine(
                &[
                    leaf0(1, INTEL),
                    (1, 0, [0, 0, ecx1, 0]),
                    (0x4000_0000, 0, [0x4000_0001, word(0), word(4), word(8)]),
                ],
                0,
            );
            assert_eq!(decode(&m).nfd_hypervisor(), expected, "{text:?}");
        }
    }

    #[test]
    fn sanitize_runs() {
        assert_eq!(sanitize("IBM/S390"), "IBM_S390");
        assert_eq!(sanitize("a  b//c-d.e_f"), "a_b_c-d.e_f");
    }

    /// Leaf 1 ECX with SSE3..AVX/F16C/RDRAND for a V3-capable CPU.
    const ECX1_V3: u32 = (1 << 0)
        | (1 << 1)
        | (1 << 9)
        | (1 << 12)
        | (1 << 13)
        | (1 << 19)
        | (1 << 20)
        | (1 << 22)
        | (1 << 23)
        | (1 << 25)
        | (1 << 26)
        | (1 << 27)
        | (1 << 28)
        | (1 << 29)
        | (1 << 30);
    /// Leaf 1 EDX: X87, CX8, SEP, CMOV, MMX, FXSR, SSE, SSE2.
    const EDX1_V1: u32 =
        1 | (1 << 8) | (1 << 11) | (1 << 15) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26);
    /// Leaf 7 EBX: BMI1, AVX2, BMI2, AVX512F, DQ, CD, BW, VL.
    const EBX7_V4: u32 =
        (1 << 3) | (1 << 5) | (1 << 8) | (1 << 16) | (1 << 17) | (1 << 28) | (1 << 30) | (1 << 31);

    #[expect(clippy::similar_names, reason = "register names")]
    fn levels_machine(
        leaf1_ecx: u32,
        leaf1_edx: u32,
        leaf7_ebx: u32,
        ext_ecx: u32,
        xcr0: u64,
    ) -> Machine {
        machine(
            &[
                leaf0(0xd, INTEL),
                (1, 0, [0x0006_06a6, 0, leaf1_ecx, leaf1_edx]),
                (7, 0, [0, leaf7_ebx, 0, 0]),
                (0x8000_0000, 0, [0x8000_0008, 0, 0, 0]),
                (0x8000_0001, 0, [0, 0, ext_ecx, 1 << 11]),
            ],
            xcr0,
        )
    }

    #[test]
    fn x64_levels() {
        let lahf_lzcnt = 1 | (1 << 5);
        let cases = [
            (
                "all of V4",
                levels_machine(ECX1_V3, EDX1_V1, EBX7_V4, lahf_lzcnt, 0xe7),
                4,
            ),
            (
                "AVX-512 not enabled in XCR0",
                levels_machine(ECX1_V3, EDX1_V1, EBX7_V4, lahf_lzcnt, 0x7),
                3,
            ),
            (
                "no YMM state: no AVX",
                levels_machine(ECX1_V3, EDX1_V1, EBX7_V4, lahf_lzcnt, 0x3),
                2,
            ),
            (
                "no LZCNT",
                levels_machine(ECX1_V3, EDX1_V1, EBX7_V4, 1, 0xe7),
                2,
            ),
            (
                "no LAHF",
                levels_machine(ECX1_V3, EDX1_V1, EBX7_V4, 1 << 5, 0xe7),
                1,
            ),
            (
                "no SSE2",
                levels_machine(ECX1_V3, EDX1_V1 & !(1 << 26), EBX7_V4, lahf_lzcnt, 0xe7),
                0,
            ),
        ];
        for (name, m, expected) in cases {
            assert_eq!(decode(&m).x64_level, expected, "{name}");
        }
        // Neither SYSCALL nor SYSENTER: level 0 whatever else there is.
        let mut m = levels_machine(ECX1_V3, EDX1_V1 & !(1 << 11), EBX7_V4, lahf_lzcnt, 0xe7);
        m.leaves.insert((0x8000_0001, 0), [0, 0, lahf_lzcnt, 0]);
        assert_eq!(decode(&m).x64_level, 0);
        let flags =
            decode(&levels_machine(ECX1_V3, EDX1_V1, EBX7_V4, lahf_lzcnt, 0xe7)).nfd_flags();
        for v in ["X86_64_V1", "X86_64_V2", "X86_64_V3", "X86_64_V4"] {
            assert!(flags.contains(v), "{v}");
        }
    }

    #[test]
    fn os_support_gates() {
        // AVX-512 CPUID bits with XCR0 lacking the ZMM state: no AVX512*, but AVX2 stays.
        let m = levels_machine(ECX1_V3, EDX1_V1, EBX7_V4, 0, 0x7);
        let info = decode(&m);
        assert!(info.has("AVX2") && !info.has("AVX512F"));
        // OSXSAVE clear: no AVX at all, though FMA3 also needs OSXSAVE.
        let m = levels_machine(ECX1_V3 & !(1 << 27), EDX1_V1, EBX7_V4, 0, 0xe7);
        let info = decode(&m);
        assert!(!info.has("AVX") && !info.has("AVX2") && !info.has("FMA3") && !info.has("AVX512F"));
        assert!(info.has("XSAVE") && !info.has("OSXSAVE") && info.has("BMI2"));
    }

    #[test]
    fn amx_and_apx_need_xcr0() {
        let leaves = [
            leaf0(0x1e, INTEL),
            (1, 0, [0x0008_06f8, 0, ECX1_V3, EDX1_V1]),
            (7, 0, [1, EBX7_V4, 0, (1 << 22) | (1 << 24) | (1 << 25)]),
            (7, 1, [1 << 21, 0, 0, (1 << 8) | (1 << 21)]),
            (0x1e, 1, [(1 << 4) | (1 << 5) | (1 << 6), 0, 0, 0]),
        ];
        let amx = [
            "AMXBF16",
            "AMXTILE",
            "AMXINT8",
            "AMXFP16",
            "AMXCOMPLEX",
            "AMXFP8",
            "AMXTRANSPOSE",
            "AMXTF32",
        ];
        let with = decode(&machine(&leaves, 0xe7 | (3 << 17) | (1 << 19)));
        for f in amx.iter().chain(&["APX_F"]) {
            assert!(with.has(f), "{f}");
        }
        let without = decode(&machine(&leaves, 0xe7));
        for f in amx.iter().chain(&["APX_F"]) {
            assert!(!without.has(f), "{f}");
        }
    }

    #[test]
    fn avx10_version_and_widths() {
        let leaves = [
            leaf0(0x24, INTEL),
            (1, 0, [0x000a_06d0, 0, ECX1_V3, EDX1_V1]),
            (7, 1, [0, 0, 0, 1 << 19]),
            (0x24, 0, [0, (1 << 16) | (1 << 17) | (1 << 18) | 2, 0, 0]),
        ];
        let info = decode(&machine(&leaves, 0xe7));
        assert_eq!(info.avx10_level, 2);
        for f in ["AVX10", "AVX10_128", "AVX10_256", "AVX10_512"] {
            assert!(info.has(f), "{f}");
        }
        // Leaf 0x24 above the maximum leaf: AVX10 without version or widths.
        let mut low = leaves;
        low[0] = leaf0(0x20, INTEL);
        let info = decode(&machine(&low, 0xe7));
        assert_eq!(info.avx10_level, 0);
        assert!(info.has("AVX10") && !info.has("AVX10_512"));
    }

    #[test]
    fn amd_only_leaves_need_amd() {
        let amd = [0x6874_7541, 0x444d_4163, 0x6974_6e65];
        let leaves = |vendor| {
            [
                leaf0(0x10, vendor),
                (1, 0, [0x00a0_0f11, 0, 0, 0]),
                (0x8000_0000, 0, [0x8000_0021, 0, 0, 0]),
                (0x8000_001f, 0, [0b1_1011, 0, 0, 0]),
                (0x8000_0021, 0, [1 << 29, 0, 1 << 1, 0]),
            ]
        };
        let info = decode(&machine(&leaves(amd), 0));
        for f in ["SME", "SEV", "SEV_ES", "SEV_SNP", "SRSO_NO", "TSA_SQ_NO"] {
            assert!(info.has(f), "{f}");
        }
        assert!(!info.has("MSR_PAGEFLUSH") && !info.has("TSA_L1_NO"));
        let info = decode(&machine(&leaves(INTEL), 0));
        assert!(
            !info.has("SEV") && !info.has("SRSO_NO"),
            "{:?}",
            info.features
        );
    }

    #[test]
    fn avxslow_and_htt() {
        // Sandy Bridge (family 6 model 42) with AVX: AVXSLOW; HTT from leaf 0xB's 2 threads.
        let m = machine(
            &[
                leaf0(0xd, INTEL),
                (1, 0, [0x0002_06a7, 0, ECX1_V3, EDX1_V1 | (1 << 28)]),
                (0xb, 0, [1, 2, 0x100, 0]),
            ],
            0x7,
        );
        let info = decode(&m);
        assert!(info.has("AVXSLOW") && info.has("HTT"));
        // One thread per core: no HTT even with the HTT CPUID bit.
        let m = machine(
            &[
                leaf0(0xd, INTEL),
                (1, 0, [0x0006_06a6, 0, ECX1_V3, EDX1_V1 | (1 << 28)]),
                (0xb, 0, [0, 1, 0x100, 0]),
            ],
            0x7,
        );
        let info = decode(&m);
        assert!(!info.has("AVXSLOW") && !info.has("HTT"));
    }

    #[test]
    fn tdx_guest_and_sgx_epc() {
        let tdx = |s: &[u8; 12]| {
            let w = |i: usize| u32::from_le_bytes([s[i], s[i + 1], s[i + 2], s[i + 3]]);
            (0x21, 0, [0, w(0), w(8), w(4)])
        };
        let info = decode(&machine(&[leaf0(0x21, INTEL), tdx(b"IntelTDX    ")], 0));
        assert!(info.has("TDX_GUEST"));
        let info = decode(&machine(&[leaf0(0x21, INTEL), tdx(b"IntelTDX   x")], 0));
        assert!(!info.has("TDX_GUEST"));
        let m = machine(
            &[
                leaf0(0x12, INTEL),
                (7, 0, [0, 1 << 2, 0, 0]),
                (0x12, 2, [0x1000_0001, 0, 0x4000_0001, 0x1]),
                (0x12, 3, [0x2, 0, 0x1000_0001, 0]),
                (0x12, 4, [0x8000_0001, 0, 0x0000_1001, 0]),
                (0x12, 5, [0, 0, 0, 0]),
                (0x12, 6, [0x1, 0, 0x1000_0000, 0]),
            ],
            0,
        );
        assert_eq!(decode(&m).sgx_epc_size, 0x1_4000_0000 + 0x1000);
    }
}
