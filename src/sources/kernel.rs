//! The `kernel` source: `kernel.version`, `kernel.config`, `kernel.loadedmodule`,
//! `kernel.enabledmodule`, `kernel.selinux` and `kernel.kvm`, as NFD's `source/kernel`.
//!
//! Differences from NFD are about where files are read, never about what is produced:
//! `/proc/sys/kernel/osrelease`, `/proc/config.gz`, `/proc/modules` and
//! `/lib/modules/<kver>/build/.config` are read through the host root (NFD reads them from the
//! container's own `/proc` and `/lib`). Where NFD logs an error and leaves a feature out, we
//! leave it out and record a warning: an unreadable osrelease (no `kernel.version`, no
//! `kernel.enabledmodule`, and only `/proc/config.gz` and `/usr/src/linux/.config` are tried for
//! the config), no readable config, an unreadable `/proc/modules` or `modules.builtin`, an
//! unreadable `/sys/fs/selinux/enforce` while `/sys/fs/selinux` exists. `kernel.selinux` is
//! absent without `/sys/fs` and `false` without `/sys/fs/selinux`; an empty `enforce` file (NFD
//! would panic) is `false`. A gzipped config that does not decompress is passed over like an
//! unreadable one. Parsing is done by hand, not with `procfs-core`: NFD's rules are simpler
//! than a full `/proc/modules` parser and must be matched exactly.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;

use super::{
    Context, Discovered, HostRoot, MAX_TEXT_BYTES, Source, SourceError, key_value, lossy,
    take_digits,
};

/// NFD's `kernel` source.
pub(crate) struct Kernel;

/// What the kernel source could not find beyond a single unreadable file.
#[derive(Debug, thiserror::Error)]
enum KernelError {
    /// None of the kernel config locations could be read.
    #[error(
        "no readable kernel config in {tried} locations, `{}` to `{}`",
        first.display(),
        last.display()
    )]
    NoConfig {
        /// How many paths were tried.
        tried: usize,
        /// The first path tried.
        first: PathBuf,
        /// The last path tried.
        last: PathBuf,
    },
    /// A gzipped kernel config could not be decompressed.
    #[error("cannot decompress `{}`", path.display())]
    Gzip {
        /// The file.
        path: PathBuf,
        /// The decoder's error.
        #[source]
        source: std::io::Error,
    },
}

const SOURCE: &str = "kernel";

impl Source for Kernel {
    fn features(&self) -> &'static [&'static str] {
        &[
            "kernel.version",
            "kernel.config",
            "kernel.loadedmodule",
            "kernel.enabledmodule",
            "kernel.selinux",
            "kernel.kvm",
        ]
    }

    fn discover(&self, ctx: &Context, out: &mut Discovered) {
        let root = &ctx.root;
        let wants = |feature: &str| ctx.wanted.wants(feature);
        // NFD's getVersion: the trimmed osrelease, also the `<kver>` of every path below.
        let kver = out.ok_or_lost(
            SOURCE,
            &["kernel.version", "kernel.enabledmodule"],
            root.read_trimmed("/proc/sys/kernel/osrelease"),
        );
        if let Some(kver) = kver.as_deref().filter(|_| wants("kernel.version")) {
            out.features
                .insert_attributes("kernel.version", parse_version(kver));
        }

        // The costliest part: decompressing and parsing thousands of options.
        if wants("kernel.config") {
            match read_kconfig(root, kver.as_deref()) {
                Ok(text) => out
                    .features
                    .insert_attributes("kernel.config", parse_kconfig(&text)),
                Err(err) => out.lost(SOURCE, &["kernel.config"], &err),
            }
        }

        let (want_loaded, want_enabled) =
            (wants("kernel.loadedmodule"), wants("kernel.enabledmodule"));
        let modules = if want_loaded || want_enabled {
            out.ok_or_lost(
                SOURCE,
                &["kernel.loadedmodule", "kernel.enabledmodule"],
                root.read("/proc/modules"),
            )
        } else {
            None
        };
        let loaded = modules.as_deref().map(parse_proc_modules);
        if let Some(loaded) = loaded.as_ref().filter(|_| want_loaded) {
            out.features
                .insert_flags("kernel.loadedmodule", loaded.iter().copied());
        }

        // Without a kernel version NFD cannot find modules.builtin either (already warned).
        if let Some(kver) = kver.as_ref().filter(|_| want_enabled) {
            match root.read(format!("/lib/modules/{kver}/modules.builtin")) {
                Ok(text) => {
                    let mut enabled: BTreeSet<&str> = loaded.into_iter().flatten().collect();
                    enabled.extend(parse_modules_builtin(&text));
                    out.features.insert_flags("kernel.enabledmodule", enabled);
                }
                Err(err) => out.lost(SOURCE, &["kernel.enabledmodule"], &err),
            }
        }

        if wants("kernel.selinux") {
            match selinux_enabled(root) {
                Ok(Some(enabled)) => out
                    .features
                    .insert_attributes("kernel.selinux", [("enabled", enabled.to_string())]),
                Ok(None) => {}
                Err(err) => out.lost(SOURCE, &["kernel.selinux"], &err),
            }
        }

        if wants("kernel.kvm") {
            kvm(root, out);
        }
    }
}

/// `kernel.kvm`: whether the KVM device exists.
fn kvm(root: &HostRoot, out: &mut Discovered) {
    let kvm = root.join("/sys/devices/virtual/misc/kvm");
    let exists = match root.resolve(&kvm) {
        Ok(real) => real
            .try_exists()
            .map_err(|source| SourceError::Read { path: kvm, source }),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e),
    };
    match exists {
        Ok(exists) => {
            out.features
                .insert_attributes("kernel.kvm", [("enabled", exists.to_string())]);
        }
        Err(err) => out.lost(SOURCE, &["kernel.kvm"], &err),
    }
}

/// `kernel.version` from a trimmed osrelease (NFD `parseVersion`): `full` sanitised, and
/// `major`/`minor`/`revision` (`""` for an absent part) when `full` looks like a version.
pub(crate) fn parse_version(osrelease: &str) -> BTreeMap<&'static str, String> {
    let sanitised: String = osrelease
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let full = sanitised.trim_matches(['-', '_', '.']);
    let mut version = BTreeMap::from([("full", full.to_owned())]);
    if let Some([major, minor, revision]) = split_kernel_version(full) {
        version.insert("major", major.to_owned());
        version.insert("minor", minor.to_owned());
        version.insert("revision", revision.to_owned());
    }
    version
}

/// Matches `^(\d+)(\.(\d+))?(\.(\d+))?(-.*)?$` and returns the three number groups (`""` when a
/// group did not take part). Digit runs are greedy and a shorter run would leave a digit where
/// `.`, `-` or the end must follow, so one greedy pass gives the regex's answer.
fn split_kernel_version(s: &str) -> Option<[&str; 3]> {
    let (major, mut rest) = take_digits(s)?;
    let mut parts = [major, "", ""];
    for part in &mut parts[1..] {
        if let Some((digits, after)) = rest.strip_prefix('.').and_then(take_digits) {
            *part = digits;
            rest = after;
        } else {
            break;
        }
    }
    (rest.is_empty() || rest.starts_with('-')).then_some(parts)
}

/// The kernel config locations in NFD's order (`<kver>` filled in). `.gz` files are gzipped.
fn kconfig_paths(kver: Option<&str>) -> Vec<String> {
    let Some(k) = kver else {
        return vec![
            "/proc/config.gz".to_owned(),
            "/usr/src/linux/.config".to_owned(),
        ];
    };
    vec![
        "/proc/config.gz".to_owned(),
        format!("/usr/src/linux-{k}/.config"),
        format!("/usr/src/linux-rt-{k}/.config"),
        "/usr/src/linux/.config".to_owned(),
        format!("/usr/lib/modules/{k}/config"),
        format!("/usr/lib/ostree-boot/config-{k}"),
        format!("/usr/lib/kernel/config-{k}"),
        format!("/usr/src/linux-headers-{k}/.config"),
        format!("/lib/modules/{k}/build/.config"),
        format!("/usr/src/linux-rt-headers-{k}/.config"),
        format!("/boot/config-{k}"),
    ]
}

/// The text of the first readable kernel config.
fn read_kconfig(root: &HostRoot, kver: Option<&str>) -> Result<String, KernelError> {
    let paths = kconfig_paths(kver);
    let mut last = PathBuf::new();
    for abs in &paths {
        last = root.join(abs);
        // Go's `filepath.Ext(path) == ".gz"`: exact, case-sensitive.
        let gzipped = Path::new(abs).extension().is_some_and(|ext| ext == "gz");
        let text = if gzipped {
            read_gzip(root, &last)
        } else {
            root.read_path(&last).ok()
        };
        if let Some(text) = text {
            return Ok(text);
        }
    }
    Err(KernelError::NoConfig {
        tried: paths.len(),
        first: root.join(&paths[0]),
        last,
    })
}

/// A gzipped text file, or `None` if it cannot be read or decompressed (NFD then tries the
/// next location).
fn read_gzip(root: &HostRoot, path: &Path) -> Option<String> {
    let bytes = root.read_limited(path, MAX_TEXT_BYTES).ok()?;
    gunzip(path, &bytes).ok()
}

/// Decompresses gzip data read from `path`.
fn gunzip(path: &Path, bytes: &[u8]) -> Result<String, KernelError> {
    // A gzip bomb stops at the limit: the decompressed text is bounded like a plain config.
    let mut text = Vec::new();
    GzDecoder::new(bytes)
        .take(MAX_TEXT_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|source| KernelError::Gzip {
            path: path.to_owned(),
            source,
        })?;
    if text.len() as u64 > MAX_TEXT_BYTES {
        return Err(KernelError::Gzip {
            path: path.to_owned(),
            source: std::io::Error::other(format!(
                "decompresses to more than {MAX_TEXT_BYTES} bytes"
            )),
        });
    }
    Ok(lossy(text))
}

/// `kernel.config` from a kernel config (NFD `parseKconfig`, the "real" map): lines matching
/// `^CONFIG_(\w+)=(.+)`, value with surrounding `"` trimmed and otherwise raw.
pub(crate) fn parse_kconfig(text: &str) -> BTreeMap<&str, &str> {
    let mut config = BTreeMap::new();
    for line in text.split('\n') {
        let Some((name, value)) = line.strip_prefix("CONFIG_").and_then(key_value) else {
            continue;
        };
        config.insert(name, value.trim_matches('"'));
    }
    config
}

/// `kernel.loadedmodule` from `/proc/modules`: the first field of each non-empty line.
pub(crate) fn parse_proc_modules(text: &str) -> Vec<&str> {
    text.split('\n')
        .filter_map(|line| line.split_whitespace().next())
        .collect()
}

/// The built-in module names of `modules.builtin`: basenames of lines ending `.ko`, without it.
pub(crate) fn parse_modules_builtin(text: &str) -> Vec<&str> {
    text.split('\n')
        .filter_map(|line| line.strip_suffix(".ko"))
        .map(|path| path.rsplit('/').next().unwrap_or(path))
        .collect()
}

/// NFD `SelinuxEnabled`: `None` (feature absent) without `/sys/fs`, `false` without
/// `/sys/fs/selinux`, else whether `enforce` starts with `1`.
fn selinux_enabled(root: &HostRoot) -> Result<Option<bool>, SourceError> {
    // Read `enforce` first: when it is there, both directories are, and two stats are saved.
    let enforce = root.join("/sys/fs/selinux/enforce");
    let err = match root.read_attribute(&enforce) {
        // NFD indexes the first byte and would panic on an empty file; we say `false`.
        Ok(text) => return Ok(Some(text.starts_with('1'))),
        Err(err) => err,
    };
    if !root.exists("/sys/fs") {
        return Ok(None);
    }
    if !root.exists("/sys/fs/selinux") {
        return Ok(Some(false));
    }
    Err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::testing;

    #[test]
    fn version_table() {
        // (osrelease, full, [major, minor, revision] or None)
        let cases: &[(&str, &str, Option<[&str; 3]>)] = &[
            ("6.2.3", "6.2.3", Some(["6", "2", "3"])),
            ("6.0.0-beta", "6.0.0-beta", Some(["6", "0", "0"])),
            ("6.8", "6.8", Some(["6", "8", ""])),
            ("6", "6", Some(["6", "", ""])),
            (
                "6.0.10-100+123.x86_64~",
                "6.0.10-100_123.x86_64",
                Some(["6", "0", "10"]),
            ),
            (
                "4.18.0-513.5.1.el8_9.x86_64",
                "4.18.0-513.5.1.el8_9.x86_64",
                Some(["4", "18", "0"]),
            ),
            (
                "6.8.0-45-generic",
                "6.8.0-45-generic",
                Some(["6", "8", "0"]),
            ),
            ("6.1.0-26-arm64", "6.1.0-26-arm64", Some(["6", "1", "0"])),
            ("5.15.0.1", "5.15.0.1", None),
            ("6.8x", "6.8x", None),
            ("6.8.", "6.8", Some(["6", "8", ""])),
            ("v6.8", "v6.8", None),
            ("~6.1~", "6.1", Some(["6", "1", ""])),
            ("6.1-", "6.1", Some(["6", "1", ""])),
            ("6.1.2-", "6.1.2", Some(["6", "1", "2"])),
            ("6.1.2_rc", "6.1.2_rc", None),
            ("", "", None),
        ];
        for (input, full, parts) in cases {
            let got = parse_version(input);
            assert_eq!(got["full"], *full, "full of {input:?}");
            match parts {
                Some([ma, mi, re]) => {
                    assert_eq!(
                        (
                            got["major"].as_str(),
                            got["minor"].as_str(),
                            got["revision"].as_str()
                        ),
                        (*ma, *mi, *re),
                        "parts of {input:?}"
                    );
                }
                None => assert_eq!(got.len(), 1, "only full for {input:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn kconfig_table() {
        let text = "#\n# Automatically generated file; DO NOT EDIT.\nCONFIG_NUMA=y\n\
                    CONFIG_VFIO=m\n# CONFIG_KVM_AMD is not set\nCONFIG_LOCALVERSION=\"\"\n\
                    CONFIG_DEFAULT_HOSTNAME=\"(none)\"\nCONFIG_NR_CPUS=8192\n\
                    CONFIG_CMDLINE=\"a=b \"c\"\"\n  CONFIG_INDENTED=y\nCONFIG_EMPTY=\n\
                    CONFIG_WITH-DASH=y\nCONFIG_CR=y\r\nCONFIG_=y\nCONFIG_X==y";
        let got = parse_kconfig(text);
        let want = BTreeMap::from([
            ("NUMA", "y"),
            ("VFIO", "m"),
            ("LOCALVERSION", ""),
            ("DEFAULT_HOSTNAME", "(none)"),
            ("NR_CPUS", "8192"),
            ("CMDLINE", "a=b \"c"),
            ("CR", "y\r"),
            ("X", "=y"),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn proc_modules_and_builtin() {
        let modules = "vfio_pci 16384 0 - Live 0x0000000000000000\n\
                       nvidia_uvm 1531904 0 - Live 0x0000000000000000 (POE)\n\n   \n\
                       ip_tables 28672 0 - Live 0x0000000000000000\n";
        assert_eq!(
            parse_proc_modules(modules),
            ["vfio_pci", "nvidia_uvm", "ip_tables"]
        );
        let builtin = "kernel/crypto/crypto_algapi.ko\nkernel/drivers/char/hw_random/rng-core.ko\n\
                       ext4.ko\nkernel/x/notamodule.o\nkernel/y/z.ko.xz\n";
        assert_eq!(
            parse_modules_builtin(builtin),
            ["crypto_algapi", "rng-core", "ext4"]
        );
    }

    /// NFD's search order: `/proc/config.gz` first, then the `/usr` locations, `/boot` last; a
    /// corrupt gzip falls through to the next location.
    #[test]
    fn kconfig_search_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = HostRoot::new(dir.path());
        let kver = "6.8.0-1-test";
        let write = |abs: &str, bytes: &[u8]| {
            let path = root.join(abs);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        };
        let read = || read_kconfig(&root, Some(kver)).map_err(|e| e.to_string());
        assert!(
            read()
                .unwrap_err()
                .contains("no readable kernel config in 11 locations")
        );
        write(&format!("/boot/config-{kver}"), b"CONFIG_FROM=boot\n");
        assert_eq!(read().unwrap(), "CONFIG_FROM=boot\n");
        write(
            &format!("/usr/lib/modules/{kver}/config"),
            b"CONFIG_FROM=usr-lib-modules\n",
        );
        assert_eq!(read().unwrap(), "CONFIG_FROM=usr-lib-modules\n");
        write(
            &format!("/usr/src/linux-rt-{kver}/.config"),
            b"CONFIG_FROM=rt\n",
        );
        assert_eq!(read().unwrap(), "CONFIG_FROM=rt\n");
        write("/proc/config.gz", b"corrupt");
        assert_eq!(read().unwrap(), "CONFIG_FROM=rt\n");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"CONFIG_FROM=proc\n").unwrap();
        write("/proc/config.gz", &gz.finish().unwrap());
        assert_eq!(read().unwrap(), "CONFIG_FROM=proc\n");
        // Without a kernel version only `/proc/config.gz` and `/usr/src/linux/.config` count.
        std::fs::remove_file(root.join("/proc/config.gz")).unwrap();
        assert!(read_kconfig(&root, None).is_err());
        write("/usr/src/linux/.config", b"CONFIG_FROM=usr-src-linux\n");
        assert_eq!(
            read_kconfig(&root, None).unwrap(),
            "CONFIG_FROM=usr-src-linux\n"
        );
    }

    #[test]
    fn selinux_states() {
        let dir = tempfile::tempdir().unwrap();
        let root = HostRoot::new(dir.path());
        let sys_fs = root.join("/sys/fs");
        assert_eq!(selinux_enabled(&root).unwrap(), None);
        std::fs::create_dir_all(&sys_fs).unwrap();
        assert_eq!(selinux_enabled(&root).unwrap(), Some(false));
        std::fs::create_dir_all(sys_fs.join("selinux")).unwrap();
        let err = selinux_enabled(&root).unwrap_err();
        assert!(err.to_string().contains("selinux/enforce"), "{err}");
        for (content, want) in [("1", true), ("0", false), ("", false), ("10\n", true)] {
            std::fs::write(sys_fs.join("selinux/enforce"), content).unwrap();
            assert_eq!(selinux_enabled(&root).unwrap(), Some(want), "{content:?}");
        }
    }

    #[test]
    fn gunzip_reports_corrupt_data() {
        assert!(gunzip(Path::new("/x.gz"), b"not gzip").is_err());
    }

    #[test]
    fn minimal_container_kernel() {
        let out = testing::discover(&Kernel, "minimal-container");
        let json = testing::features_json(&out);
        assert_eq!(
            json["attributes"],
            serde_json::json!({
                "kernel.kvm": {"elements": {"enabled": "false"}},
                "kernel.version": {"elements": {
                    "full": "5.14.0-427.13.1.el9_4.x86_64", "major": "5", "minor": "14",
                    "revision": "0"}}
            })
        );
        assert_eq!(json["flags"], serde_json::json!({}));
        // osrelease read; no config, no /proc/modules, no modules.builtin.
        assert_eq!(out.warnings.len(), 3, "{:?}", out.warnings);
    }
}
