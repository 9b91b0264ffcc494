//! Records the commit the binary is built from, for `--version`: from git when the source is
//! a git checkout, else from `NFD_COMPAT_COMMIT` (for builds from a source archive), else
//! `unknown`. A missing git or a failing git command is never a build error.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=NFD_COMPAT_COMMIT");
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    if commit.is_some() {
        // Rebuild when HEAD moves: HEAD itself (a detached HEAD, another branch), the branches
        // (a commit), packed refs. Only paths that exist: cargo reruns the script on every
        // build for a missing one.
        let git_dir = git(&["rev-parse", "--git-dir"]).map(PathBuf::from);
        let common = git(&["rev-parse", "--git-common-dir"]).map(PathBuf::from);
        let watched = [
            git_dir.map(|d| d.join("HEAD")),
            common.as_ref().map(|d| d.join("refs/heads")),
            common.map(|d| d.join("packed-refs")),
        ];
        for path in watched.into_iter().flatten().filter(|p| p.exists()) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let commit = commit
        .or_else(|| {
            std::env::var("NFD_COMPAT_COMMIT")
                .ok()
                .filter(|c| !c.is_empty())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=NFD_COMPAT_COMMIT={commit}");
    if env("CARGO_CFG_TARGET_OS") == "linux" && env("CARGO_CFG_TARGET_ENV") == "gnu" {
        link_without_pie();
        link_libgcc_statically();
    }
}

/// A variable of the build's environment, empty when unset.
fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

/// On Linux with glibc the binary is linked as a position-dependent executable: a PIE carries
/// ~20,000 relative relocations (vtables, panic locations, regex's Unicode tables) that the
/// loader applies at every start, copying ~95 pages on write: 90 of a `--version` run's 355
/// page faults. NFD's own Go binary is position-dependent too. See docs/DECISIONS.md,
/// *Start-up is part of the job*.
fn link_without_pie() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}

/// On Linux with glibc the binary carries GCC's unwinder (`libgcc_eh.a`) instead of loading
/// `libgcc_s.so.1`, as `gcc -static-libgcc` would. Loading the shared library took 7% of a
/// `--version` run: its mappings, its symbols, and a constructor that probes the CPU with
/// `cpuid` (slow in a virtual machine) for nothing this program uses. Rust's standard library
/// asks the linker for `-lgcc_s` by name, so the archive is offered under that name in a
/// directory searched first. Where the compiler has no `libgcc_eh.a` (or the build is a cross
/// build), the binary links `libgcc_s.so.1` as before. See docs/DECISIONS.md, *Start-up is part of the job*.
fn link_libgcc_statically() {
    println!("cargo:rerun-if-env-changed=CC");
    if env("TARGET") != env("HOST") {
        return;
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let Ok(out) = Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
    else {
        return;
    };
    // Without the archive the compiler prints the bare name back.
    let archive = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !out.status.success() || !archive.is_absolute() || !archive.is_file() {
        return;
    }
    let dir = PathBuf::from(env("OUT_DIR")).join("static-libgcc");
    if std::fs::create_dir_all(&dir).is_err()
        || std::fs::copy(&archive, dir.join("libgcc_s.a")).is_err()
    {
        return;
    }
    println!("cargo:rerun-if-changed={}", archive.display());
    println!("cargo:rustc-link-arg-bins=-L{}", dir.display());
}
