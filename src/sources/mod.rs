//! Host discovery: NFD's feature sources, reading a host through a [`HostRoot`].
//!
//! Each source fills [`Features`] with NFD's keys, element names and value formats. Every file
//! is read through the [`HostRoot`], so `--host-root /host` discovers a host mounted elsewhere
//! and tests point it at `testdata/hosts/<name>`. What the CPU itself reports (CPUID, HWCAP)
//! comes from a [`Machine`], native by default or loaded from a capture.
//!
//! A source never aborts discovery: a missing directory gives an empty feature (where NFD gives
//! one) or a [`Warning`] (where NFD would fail the whole run).

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::features::Features;

pub mod cpu;
mod kernel;
mod local;
mod memory;
mod network;
pub(crate) mod pci;
mod storage;
pub(crate) mod system;
mod usb;

pub use cpu::Machine;

/// The root of the host's file system (`/`, or where the host is mounted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRoot {
    root: PathBuf,
}

impl HostRoot {
    /// A host root at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory itself.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The host path `abs` (written as on the host, e.g. `/proc/modules`) under this root.
    pub fn join(&self, abs: impl AsRef<Path>) -> PathBuf {
        let abs = abs.as_ref();
        let rel = abs.strip_prefix("/").unwrap_or(abs);
        self.root.join(rel)
    }

    /// Reads a host file as text (lossily: sysfs and procfs are ASCII in practice).
    pub fn read(&self, abs: impl AsRef<Path>) -> Result<String, SourceError> {
        read_path(&self.join(abs))
    }

    /// Reads a small host file (an attribute) and trims surrounding whitespace.
    pub fn read_trimmed(&self, abs: impl AsRef<Path>) -> Result<String, SourceError> {
        read_path_trimmed(&self.join(abs))
    }

    /// Reads raw bytes of a host file.
    pub fn read_bytes(&self, abs: impl AsRef<Path>) -> Result<Vec<u8>, SourceError> {
        let path = self.join(abs);
        fs::read(&path).map_err(|source| SourceError::Read { path, source })
    }

    /// The names of the entries of a host directory, sorted.
    pub fn read_dir_names(&self, abs: impl AsRef<Path>) -> Result<Vec<String>, SourceError> {
        read_dir_names_at(&self.join(abs))
    }

    /// Whether a host path exists (following links).
    pub fn exists(&self, abs: impl AsRef<Path>) -> bool {
        self.join(abs).exists()
    }
}

/// The leading ASCII digits of `s` and the rest; `None` when `s` does not start with a digit.
pub(crate) fn take_digits(s: &str) -> Option<(&str, &str)> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    (end > 0).then(|| s.split_at(end))
}

/// Bytes as text, invalid UTF-8 replaced (sysfs and procfs are ASCII in practice).
pub(crate) fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Reads a file, given by its full path (host root included), as text (lossily).
///
/// Sources that walk a directory join each entry once and read its attributes through this,
/// instead of re-joining the host root for every file.
pub(crate) fn read_path(path: &Path) -> Result<String, SourceError> {
    match fs::read(path) {
        Ok(bytes) => Ok(lossy(bytes)),
        Err(source) => Err(SourceError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Reads a small file (a sysfs or procfs attribute) by its full path as text (lossily).
///
/// Unlike `fs::read` this does not `fstat` the file first to size the buffer (sysfs reports a
/// size of 4096 for every attribute anyway): one `open`, reads until end of file, one `close`.
pub(crate) fn read_attribute(path: &Path) -> Result<String, SourceError> {
    let read_err = |source| SourceError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = fs::File::open(path).map_err(read_err)?;
    let mut chunk = [0u8; 4096];
    let mut bytes = Vec::new();
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(read_err(err)),
        }
    }
    Ok(lossy(bytes))
}

/// Reads a small file by its full path and trims surrounding whitespace (NFD's
/// `strings.TrimSpace`).
pub(crate) fn read_path_trimmed(path: &Path) -> Result<String, SourceError> {
    read_attribute(path).map(|s| {
        let trimmed = s.trim();
        if trimmed.len() == s.len() {
            s
        } else {
            trimmed.to_owned()
        }
    })
}

/// The names of the entries of a directory given by its full path, sorted (Go's `os.ReadDir`).
pub(crate) fn read_dir_names_at(path: &Path) -> Result<Vec<String>, SourceError> {
    let entries = fs::read_dir(path).map_err(|source| SourceError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| SourceError::Read {
            path: path.to_owned(),
            source,
        })?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort_unstable();
    Ok(names)
}

/// An I/O failure while discovering, naming the path.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A file or directory could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The path as seen from here (host root included).
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A file could be read but not understood.
    #[error("cannot parse `{}`: {reason}", path.display())]
    Parse {
        /// The path as seen from here (host root included).
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

impl SourceError {
    /// Whether the error is a missing file or directory.
    pub fn is_not_found(&self) -> bool {
        matches!(self, SourceError::Read { source, .. } if source.kind() == io::ErrorKind::NotFound)
    }
}

/// Something a source could not discover, reported instead of aborting.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The source (`pci`, `kernel`, ...).
    pub source: &'static str,
    /// What happened, in one line.
    pub message: String,
    /// The features left undiscovered or incomplete by it (a rule on them that fails cannot
    /// tell whether the node has what it needs).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub features: &'static [&'static str],
}

impl Warning {
    /// A warning from `source` about `err`, with its cause chain in one line.
    pub fn from_error(source: &'static str, err: &dyn std::error::Error) -> Self {
        let mut message = err.to_string();
        let mut cause = err.source();
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        Self {
            source,
            message,
            features: &[],
        }
    }
}

/// Everything discovery needs besides the sources themselves.
#[derive(Debug, Clone)]
pub struct Context {
    /// Where the host's files are.
    pub root: HostRoot,
    /// What the CPU reports.
    pub machine: Machine,
    /// The node name (`NODE_NAME` in NFD), for `system.name`.
    pub node_name: Option<String>,
    /// The current time, for `local` expiry directives.
    pub now: SystemTime,
}

impl Context {
    /// A context for the host under `root` on `machine`, at the current time.
    pub fn new(root: HostRoot, machine: Machine, node_name: Option<String>) -> Self {
        Self {
            root,
            machine,
            node_name,
            now: SystemTime::now(),
        }
    }
}

/// What a source produced: features, and warnings about what it could not read.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The features found.
    pub features: Features,
    /// What could not be discovered.
    pub warnings: Vec<Warning>,
}

impl Discovered {
    /// Records a warning from `source`.
    pub fn warn(&mut self, source: &'static str, err: &dyn std::error::Error) {
        self.warnings.push(Warning::from_error(source, err));
    }

    /// Records a warning from `source` about `err`, which leaves `features` undiscovered or
    /// incomplete.
    pub fn lost(
        &mut self,
        source: &'static str,
        features: &'static [&'static str],
        err: &dyn std::error::Error,
    ) {
        let mut warning = Warning::from_error(source, err);
        warning.features = features;
        self.warnings.push(warning);
    }

    /// The value of `result`, or `None` with its error recorded as a warning from `source`
    /// that leaves `features` undiscovered or incomplete.
    pub fn ok_or_lost<T, E: std::error::Error>(
        &mut self,
        source: &'static str,
        features: &'static [&'static str],
        result: Result<T, E>,
    ) -> Option<T> {
        result.map_err(|err| self.lost(source, features, &err)).ok()
    }

    /// The value of `result`, or `None` with its error recorded as a warning from `source`.
    pub fn ok_or_warn<T, E: std::error::Error>(
        &mut self,
        source: &'static str,
        result: Result<T, E>,
    ) -> Option<T> {
        result.map_err(|err| self.warn(source, &err)).ok()
    }
}

/// One NFD feature source.
pub trait Source: Sync {
    /// The source's name, the first part of its feature keys (`cpu`).
    fn name(&self) -> &'static str;
    /// Discovers the source's features into `out`.
    fn discover(&self, ctx: &Context, out: &mut Discovered);
}

/// Every source, in NFD's set for `nfd compat validate-node` (all but `fake`).
pub const SOURCES: &[&dyn Source] = &[
    &cpu::Cpu,
    &kernel::Kernel,
    &local::Local,
    &memory::Memory,
    &network::Network,
    &pci::Pci,
    &storage::Storage,
    &system::System,
    &usb::Usb,
];

/// Runs every source and merges what they found.
pub fn discover_all(ctx: &Context) -> Discovered {
    let mut all = Discovered::default();
    for source in SOURCES {
        let mut one = Discovered::default();
        source.discover(ctx, &mut one);
        all.features.extend(one.features);
        all.warnings.extend(one.warnings);
    }
    all
}

/// Helpers for source tests: fixture host roots and a fixed clock.
#[cfg(test)]
pub(crate) mod testing {
    use std::time::{Duration, SystemTime};

    use super::{Context, Discovered, HostRoot, Source};

    /// The fixture host tree `testdata/hosts/<name>`.
    pub(crate) fn host(name: &str) -> HostRoot {
        HostRoot::new(format!(
            "{}/testdata/hosts/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
    }

    /// A context for fixture `name` at 2026-01-01T00:00:00Z with node name `node-1`.
    pub(crate) fn context(name: &str) -> Context {
        let mut ctx = Context::new(
            host(name),
            super::Machine::native(),
            Some("node-1".to_owned()),
        );
        // 20454 days after the epoch.
        ctx.now = SystemTime::UNIX_EPOCH + Duration::from_secs(20_454 * 24 * 3600);
        ctx
    }

    /// Runs one source on fixture `name`.
    pub(crate) fn discover(source: &dyn Source, name: &str) -> Discovered {
        let mut out = Discovered::default();
        source.discover(&context(name), &mut out);
        out
    }

    /// The features of one source as pretty JSON, for exact comparisons.
    pub(crate) fn features_json(out: &Discovered) -> serde_json::Value {
        serde_json::to_value(&out.features).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{Discovered, SOURCES, testing};

    /// Every source but `cpu` (whose results depend on the machine running the tests).
    fn discover_host(name: &str) -> Discovered {
        let ctx = testing::context(name);
        let mut all = Discovered::default();
        for source in SOURCES.iter().filter(|s| s.name() != "cpu") {
            source.discover(&ctx, &mut all);
        }
        all
    }

    /// The discovered features and warnings of a fixture, with the fixture path as `<root>`.
    fn snapshot(name: &str) -> serde_json::Value {
        let out = discover_host(name);
        let root = testing::host(name).path().display().to_string();
        let warnings: Vec<String> = out
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.source, w.message.replace(&root, "<root>")))
            .collect();
        serde_json::json!({ "features": out.features, "warnings": warnings })
    }

    /// Compares every fixture host with `testdata/hosts/<name>.expected.json`. Run with
    /// `NFD_COMPAT_UPDATE_EXPECTED=1` to rewrite the files, then review the diff by hand.
    #[test]
    fn fixture_hosts_match_expected_json() {
        let hosts = [
            "intel-server",
            "amd-host",
            "arm64-host",
            "minimal-container",
        ];
        let update = std::env::var_os("NFD_COMPAT_UPDATE_EXPECTED").is_some();
        for name in hosts {
            let got = snapshot(name);
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join(format!("testdata/hosts/{name}.expected.json"));
            if update {
                let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
                std::fs::write(&path, text).unwrap();
                continue;
            }
            let want: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(got, want, "fixture {name} differs from {}", path.display());
        }
    }
}
