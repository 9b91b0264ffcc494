//! arm64 CPU identification: NFD's HWCAP/HWCAP2 flag names (`cpuid_linux_arm64.go`) and
//! klauspost/cpuid's `MIDR_EL1` decoding for `cpu.model`.

use std::collections::BTreeSet;

/// NFD's names for the `AT_HWCAP` bits, by bit number (Linux `uapi/asm/hwcap.h`).
pub(crate) const HWCAP_NAMES: [&str; 32] = [
    "FP", "ASIMD", "EVTSTRM", "AES", "PMULL", "SHA1", "SHA2", "CRC32", "ATOMICS", "FPHP",
    "ASIMDHP", "CPUID", "ASIMDRDM", "JSCVT", "FCMA", "LRCPC", "DCPOP", "SHA3", "SM3", "SM4",
    "ASIMDDP", "SHA512", "SVE", "ASIMDFHM", "DIT", "USCAT", "ILRCPC", "FLAGM", "SSBS", "SB",
    "PACA", "PACG",
];

/// NFD's names for the `AT_HWCAP2` bits, by bit number (Linux `uapi/asm/hwcap.h`).
pub(crate) const HWCAP2_NAMES: [&str; 34] = [
    "DCPODP",
    "SVE2",
    "SVEAES",
    "SVEPMULL",
    "SVEBITPERM",
    "SVESHA3",
    "SVESM4",
    "FLAGM2",
    "FRINT",
    "SVEI8MM",
    "SVEF32MM",
    "SVEF64MM",
    "SVEBF16",
    "I8MM",
    "BF16",
    "DGH",
    "RNG",
    "BTI",
    "MTE",
    "ECV",
    "AFP",
    "RPRES",
    "MTE3",
    "SME",
    "SMEI16I64",
    "SMEF64F64",
    "SMEI8I32",
    "SMEF16F32",
    "SMEB16F32",
    "SMEF32F32",
    "SMEFA64",
    "WFXT",
    "EBF16",
    "SVEEBF16",
];

/// The `cpu.cpuid` flags for HWCAP and HWCAP2; bits NFD has no name for are ignored.
pub(crate) fn hwcap_flags(hwcap: u64, hwcap2: u64) -> BTreeSet<String> {
    let named = |value: u64, names: &[&str]| {
        names
            .iter()
            .enumerate()
            .filter(move |(i, _)| (value >> i) & 1 == 1)
            .map(|(_, name)| (*name).to_owned())
            .collect::<Vec<_>>()
    };
    named(hwcap, &HWCAP_NAMES)
        .into_iter()
        .chain(named(hwcap2, &HWCAP2_NAMES))
        .collect()
}

/// klauspost's vendor for a MIDR implementer code (`VendorUnknown` when not listed).
pub(crate) fn implementer_vendor(implementer: u64) -> &'static str {
    match implementer {
        0xc0 => "Ampere",
        0x41 => "ARM",
        0x42 => "Broadcom",
        0x43 => "Cavium",
        0x44 => "DEC",
        0x46 => "Fujitsu",
        0x49 => "Infineon",
        0x4d => "Motorola",
        0x4e => "NVIDIA",
        0x50 => "AMCC",
        0x51 => "Qualcomm",
        0x56 => "Marvell",
        0x69 => "Intel",
        _ => "VendorUnknown",
    }
}

/// `cpu.model` `(vendor_id, family, id)` from `MIDR_EL1`, read only when HWCAP has CPUID (as
/// klauspost reads it with MRS); without it `VendorUnknown`, 0, 0.
pub(crate) fn model(hwcap: u64, midr: Option<u64>) -> (&'static str, u64, u64) {
    const HWCAP_CPUID: u64 = 1 << 11;
    match midr {
        Some(midr) if hwcap & HWCAP_CPUID != 0 => (
            implementer_vendor((midr >> 24) & 0xff),
            (midr >> 16) & 0xff,
            midr & 0xffff,
        ),
        _ => ("VendorUnknown", 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hwcap_bits_to_names() {
        let cases: [(u64, u64, &[&str]); 5] = [
            (0, 0, &[]),
            (1, 0, &["FP"]),
            (1 << 31 | 1 << 22, 0, &["PACG", "SVE"]),
            (0, 1 | 1 << 33, &["DCPODP", "SVEEBF16"]),
            (1 << 40, 1 << 50, &[]),
        ];
        for (hwcap, hwcap2, expected) in cases {
            let want: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(hwcap_flags(hwcap, hwcap2), want, "{hwcap:#x} {hwcap2:#x}");
        }
    }

    #[test]
    fn midr_to_model() {
        let cpuid = 1 << 11;
        let cases = [
            (cpuid, Some(0x413f_d0c1), ("ARM", 0x3f, 0xd0c1)),
            (cpuid, Some(0xc00f_ac30), ("Ampere", 0x0f, 0xac30)),
            (cpuid, Some(0x4e0f_0040), ("NVIDIA", 0x0f, 0x0040)),
            (cpuid, Some(0x7a0f_0000), ("VendorUnknown", 0x0f, 0)),
            (0, Some(0x413f_d0c1), ("VendorUnknown", 0, 0)),
            (cpuid, None, ("VendorUnknown", 0, 0)),
        ];
        for (hwcap, midr, expected) in cases {
            assert_eq!(model(hwcap, midr), expected, "{midr:?}");
        }
    }
}
