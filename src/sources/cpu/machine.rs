//! What the CPU reports about itself, which no file under `/proc` or `/sys` holds: the CPUID
//! leaves and XCR0 on x86, HWCAP/HWCAP2 and `MIDR_EL1` on arm64.
//!
//! A [`Machine`] is read from the running CPU ([`Machine::native`]) or from a capture file
//! ([`Machine::load`], [`Machine::parse`]), so that a host tree captured elsewhere, and the tests,
//! can state the CPU.
//!
//! # Capture format
//!
//! A text file, one item per line; blank lines and lines starting with `#` are ignored.
//!
//! ```text
//! # nfd-compat machine capture
//! arch: x86_64
//! xcr0: 0x00000000000002e7
//! CPU 0:
//!    0x00000000 0x00: eax=0x0000001b ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69
//!    0x00000007 0x00: eax=0x00000000 ebx=0xf3bfbfef ecx=0x40417f5e edx=0xbc040410
//! ```
//!
//! * `arch:` is `x86_64` (or `amd64`), `aarch64` (or `arm64`), or any other architecture name
//!   (which then reports no CPU features). Without an `arch:` line, a file with CPUID leaves is
//!   `x86_64`, so the raw output of `cpuid -1 -r` (the `cpuid` tool) is a valid capture.
//! * x86: one line per CPUID leaf and subleaf, `LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=..`, all
//!   hexadecimal, as `cpuid -r` prints them. A leaf that is not listed reads as all zeros. `CPU N:`
//!   and `CPU:` headers are allowed; only the first CPU's leaves are used (`cpuid -r` without `-1` prints
//!   every CPU). `xcr0:` is the XCR0 register (XGETBV 0); when it is missing and CPUID says the
//!   OS uses XSAVE (OSXSAVE), XCR0 is taken to enable every state component CPUID.(0xD,0) lists,
//!   as Linux does.
//! * aarch64: `hwcap:` and `hwcap2:` (`getauxval(AT_HWCAP)`, `getauxval(AT_HWCAP2)`), and
//!   optionally `midr:` (`/sys/devices/system/cpu/cpu0/regs/identification/midr_el1`). Without
//!   `midr:` the CPU's vendor, family and id are unknown, as for NFD when it cannot read MIDR.
//!
//! Numbers are hexadecimal with `0x`, or decimal without it. An error names the line.

use std::collections::BTreeMap;
use std::io;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The instruction set architecture of a machine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Arch {
    /// x86-64 (NFD's `amd64` build).
    X86_64,
    /// 64-bit Arm (NFD's `arm64` build).
    Aarch64,
    /// Any other architecture (reports no CPU features, like NFD on an unsupported arch).
    #[default]
    Other,
}

impl Arch {
    /// The capture name of the architecture (`x86_64`, `aarch64`, `other`).
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::Other => "other",
        }
    }
}

/// One CPUID result: `[eax, ebx, ecx, edx]`.
pub(crate) type Registers = [u32; 4];

/// What the CPU reports about itself: CPUID leaves and XCR0 on x86, HWCAP and MIDR on arm64.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Machine {
    /// The architecture; decides which of the other fields mean anything.
    pub(crate) arch: Arch,
    /// x86: CPUID results by `(leaf, subleaf)`; a missing entry reads as zeros.
    pub(crate) leaves: BTreeMap<(u32, u32), Registers>,
    /// x86: the XCR0 register, when known (see the module doc for the default).
    pub(crate) xcr0: Option<u64>,
    /// arm64: `getauxval(AT_HWCAP)`.
    pub(crate) hwcap: u64,
    /// arm64: `getauxval(AT_HWCAP2)`.
    pub(crate) hwcap2: u64,
    /// arm64: `MIDR_EL1`, when readable.
    pub(crate) midr: Option<u64>,
}

/// A capture file that cannot be read or understood.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The file could not be read.
    #[error("cannot read machine capture `{}`", path.display())]
    Read {
        /// The capture file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A line is not valid.
    #[error("line {line}: {message}")]
    Line {
        /// The 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// The capture as a whole is not valid.
    #[error("{0}")]
    Invalid(String),
    /// A valid capture file with an error (wrapping [`CaptureError::Line`] with the path).
    #[error("invalid machine capture `{}`", path.display())]
    File {
        /// The capture file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: Box<CaptureError>,
    },
}

impl Machine {
    /// The CPUID result for `(leaf, subleaf)`, zeros when the capture does not have it.
    pub(crate) fn cpuid(&self, leaf: u32, subleaf: u32) -> Registers {
        self.leaves
            .get(&(leaf, subleaf))
            .copied()
            .unwrap_or_default()
    }

    /// XCR0 as used for the OS-support checks: the captured value, else (when OSXSAVE is set)
    /// every state component CPUID.(0xD,0) lists, else 0.
    pub(crate) fn effective_xcr0(&self) -> u64 {
        if let Some(xcr0) = self.xcr0 {
            return xcr0;
        }
        let osxsave = self.cpuid(1, 0)[2] & (1 << 27) != 0;
        if osxsave && self.cpuid(0, 0)[0] >= 0xd {
            let [eax, _, _, edx] = self.cpuid(0xd, 0);
            (u64::from(edx) << 32) | u64::from(eax)
        } else {
            0
        }
    }

    /// Reads a capture file (format in the module doc).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        // A capture is a few KiB; a FIFO or device is refused, and the read is bounded.
        let read_err = |source| CaptureError::Read {
            path: path.to_owned(),
            source,
        };
        let mut text = String::new();
        crate::input::open_regular(path)
            .and_then(|f| {
                f.take(super::super::MAX_TEXT_BYTES)
                    .read_to_string(&mut text)
            })
            .map_err(read_err)?;
        Self::parse(&text).map_err(|e| CaptureError::File {
            path: path.to_owned(),
            source: Box::new(e),
        })
    }

    /// Parses a capture (format in the module doc).
    pub(crate) fn parse(text: &str) -> Result<Self, CaptureError> {
        let mut machine = Machine::default();
        let mut arch: Option<Arch> = None;
        let mut first_cpu: Option<String> = None;
        let mut skipping = false;
        let mut seen = BTreeMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let err = |message: String| CaptureError::Line {
                line: line_no,
                message,
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // `CPU N:` (cpuid -r) or `CPU:` (cpuid -1 -r).
            let cpu_header = if line == "CPU:" {
                Some("")
            } else {
                line.strip_prefix("CPU ").and_then(|r| r.strip_suffix(':'))
            };
            if let Some(cpu) = cpu_header {
                match &first_cpu {
                    None => first_cpu = Some(cpu.to_owned()),
                    Some(first) => skipping = first != cpu,
                }
                continue;
            }
            if line.starts_with("0x") {
                if skipping {
                    continue;
                }
                let (key, regs) = parse_leaf_line(line).map_err(err)?;
                if let Some(previous) = seen.insert(key, line_no) {
                    return Err(err(format!(
                        "leaf {:#010x} subleaf {:#04x} already given on line {previous}",
                        key.0, key.1
                    )));
                }
                machine.leaves.insert(key, regs);
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                return Err(err(format!(
                    "expected `key: value` or a CPUID leaf line, found `{line}`"
                )));
            };
            let value = value.trim();
            match key.trim() {
                "arch" => {
                    arch = Some(match value {
                        "x86_64" | "amd64" => Arch::X86_64,
                        "aarch64" | "arm64" => Arch::Aarch64,
                        "" => return Err(err("empty `arch`".to_owned())),
                        _ => Arch::Other,
                    });
                }
                "xcr0" => machine.xcr0 = Some(parse_number(value).map_err(err)?),
                "hwcap" => machine.hwcap = parse_number(value).map_err(err)?,
                "hwcap2" => machine.hwcap2 = parse_number(value).map_err(err)?,
                "midr" => machine.midr = Some(parse_number(value).map_err(err)?),
                other => return Err(err(format!("unknown key `{other}`"))),
            }
        }
        machine.arch = match arch {
            Some(arch) => arch,
            None if !machine.leaves.is_empty() => Arch::X86_64,
            None => {
                return Err(CaptureError::Invalid(
                    "no `arch:` line and no CPUID leaves".to_owned(),
                ));
            }
        };
        let arm_keys = machine.hwcap != 0 || machine.hwcap2 != 0 || machine.midr.is_some();
        let x86_keys = !machine.leaves.is_empty() || machine.xcr0.is_some();
        match machine.arch {
            Arch::X86_64 if arm_keys => Err(CaptureError::Invalid(
                "`hwcap`, `hwcap2` and `midr` are for arch aarch64, not x86_64".to_owned(),
            )),
            Arch::Aarch64 | Arch::Other if x86_keys => Err(CaptureError::Invalid(format!(
                "CPUID leaves and `xcr0` are for arch x86_64, not {}",
                machine.arch.as_str()
            ))),
            _ => Ok(machine),
        }
    }

    /// The CPU this process runs on.
    pub(crate) fn native() -> Self {
        native::read()
    }
}

/// Parses `0xLEAF 0xSUB: eax=0x.. ebx=0x.. ecx=0x.. edx=0x..`.
fn parse_leaf_line(line: &str) -> Result<((u32, u32), Registers), String> {
    let Some((head, regs)) = line.split_once(':') else {
        return Err(format!(
            "expected `LEAF SUBLEAF: eax=.. ebx=.. ecx=.. edx=..`, found `{line}`"
        ));
    };
    let mut head = head.split_whitespace();
    let (Some(leaf), Some(subleaf), None) = (head.next(), head.next(), head.next()) else {
        return Err(format!(
            "expected a leaf and a subleaf before `:`, found `{}`",
            line.trim()
        ));
    };
    let leaf = parse_u32(leaf)?;
    let subleaf = parse_u32(subleaf)?;
    let mut out = [None; 4];
    for field in regs.split_whitespace() {
        let Some((name, value)) = field.split_once('=') else {
            return Err(format!("expected `register=value`, found `{field}`"));
        };
        let slot = match name {
            "eax" => 0,
            "ebx" => 1,
            "ecx" => 2,
            "edx" => 3,
            _ => return Err(format!("unknown register `{name}`")),
        };
        if out[slot].replace(parse_u32(value)?).is_some() {
            return Err(format!("register `{name}` given twice"));
        }
    }
    match out {
        [Some(a), Some(b), Some(c), Some(d)] => Ok(((leaf, subleaf), [a, b, c, d])),
        _ => Err("a leaf line needs eax, ebx, ecx and edx".to_owned()),
    }
}

/// Parses a 32-bit register value.
fn parse_u32(text: &str) -> Result<u32, String> {
    let value = parse_number(text)?;
    u32::try_from(value).map_err(|_| format!("`{text}` does not fit in 32 bits"))
}

/// Parses `0x` hexadecimal or decimal.
fn parse_number(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|_| format!("`{text}` is not a number (hexadecimal with `0x`, or decimal)"))
}

#[cfg(target_arch = "x86_64")]
mod native {
    //! Reading the running x86-64 CPU.

    use std::collections::BTreeMap;

    use super::{Arch, Machine, Registers};

    /// Runs CPUID (raw-cpuid holds the one `unsafe` block this needs on older compilers).
    fn cpuid(leaf: u32, subleaf: u32) -> Registers {
        let r = raw_cpuid::native_cpuid::cpuid_count(leaf, subleaf);
        [r.eax, r.ebx, r.ecx, r.edx]
    }

    /// The subleaves worth collecting for a basic leaf, given its subleaf 0.
    fn subleaves(leaf: u32, sub0: Registers) -> Vec<u32> {
        match leaf {
            // Deterministic cache parameters: until a null cache type.
            4 => {
                let mut list = vec![0];
                for s in 1..16 {
                    list.push(s);
                    if cpuid(4, s)[0].trailing_zeros() >= 5 {
                        break;
                    }
                }
                list
            }
            7 | 0x14 | 0x17 | 0x18 | 0x1d | 0x20 | 0x23 | 0x24 => {
                (0..=sub0[0].clamp(if leaf == 7 { 2 } else { 1 }, 8)).collect()
            }
            // Topology: levels until a null level type.
            0xb | 0x1f => {
                let mut list = vec![0];
                for s in 1..8 {
                    list.push(s);
                    if cpuid(leaf, s)[2] & 0xff00 == 0 {
                        break;
                    }
                }
                list
            }
            0xd => (0..20).collect(),
            0xf | 0x10 => (0..=5).collect(),
            0x12 => (0..10).collect(),
            0x1e => vec![0, 1],
            _ => vec![0],
        }
    }

    /// Reads every leaf klauspost/cpuid (and NFD's RDT and SST code) looks at, and more.
    pub(super) fn read() -> Machine {
        let mut leaves = BTreeMap::new();
        let max = cpuid(0, 0)[0].min(0x3f);
        for leaf in 0..=max {
            let sub0 = cpuid(leaf, 0);
            for s in subleaves(leaf, sub0) {
                leaves.insert((leaf, s), cpuid(leaf, s));
            }
        }
        let hypervisor = cpuid(1, 0)[2] & (1 << 31) != 0;
        if hypervisor {
            let top = cpuid(0x4000_0000, 0)[0].clamp(0x4000_0000, 0x4000_00ff);
            for leaf in 0x4000_0000..=top {
                leaves.insert((leaf, 0), cpuid(leaf, 0));
            }
        }
        let max_ext = cpuid(0x8000_0000, 0)[0];
        if max_ext >= 0x8000_0000 {
            for leaf in 0x8000_0000..=max_ext.min(0x8000_00ff) {
                let subs: &[u32] = match leaf {
                    0x8000_001d => &[0, 1, 2, 3, 4],
                    0x8000_0020 | 0x8000_0026 => &[0, 1, 2, 3],
                    _ => &[0],
                };
                for &s in subs {
                    leaves.insert((leaf, s), cpuid(leaf, s));
                }
            }
        }
        let osxsave = cpuid(1, 0)[2] & (1 << 27) != 0;
        let xcr0 = if osxsave { Some(xgetbv0()) } else { None };
        Machine {
            arch: Arch::X86_64,
            leaves,
            xcr0,
            ..Machine::default()
        }
    }

    /// XGETBV with ECX = 0; only called when CPUID reports OSXSAVE.
    #[expect(
        unsafe_code,
        reason = "XGETBV has no safe wrapper; the caller checked OSXSAVE"
    )]
    fn xgetbv0() -> u64 {
        // SAFETY: CPUID.1:ECX.OSXSAVE[bit 27] is set (checked by the caller), so the OS has
        // enabled XSAVE and XGETBV with ECX = 0 is a valid instruction that cannot fault.
        unsafe { xgetbv0_xsave() }
    }

    #[expect(
        unsafe_code,
        reason = "target_feature function; only called after the OSXSAVE check"
    )]
    #[target_feature(enable = "xsave")]
    unsafe fn xgetbv0_xsave() -> u64 {
        // SAFETY: the caller guarantees OSXSAVE, which is all XGETBV 0 needs.
        unsafe { core::arch::x86_64::_xgetbv(0) }
    }
}

#[cfg(target_arch = "aarch64")]
mod native {
    //! Reading the running arm64 CPU.

    use super::{Arch, Machine};

    /// HWCAP bit for CPUID (MRS emulation of the ID registers).
    const HWCAP_CPUID: u64 = 1 << 11;

    /// Reads HWCAP, HWCAP2 and (when the kernel exposes the ID registers) MIDR_EL1.
    pub(super) fn read() -> Machine {
        let (hwcap, hwcap2) = auxv();
        let midr = if hwcap & HWCAP_CPUID == 0 {
            None
        } else {
            std::fs::read_to_string("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1")
                .ok()
                .and_then(|s| super::parse_number(s.trim()).ok())
        };
        Machine {
            arch: Arch::Aarch64,
            hwcap,
            hwcap2,
            midr,
            ..Machine::default()
        }
    }

    #[expect(unsafe_code, reason = "getauxval is a C function")]
    fn auxv() -> (u64, u64) {
        // SAFETY: getauxval only reads the process's auxiliary vector; it has no preconditions.
        unsafe {
            (
                libc::getauxval(libc::AT_HWCAP),
                libc::getauxval(libc::AT_HWCAP2),
            )
        }
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod native {
    //! Other architectures: no CPU features are read.

    use super::{Arch, Machine};

    /// A machine of an architecture nfd-compat does not read.
    pub(super) fn read() -> Machine {
        Machine {
            arch: Arch::Other,
            ..Machine::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpuid_tool_output_without_arch() {
        let text = "CPU 0:\n   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 \
                    edx=0x69746e65\n   0x00000001 0x00: eax=0x00a00f11 ebx=0x00020800 \
                    ecx=0xfed83203 edx=0x178bfbff\nCPU 1:\n   0x00000000 0x00: eax=0x00000099 \
                    ebx=0x0 ecx=0x0 edx=0x0\n";
        let m = Machine::parse(text).unwrap();
        assert_eq!(m.arch, Arch::X86_64);
        assert_eq!(m.leaves.len(), 2);
        assert_eq!(m.cpuid(0, 0), [0x10, 0x6874_7541, 0x444d_4163, 0x6974_6e65]);
        assert_eq!(m.cpuid(1, 0)[0], 0x00a0_0f11);
        assert_eq!(m.cpuid(5, 0), [0; 4]);
        assert_eq!(m.xcr0, None);
    }

    #[test]
    fn parses_single_cpu_header() {
        let text = "CPU:\n   0x00000000 0x00: eax=0x00000001 ebx=0x756e6547 ecx=0x6c65746e \
                    edx=0x49656e69\n";
        let m = Machine::parse(text).unwrap();
        assert_eq!(m.cpuid(0, 0)[0], 1);
    }

    #[test]
    fn parses_arm64() {
        let m = Machine::parse("arch: arm64\nhwcap: 0xff\nhwcap2: 3\nmidr: 0x413fd0c1\n").unwrap();
        assert_eq!(m.arch, Arch::Aarch64);
        assert_eq!((m.hwcap, m.hwcap2, m.midr), (0xff, 3, Some(0x413f_d0c1)));
    }

    #[test]
    fn other_arch_is_kept() {
        let m = Machine::parse("arch: riscv64\n").unwrap();
        assert_eq!(m.arch, Arch::Other);
    }

    #[test]
    fn bad_input_names_the_line() {
        let cases = [
            ("arch: x86_64\nxcr0: zz\n", "line 2: `zz` is not a number"),
            ("# c\n\nfoo: 1\n", "line 3: unknown key `foo`"),
            (
                "arch: x86_64\n0x1 0x0: eax=1 ebx=2 ecx=3\n",
                "line 2: a leaf line needs eax",
            ),
            (
                "0x1 0x0: eax=1 ebx=2 ecx=3 edx=4\n0x1 0x0: eax=1 ebx=2 ecx=3 edx=4\n",
                "line 2: leaf 0x00000001 subleaf 0x00 already given on line 1",
            ),
            (
                "0x1 0x0: eax=1 ebx=2 ecx=3 edx=0x1ffffffff\n",
                "line 1: `0x1ffffffff` does not fit",
            ),
            (
                "0x1: eax=1 ebx=2 ecx=3 edx=4\n",
                "line 1: expected a leaf and a subleaf",
            ),
            (
                "0x1 0x0: eax=1 ebx=2 ecx=3 edx=4 fax=1\n",
                "line 1: unknown register `fax`",
            ),
            ("arch x86_64\n", "line 1: expected `key: value`"),
            ("arch: \n", "line 1: empty `arch`"),
            ("\n# nothing\n", "no `arch:` line and no CPUID leaves"),
            (
                "arch: aarch64\n0x1 0x0: eax=1 ebx=2 ecx=3 edx=4\n",
                "are for arch x86_64, not aarch64",
            ),
            (
                "arch: x86_64\nhwcap: 1\n",
                "are for arch aarch64, not x86_64",
            ),
        ];
        for (input, expected) in cases {
            let err = Machine::parse(input).unwrap_err().to_string();
            assert!(
                err.contains(expected),
                "{input:?}: got `{err}`, want `{expected}`"
            );
        }
    }

    #[test]
    fn reads_the_capture_format() {
        let text = "# nfd-compat machine capture\narch: x86_64\nxcr0: 0x00000000000002e7\nCPU 0:\n\
                    \x20  0x00000000 0x00: eax=0x0000001b ebx=0x00000001 ecx=0x00000002 edx=0x00000003\n\
                    \x20  0x00000007 0x01: eax=0x00000004 ebx=0x00000005 ecx=0x00000006 edx=0xffffffff\n";
        let mut m = Machine {
            arch: Arch::X86_64,
            xcr0: Some(0x2e7),
            ..Machine::default()
        };
        m.leaves.insert((0, 0), [0x1b, 1, 2, 3]);
        m.leaves.insert((7, 1), [4, 5, 6, 0xffff_ffff]);
        assert_eq!(Machine::parse(text).unwrap(), m);
        let arm = Machine {
            arch: Arch::Aarch64,
            hwcap: 0x1fb,
            hwcap2: 0,
            midr: Some(0x413f_d0c1),
            ..Machine::default()
        };
        let text = "arch: aarch64\nhwcap: 0x00000000000001fb\nhwcap2: 0x0000000000000000\n\
                    midr: 0x00000000413fd0c1\n";
        assert_eq!(Machine::parse(text).unwrap(), arm);
    }

    #[test]
    fn xcr0_defaults_to_xsave_components_when_osxsave() {
        let mut m = Machine::parse("0x0 0x0: eax=0xd ebx=0 ecx=0 edx=0\n").unwrap();
        assert_eq!(m.effective_xcr0(), 0);
        m.leaves.insert((1, 0), [0, 0, 1 << 27, 0]);
        m.leaves.insert((0xd, 0), [0x2e7, 0, 0, 0]);
        assert_eq!(m.effective_xcr0(), 0x2e7);
        m.xcr0 = Some(7);
        assert_eq!(m.effective_xcr0(), 7);
    }

    #[test]
    fn load_error_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.txt");
        std::fs::write(&path, "arch: x86_64\nbad\n").unwrap();
        let err = Machine::load(&path).unwrap_err();
        let chain = format!("{err}: {}", std::error::Error::source(&err).unwrap());
        assert!(
            chain.contains("m.txt") && chain.contains("line 2"),
            "{chain}"
        );
        assert!(matches!(
            Machine::load(dir.path().join("none")),
            Err(CaptureError::Read { .. })
        ));
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn native_reads_vendor_leaf() {
        let m = Machine::native();
        assert_eq!(m.arch, Arch::X86_64);
        assert!(m.cpuid(0, 0)[0] >= 1);
        assert!(m.leaves.contains_key(&(1, 0)));
    }
}
