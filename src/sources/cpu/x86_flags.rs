//! The x86 `cpu.cpuid` flag names: klauspost/cpuid's feature names as NFD reports them
//! (v2.4.0), plus NFD's x86-64 micro-architecture levels. One table, read by the decoder
//! ([`super::x86`], which can only set a [`Flag`] listed here) and by the lint (which knows
//! every name a spec may test).

macro_rules! flags {
    ($($flag:ident)*) => {
        /// One x86 flag; its name is the identifier, as NFD spells it.
        #[allow(
            non_camel_case_types,
            clippy::upper_case_acronyms,
            reason = "the names are NFD's, upper case with `_`"
        )]
        #[allow(
            dead_code,
            reason = "a few klauspost flags are not decoded yet; a spec may still name them"
        )]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum Flag {
            $($flag,)*
        }

        impl Flag {
            /// The name NFD reports.
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $(Flag::$flag => stringify!($flag),)*
                }
            }
        }

        /// Every flag name, in table order.
        pub(crate) const NAMES: &[&str] = &[$(stringify!($flag),)*];
    };
}

flags! {
    ADX
    AESNI
    AMD3DNOW
    AMD3DNOWEXT
    AMXBF16
    AMXFP16
    AMXINT8
    AMXFP8
    AMXTILE
    AMXTF32
    AMXCOMPLEX
    AMXTRANSPOSE
    APX_F
    AVX
    AVX10
    AVX10_128
    AVX10_256
    AVX10_512
    AVX2
    AVX512BF16
    AVX512BITALG
    AVX512BMM
    AVX512BW
    AVX512CD
    AVX512DQ
    AVX512ER
    AVX512F
    AVX512FP16
    AVX512IFMA
    AVX512PF
    AVX512VBMI
    AVX512VBMI2
    AVX512VL
    AVX512VNNI
    AVX512VP2INTERSECT
    AVX512VPOPCNTDQ
    AVXIFMA
    AVXNECONVERT
    AVXSLOW
    AVXVNNI
    AVXVNNIINT8
    AVXVNNIINT16
    BHI_CTRL
    BMI1
    BMI2
    CETIBT
    CETSS
    CLDEMOTE
    CLMUL
    CLZERO
    CMOV
    CMPCCXADD
    CMPSB_SCADBS_SHORT
    CMPXCHG8
    CPBOOST
    CPPC
    CX16
    EFER_LMSLE_UNS
    ENQCMD
    ERMS
    F16C
    FLUSH_L1D
    FMA3
    FMA4
    FP128
    FP256
    FSRM
    FXSR
    FXSROPT
    GFNI
    HLE
    HRESET
    HTT
    HWA
    HYBRID_CPU
    HYPERVISOR
    IA32_ARCH_CAP
    IA32_CORE_CAP
    IBPB
    IBPB_BRTYPE
    IBRS
    IBRS_PREFERRED
    IBRS_PROVIDES_SMP
    IBS
    IBSBRNTRGT
    IBSFETCHSAM
    IBSFFV
    IBSOPCNT
    IBSOPCNTEXT
    IBSOPSAM
    IBSRDWROPCNT
    IBSRIPINVALIDCHK
    IBS_FETCH_CTLX
    IBS_OPDATA4
    IBS_OPFUSE
    IBS_PREVENTHOST
    IBS_ZEN4
    IDPRED_CTRL
    INT_WBINVD
    INVLPGB
    KEYLOCKER
    KEYLOCKERW
    LAHF
    LAM
    LBRVIRT
    LZCNT
    MCAOVERFLOW
    MCDT_NO
    MCOMMIT
    MD_CLEAR
    MMX
    MMXEXT
    MOVBE
    MOVDIR64B
    MOVDIRI
    MOVSB_ZL
    MOVU
    MPX
    MSRIRC
    MSRLIST
    MSR_PAGEFLUSH
    NRIPS
    NX
    OSXSAVE
    PCONFIG
    POPCNT
    PPIN
    PREFETCHI
    PSFD
    RDPRU
    RDRAND
    RDSEED
    RDTSCP
    RRSBA_CTRL
    RTM
    RTM_ALWAYS_ABORT
    SBPB
    SERIALIZE
    SEV
    SEV_64BIT
    SEV_ALTERNATIVE
    SEV_DEBUGSWAP
    SEV_ES
    SEV_RESTRICTED
    SEV_SNP
    SGX
    SGXLC
    SGXPQC
    SHA
    SME
    SME_COHERENT
    SM3_X86
    SM4_X86
    SPEC_CTRL_SSBD
    SRBDS_CTRL
    SRSO_MSR_FIX
    SRSO_NO
    SRSO_USER_KERNEL_NO
    SSE
    SSE2
    SSE3
    SSE4
    SSE42
    SSE4A
    SSSE3
    STIBP
    STIBP_ALWAYSON
    STOSB_SHORT
    SUCCOR
    SVM
    SVMDA
    SVMFBASID
    SVML
    SVMNP
    SVMPF
    SVMPFT
    SYSCALL
    SYSEE
    TBM
    TDX_GUEST
    TLB_FLUSH_NESTED
    TME
    TOPEXT
    TSA_L1_NO
    TSA_SQ_NO
    TSA_VERW_CLEAR
    TSCRATEMSR
    TSXLDTRK
    VAES
    VMCBCLEAN
    VMPL
    VMSA_REGPROT
    VMX
    VPCLMULQDQ
    VTE
    WAITPKG
    WBNOINVD
    WRMSRNS
    X87
    XGETBV1
    XOP
    XSAVE
    XSAVEC
    XSAVEOPT
    XSAVES
    PMU_FIXEDCOUNTER_CYCLES
    PMU_FIXEDCOUNTER_REFCYCLES
    PMU_FIXEDCOUNTER_INSTRUCTIONS
    PMU_FIXEDCOUNTER_TOPDOWN_SLOTS
    X86_64_V1
    X86_64_V2
    X86_64_V3
    X86_64_V4
}

impl Flag {
    /// NFD's micro-architecture levels, `X86_64_V1` first.
    pub(crate) const LEVELS: [Flag; 4] = [
        Flag::X86_64_V1,
        Flag::X86_64_V2,
        Flag::X86_64_V3,
        Flag::X86_64_V4,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_levels_are_named_in_order() {
        let mut seen = std::collections::BTreeSet::new();
        for name in NAMES {
            assert!(seen.insert(*name), "`{name}` twice in the table");
        }
        let levels: Vec<&str> = Flag::LEVELS.iter().map(|f| f.name()).collect();
        assert_eq!(levels, ["X86_64_V1", "X86_64_V2", "X86_64_V3", "X86_64_V4"]);
    }
}
