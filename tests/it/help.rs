//! `--help`, the man pages and `--version`: EXAMPLES, EXIT STATUS and ENVIRONMENT sections, and
//! a version line naming the commit and the spec version.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::run;
use crate::support::registry::require;

#[test]
fn validate_node_help_says_what_the_exit_statuses_mean() {
    let long = run(&["validate-node", "--help"], None);
    assert_eq!(long.code, 0, "{}", long.stderr);
    for want in [
        "\nExamples:\n  nfd-compat validate-node --image registry.example.com/app:1.0\n",
        "\nExit status:\n  0\n      Compatible: some compatibility set has all its rules matched",
        "\n  1\n      Incompatible: no compatibility set matched",
        "\n  2\n      The validation could not be completed: bad arguments",
        "\nEnvironment:\n",
    ] {
        assert!(long.stdout.contains(want), "{want:?} in:\n{}", long.stdout);
    }
    let environment = long
        .stdout
        .split("\nEnvironment:\n")
        .nth(1)
        .unwrap_or_default();
    for var in [
        "DOCKER_CONFIG",
        "REGISTRY_AUTH_FILE",
        "XDG_RUNTIME_DIR",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "NO_PROXY",
        "NO_COLOR",
        "NODE_NAME",
    ] {
        assert!(environment.contains(var), "{var} in:\n{}", long.stdout);
    }
    let short = run(&["validate-node", "-h"], None);
    assert_eq!(short.code, 0);
    assert!(
        short.stdout.contains(
            "Exit status: 0 compatible, 1 incompatible, 2 the validation could not be completed."
        ),
        "{}",
        short.stdout
    );
    let top = run(&["--help"], None);
    assert!(
        top.stdout.contains("\nExit status:\n  0\n"),
        "{}",
        top.stdout
    );
    let lint = run(&["lint", "--help"], None);
    assert!(
        lint.stdout
            .contains("\n  1\n      Some spec has errors, or warnings with --strict."),
        "{}",
        lint.stdout
    );
}

#[test]
fn man_pages_have_examples_exit_status_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["man", "--dir", dir.path().to_str().unwrap()], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let groff = require("groff", "apt-get install -y groff-base");
    for (page, sections) in [
        (
            "nfd-compat.1",
            &["EXAMPLES", "EXIT STATUS", "ENVIRONMENT"][..],
        ),
        (
            "nfd-compat-validate-node.1",
            &["EXAMPLES", "EXIT STATUS", "ENVIRONMENT"],
        ),
        (
            "nfd-compat-attach.1",
            &["EXAMPLES", "EXIT STATUS", "ENVIRONMENT"],
        ),
        ("nfd-compat-lint.1", &["EXAMPLES", "EXIT STATUS"]),
        ("nfd-compat-schema.1", &["EXIT STATUS"]),
    ] {
        let path = dir.path().join(page);
        let roff = std::fs::read_to_string(&path).unwrap();
        // Rendered by a real man formatter, with every warning on.
        let rendered = Command::new(&groff)
            .args(["-man", "-Tutf8", "-ww"])
            .arg(&path)
            .env("MANWIDTH", "80")
            .output()
            .expect("run groff");
        let stderr = String::from_utf8_lossy(&rendered.stderr);
        assert!(
            rendered.status.success() && stderr.is_empty(),
            "{page}: {stderr}"
        );
        // groff's terminal output marks bold by overstriking; read the plain text.
        let text: String = String::from_utf8_lossy(&rendered.stdout)
            .split('\u{8}')
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_owned()
                } else {
                    part.chars().skip(1).collect()
                }
            })
            .collect();
        for section in sections {
            assert!(
                roff.contains(&format!(".SH \"{section}\"")),
                "{page}: no {section}:\n{roff}"
            );
            assert!(
                text.lines().any(|l| l.trim_end() == *section),
                "{page}: {section} not rendered:\n{text}"
            );
        }
        assert!(!roff.contains(".SH EXTRA"), "{page}");
    }
    let main = std::fs::read_to_string(dir.path().join("nfd-compat-validate-node.1")).unwrap();
    assert!(main.contains("\\fBDOCKER_CONFIG\\fR"), "{main}");
    assert!(main.contains("\\fBNO_PROXY\\fR"), "{main}");
}

#[test]
fn version_names_the_commit_and_the_spec_version() {
    let out = run(&["--version"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = out.stdout.trim_end();
    let prefix = concat!("nfd-compat ", env!("CARGO_PKG_VERSION"), " (commit ");
    let suffix = "; NFD image-compatibility spec v1alpha1)";
    let commit = line
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .unwrap_or_else(|| panic!("{line:?}"));
    let git = require("git", "apt-get install -y git");
    let head = Command::new(git)
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run git");
    if head.status.success() {
        assert_eq!(commit, String::from_utf8_lossy(&head.stdout).trim());
    } else {
        // Not a git checkout (a source archive): the build says so.
        assert_eq!(commit, "unknown");
    }
    assert_eq!(run(&["-V"], None).stdout, out.stdout);
}

/// `build.rs` compiled on its own and run where the tests say.
fn build_script(dir: &Path) -> PathBuf {
    let rustc = require("rustc", "https://rustup.rs");
    let exe = dir.join("build-script");
    let out = Command::new(rustc)
        .args(["--edition", "2024", "-o"])
        .arg(&exe)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("build.rs"))
        .output()
        .expect("run rustc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

#[test]
fn the_build_falls_back_cleanly_without_git() {
    let dir = tempfile::tempdir().unwrap();
    let exe = build_script(dir.path());
    let outside = tempfile::tempdir().unwrap();
    let commit_line = |path: &str, env: &[(&str, &str)]| {
        let out = Command::new(&exe)
            .current_dir(outside.path())
            .env_clear()
            .env("PATH", path)
            .envs(env.iter().copied())
            .output()
            .expect("run the build script");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.starts_with("cargo:rustc-env=NFD_COMPAT_COMMIT="))
            .unwrap_or_else(|| panic!("{out:?}"))
            .to_owned()
    };
    // No git on PATH.
    assert_eq!(
        commit_line("/nonexistent", &[]),
        "cargo:rustc-env=NFD_COMPAT_COMMIT=unknown"
    );
    assert_eq!(
        commit_line("/nonexistent", &[("NFD_COMPAT_COMMIT", "0123abcd")]),
        "cargo:rustc-env=NFD_COMPAT_COMMIT=0123abcd"
    );
    // Git, but not a checkout.
    let path = std::env::var("PATH").unwrap_or_default();
    assert_eq!(
        commit_line(&path, &[("GIT_CEILING_DIRECTORIES", "/")]),
        "cargo:rustc-env=NFD_COMPAT_COMMIT=unknown"
    );
}

/// Each command's `--help` opens with the summary the command list gives it. The commands'
/// arguments are built only when the command runs (`defer`); a doc comment on an arguments
/// struct would then replace the command's summary with its own.
#[test]
fn every_command_help_opens_with_its_summary() {
    let top = run(&["--help"], None);
    assert_eq!(top.code, 0, "{}", top.stderr);
    let list: Vec<(String, String)> = top
        .stdout
        .split("Commands:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_else(|| panic!("no command list: {}", top.stdout))
        .lines()
        .filter_map(|line| {
            // A wrapped summary goes on in lines indented deeper than the names.
            let line = line.strip_prefix("  ").filter(|l| !l.starts_with(' '))?;
            let (name, summary) = line.split_once("  ")?;
            Some((name.to_owned(), summary.trim().to_owned()))
        })
        .filter(|(name, _)| name != "help")
        .collect();
    assert!(list.len() >= 12, "{list:?}");
    for (name, summary) in &list {
        let out = run(&[name, "--help"], None);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let first = out.stdout.lines().next().unwrap_or_default();
        // The list wraps long summaries; the first line of the help starts the same way.
        let common = summary.len().min(first.len());
        assert!(
            !first.is_empty() && first[..common] == summary[..common],
            "`{name} --help` opens with {first:?}, the command list says {summary:?}"
        );
    }
    let export = run(&["export", "nodefeaturerule", "--help"], None);
    assert!(
        export.stdout.starts_with("Print a NodeFeatureRule"),
        "{}",
        export.stdout
    );
}

/// The shared libraries an ELF64 little-endian executable names (`DT_NEEDED`), read from its
/// program headers.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn needed_libraries(elf: &[u8]) -> Vec<String> {
    let u16_at = |at: usize| u16::from_le_bytes(elf[at..at + 2].try_into().unwrap());
    let u32_at = |at: usize| u32::from_le_bytes(elf[at..at + 4].try_into().unwrap());
    let u64_at = |at: usize| u64::from_le_bytes(elf[at..at + 8].try_into().unwrap());
    let index = |v: u64| usize::try_from(v).unwrap();
    assert_eq!(elf[4], 2, "not a 64-bit ELF file");
    let (phoff, phentsize, phnum) = (index(u64_at(32)), usize::from(u16_at(54)), u16_at(56));
    let headers: Vec<usize> = (0..usize::from(phnum))
        .map(|i| phoff + i * phentsize)
        .collect();
    // PT_LOAD (1) maps addresses to file offsets; PT_DYNAMIC (2) holds the dynamic entries.
    let to_offset = |addr: u64| {
        headers
            .iter()
            .filter(|&&h| u32_at(h) == 1)
            .find(|&&h| (u64_at(h + 16)..u64_at(h + 16) + u64_at(h + 32)).contains(&addr))
            .map(|&h| index(addr - u64_at(h + 16) + u64_at(h + 8)))
            .expect("an address outside the loaded segments")
    };
    let Some(&dynamic) = headers.iter().find(|&&h| u32_at(h) == 2) else {
        return Vec::new();
    };
    let entries: Vec<(u64, u64)> = (index(u64_at(dynamic + 8))..)
        .step_by(16)
        .map(|at| (u64_at(at), u64_at(at + 8)))
        .take_while(|&(tag, _)| tag != 0)
        .collect();
    // DT_STRTAB (5) is the address of the names; DT_NEEDED (1) an offset into them.
    let strtab = to_offset(entries.iter().find(|e| e.0 == 5).expect("DT_STRTAB").1);
    entries
        .iter()
        .filter(|e| e.0 == 1)
        .map(|e| {
            let name = &elf[strtab + index(e.1)..];
            let end = name.iter().position(|&b| b == 0).unwrap();
            String::from_utf8_lossy(&name[..end]).into_owned()
        })
        .collect()
}

/// On Linux with glibc the binary carries GCC's unwinder rather than loading `libgcc_s.so.1`
/// (docs/DECISIONS.md, *Start-up is part of the job*): glibc is the only library it loads.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_binary_loads_only_glibc_on_linux_gnu() {
    let bin = std::fs::read(env!("CARGO_BIN_EXE_nfd-compat")).expect("read the binary");
    let needed = needed_libraries(&bin);
    assert!(needed.iter().any(|l| l == "libc.so.6"), "{needed:?}");
    // The loader itself is named too when the binary uses thread-locals the general way.
    assert!(
        needed
            .iter()
            .all(|l| l == "libc.so.6" || l.starts_with("ld-linux")),
        "{needed:?}: build.rs links libgcc_eh.a in place of libgcc_s.so.1 when the C compiler has it \
         (`cc -print-file-name=libgcc_eh.a`; on Debian it comes with gcc)"
    );
}

/// The process starts at a C `main` (src/main.rs; docs/DECISIONS.md, *Start-up is part of the
/// job*), so Rust's start-up does not read `/proc/self/maps` for a main-thread stack guard. The
/// rest of what it did still happens: SIGPIPE is ignored (a closed pipe is an error the program
/// handles), and closed standard descriptors are reopened on `/dev/null` before any file can
/// take their numbers. Watched with strace, started with stdin and stdout closed.
#[test]
#[cfg(target_os = "linux")]
fn start_up_prepares_the_process_without_reading_its_memory_map() {
    let strace = require("strace", "apt-get install strace");
    let dir = tempfile::tempdir().expect("tempdir");
    let trace = dir.path().join("trace");
    let bin = env!("CARGO_BIN_EXE_nfd-compat");
    let out = Command::new(strace)
        .arg("-f")
        .arg("-o")
        .arg(&trace)
        .args(["-e", "trace=execve,open,openat,rt_sigaction"])
        .args(["sh", "-c", r#"exec "$0" "$@" <&- >&-"#, bin, "--version"])
        .output()
        .expect("run strace");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace = std::fs::read_to_string(&trace).expect("read the trace");
    // What the binary did, from its execve on (the shell's own calls come before).
    let exec = format!("execve(\"{bin}\"");
    let ours = &trace[trace
        .find(&exec)
        .unwrap_or_else(|| panic!("{exec} in:\n{trace}"))..];
    assert!(!ours.contains("/proc/self/maps"), "{ours}");
    assert!(
        ours.contains("rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN"),
        "SIGPIPE is ignored:\n{ours}"
    );
    for fd in [0, 1] {
        assert!(
            ours.contains(&format!("\"/dev/null\", O_RDWR) = {fd}\n")),
            "descriptor {fd} is reopened on /dev/null:\n{ours}"
        );
    }
}

/// On Linux with glibc the binary is linked position-dependent, so the loader has no
/// relocations to apply at start-up (docs/DECISIONS.md, *Start-up is part of the job*).
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_binary_is_position_dependent_on_linux_gnu() {
    let bin = std::fs::read(env!("CARGO_BIN_EXE_nfd-compat")).expect("read the binary");
    assert_eq!(&bin[..4], b"\x7fELF", "not an ELF file");
    // e_type, little-endian: 2 is ET_EXEC (position-dependent), 3 is ET_DYN (PIE).
    let e_type = u16::from_le_bytes([bin[16], bin[17]]);
    assert_eq!(
        e_type, 2,
        "e_type {e_type}: the binary is position-independent"
    );
}
