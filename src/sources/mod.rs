//! Host discovery: NFD's feature sources, reading a host through a [`HostRoot`].
//!
//! Each source fills [`Features`] with NFD's keys, element names and value formats. Every file
//! is read through the [`HostRoot`], so `--host-root /host` discovers a host mounted elsewhere
//! and tests point it at `testdata/hosts/<name>`. What the CPU itself reports (CPUID, HWCAP)
//! comes from a [`Machine`], native by default or loaded from a capture.
//!
//! A source never aborts discovery: a missing directory gives an empty feature (where NFD gives
//! one) or a [`Warning`] (where NFD would fail the whole run).

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::features::Features;
use crate::warning::{Topic, Warning};

pub(crate) mod cpu;
mod kernel;
mod local;
mod memory;
mod network;
pub(crate) mod pci;
mod storage;
pub(crate) mod system;
mod usb;

pub use cpu::Machine;

/// The largest sysfs or procfs attribute read (one value: `class`, `nr_hugepages`...).
pub(crate) const MAX_ATTRIBUTE_BYTES: u64 = 64 * 1024;

/// The largest whole host text file read (`/proc/modules`, `modules.builtin`, a kernel
/// config, `/proc/self/mountinfo`, `/etc/os-release`), and the most a gzipped kernel config
/// may decompress to.
pub(crate) const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;

/// The most entries read from one host directory.
pub(crate) const MAX_DIR_ENTRIES: usize = 65_536;

/// The most symbolic links followed resolving one host path (Linux's own limit).
const MAX_LINKS: usize = 40;

/// The root of the host's file system (`/`, or where the host is mounted).
///
/// Every read stays inside the root: below a root other than `/`, each path is resolved one
/// component at a time, `..` stops at the root and a symbolic link is followed as the host
/// would see it, an absolute target starting again at the root (like `openat2` with
/// `RESOLVE_IN_ROOT`). NFD joins paths without this, so a crafted kernel release or link can
/// make it read outside the mount (README, "Where nfd-compat differs from NFD"). Every file
/// is opened without blocking and must be a regular file (a FIFO, device or socket is
/// refused, so nothing hangs), and is read up to a limit that depends on its kind (README,
/// "Input limits").
#[derive(Clone)]
pub struct HostRoot {
    root: PathBuf,
    /// Whether paths must be resolved inside the root (any root but `/`).
    confined: bool,
    /// Directories already resolved: the path as joined (root included, as bytes: hashing
    /// bytes is cheaper than hashing a path's components) and where it is.
    resolved: Arc<Mutex<HashMap<Box<[u8]>, PathBuf>>>,
}

impl fmt::Debug for HostRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostRoot")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl PartialEq for HostRoot {
    fn eq(&self, other: &Self) -> bool {
        self.root == other.root
    }
}

impl Eq for HostRoot {}

impl HostRoot {
    /// A host root at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Self {
            confined: root != Path::new("/"),
            root,
            resolved: Arc::default(),
        }
    }

    /// The root directory itself.
    pub(crate) fn path(&self) -> &Path {
        &self.root
    }

    /// The host path `abs` (written as on the host, e.g. `/proc/modules`) under this root, as
    /// written: reads resolve it inside the root.
    pub(crate) fn join(&self, abs: impl AsRef<Path>) -> PathBuf {
        let abs = abs.as_ref();
        let rel = abs.strip_prefix("/").unwrap_or(abs);
        self.root.join(rel)
    }

    /// Reads a host text file (lossily: sysfs and procfs are ASCII in practice), up to
    /// [`MAX_TEXT_BYTES`].
    pub(crate) fn read(&self, abs: impl AsRef<Path>) -> Result<String, SourceError> {
        self.read_path(&self.join(abs))
    }

    /// Reads a host attribute and trims surrounding whitespace.
    pub(crate) fn read_trimmed(&self, abs: impl AsRef<Path>) -> Result<String, SourceError> {
        self.read_path_trimmed(&self.join(abs))
    }

    /// Reads the raw bytes of a host attribute (up to [`MAX_ATTRIBUTE_BYTES`]).
    pub(crate) fn read_bytes(&self, abs: impl AsRef<Path>) -> Result<Vec<u8>, SourceError> {
        self.read_limited(&self.join(abs), MAX_ATTRIBUTE_BYTES)
    }

    /// The names of the entries of a host directory, sorted.
    pub(crate) fn read_dir_names(&self, abs: impl AsRef<Path>) -> Result<Vec<String>, SourceError> {
        self.read_dir_names_at(&self.join(abs))
    }

    /// Whether a host path exists (following links, inside the root).
    pub(crate) fn exists(&self, abs: impl AsRef<Path>) -> bool {
        self.exists_at(&self.join(abs))
    }

    /// Whether a path given with the root (as from [`HostRoot::join`]) exists.
    pub(crate) fn exists_at(&self, path: &Path) -> bool {
        self.resolve(path).is_ok_and(|real| real.exists())
    }

    /// Where `path` (root included, as from [`HostRoot::join`]) really is, every link
    /// resolved inside the root. Below `/` the path is returned as it is.
    pub(crate) fn resolve(&self, path: &Path) -> Result<PathBuf, SourceError> {
        if !self.confined {
            return Ok(path.to_owned());
        }
        let under_root = path
            .strip_prefix(&self.root)
            .map_err(|_| SourceError::Outside {
                path: path.to_owned(),
            })?;
        let mut real = self.root.clone();
        let mut depth = 0usize;
        let mut pending: Vec<OsString> = components(under_root);
        let mut links = 0usize;
        while let Some(name) = pending.pop() {
            if name == ".." {
                if depth > 0 {
                    real.pop();
                    depth -= 1;
                }
                continue;
            }
            let next = real.join(&name);
            let meta = fs::symlink_metadata(&next).map_err(|source| SourceError::Read {
                path: path.to_owned(),
                source,
            })?;
            if !meta.file_type().is_symlink() {
                real = next;
                depth += 1;
                continue;
            }
            links += 1;
            if links > MAX_LINKS {
                return Err(SourceError::Links {
                    path: path.to_owned(),
                });
            }
            let target = fs::read_link(&next).map_err(|source| SourceError::Read {
                path: path.to_owned(),
                source,
            })?;
            if target.has_root() {
                real.clone_from(&self.root);
                depth = 0;
            }
            pending.extend(components(&target));
        }
        Ok(real)
    }

    /// [`HostRoot::resolve`] for a directory, remembered for the next file in it.
    fn resolve_dir(&self, dir: &Path) -> Result<PathBuf, SourceError> {
        if !self.confined {
            return Ok(dir.to_owned());
        }
        if let Some(real) = self.cached(dir) {
            return Ok(real);
        }
        let real = self.resolve(dir)?;
        if let Ok(mut cache) = self.resolved.lock() {
            cache.insert(dir.as_os_str().as_bytes().into(), real.clone());
        }
        Ok(real)
    }

    fn cached(&self, dir: &Path) -> Option<PathBuf> {
        self.resolved
            .lock()
            .ok()?
            .get(dir.as_os_str().as_bytes())
            .cloned()
    }

    /// Opens a regular file given with the root, inside the root, without blocking: a FIFO,
    /// socket or device is refused before anything is read from it.
    pub(crate) fn open(&self, path: &Path) -> Result<fs::File, SourceError> {
        let read_err = |source| SourceError::Read {
            path: path.to_owned(),
            source,
        };
        let mut options = fs::OpenOptions::new();
        options.read(true);
        let file = if self.confined {
            // The directory is resolved (and remembered); the file itself is opened without
            // following a link, and only a link is resolved the slow way.
            options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
            let direct = match (path.parent(), path.file_name()) {
                (Some(dir), Some(name)) => {
                    // A missing directory is reported as the file asked for.
                    let dir = self.resolve_dir(dir).map_err(|e| match e {
                        SourceError::Read { source, .. } => read_err(source),
                        other => other,
                    })?;
                    Some(options.open(dir.join(name)))
                }
                _ => None,
            };
            match direct {
                Some(Err(e)) if e.raw_os_error() == Some(libc::ELOOP) => {
                    options.open(self.resolve(path)?).map_err(read_err)?
                }
                Some(result) => result.map_err(read_err)?,
                None => options.open(self.resolve(path)?).map_err(read_err)?,
            }
        } else {
            options.custom_flags(libc::O_NONBLOCK);
            options.open(path).map_err(read_err)?
        };
        let kind = file.metadata().map_err(read_err)?.file_type();
        if !kind.is_file() {
            return Err(SourceError::NotRegular {
                path: path.to_owned(),
                kind: crate::input::file_kind(kind),
            });
        }
        Ok(file)
    }

    /// Reads a file given with the root, refusing (while reading) more than `limit` bytes.
    pub(crate) fn read_limited(&self, path: &Path, limit: u64) -> Result<Vec<u8>, SourceError> {
        let file = self.open(path)?;
        read_at_most(file, path, limit)
    }

    /// Reads a text file given with the root (lossily), up to [`MAX_TEXT_BYTES`].
    pub(crate) fn read_path(&self, path: &Path) -> Result<String, SourceError> {
        self.read_limited(path, MAX_TEXT_BYTES).map(lossy)
    }

    /// Reads an attribute given with the root (lossily), up to [`MAX_ATTRIBUTE_BYTES`].
    pub(crate) fn read_attribute(&self, path: &Path) -> Result<String, SourceError> {
        self.read_limited(path, MAX_ATTRIBUTE_BYTES).map(lossy)
    }

    /// Reads an attribute given with the root and trims surrounding whitespace (NFD's
    /// `strings.TrimSpace`).
    pub(crate) fn read_path_trimmed(&self, path: &Path) -> Result<String, SourceError> {
        self.read_attribute(path).map(|s| {
            let trimmed = s.trim();
            if trimmed.len() == s.len() {
                s
            } else {
                trimmed.to_owned()
            }
        })
    }

    /// The entries of a directory given with the root (at most [`MAX_DIR_ENTRIES`]): names,
    /// and whether each is a directory or a link.
    pub(crate) fn read_dir_entries(&self, path: &Path) -> Result<Vec<(String, bool)>, SourceError> {
        let read_err = |source| SourceError::Read {
            path: path.to_owned(),
            source,
        };
        let entries = fs::read_dir(self.resolve_dir(path)?).map_err(read_err)?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(read_err)?;
            if names.len() == MAX_DIR_ENTRIES {
                return Err(SourceError::TooManyEntries {
                    path: path.to_owned(),
                    limit: MAX_DIR_ENTRIES,
                });
            }
            let dir_or_link = entry
                .file_type()
                .is_ok_and(|t| t.is_dir() || t.is_symlink());
            names.push((
                entry.file_name().to_string_lossy().into_owned(),
                dir_or_link,
            ));
        }
        names.sort_unstable();
        Ok(names)
    }

    /// The names of the entries of a directory given with the root, sorted (Go's
    /// `os.ReadDir`).
    pub(crate) fn read_dir_names_at(&self, path: &Path) -> Result<Vec<String>, SourceError> {
        Ok(self
            .read_dir_entries(path)?
            .into_iter()
            .map(|(name, _)| name)
            .collect())
    }
}

/// The components of a relative or absolute path, last first (a stack to pop), without the
/// root and `.`.
fn components(path: &Path) -> Vec<OsString> {
    path.components()
        .rev()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_owned()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// Reads `r` (from `path`) to the end, refusing more than `limit` bytes as soon as the limit
/// is passed.
///
/// Reads in 4 KiB chunks: a sysfs attribute takes one read and one more for the end of file,
/// with no probing and no buffer growth.
pub(crate) fn read_at_most(
    mut r: impl Read,
    path: &Path,
    limit: u64,
) -> Result<Vec<u8>, SourceError> {
    let limit_len = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut chunk = [0u8; 4096];
    let mut bytes = Vec::new();
    loop {
        match r.read(&mut chunk) {
            Ok(0) => return Ok(bytes),
            Ok(n) => {
                if bytes.len() + n > limit_len {
                    return Err(SourceError::TooLarge {
                        path: path.to_owned(),
                        limit,
                    });
                }
                bytes.extend_from_slice(&chunk[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(SourceError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        }
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

/// `KEY=VALUE` (Go's `^(\w+)=(.+)`): the leading `[A-Za-z0-9_]` run and what follows its `=`;
/// `None` when either is empty or no `=` follows the key.
pub(crate) fn key_value(line: &str) -> Option<(&str, &str)> {
    let end = line
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(line.len());
    let (key, rest) = line.split_at(end);
    let value = rest.strip_prefix('=')?;
    (!key.is_empty() && !value.is_empty()).then_some((key, value))
}

/// Bytes as text, invalid UTF-8 replaced (sysfs and procfs are ASCII in practice).
pub(crate) fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// An I/O failure while discovering, naming the path.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SourceError {
    /// A file or directory could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The path as seen from here (host root included).
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A host file is a FIFO, device, socket or directory, where a regular file was expected.
    #[error("`{}` is a {kind}, not a regular file", path.display())]
    NotRegular {
        /// The path as seen from here (host root included).
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// A host file is larger than the limit for its kind.
    #[error("`{}` is larger than {limit} bytes, the limit for this file", path.display())]
    TooLarge {
        /// The path as seen from here (host root included).
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A host directory has more entries than read.
    #[error("`{}` has more than {limit} entries", path.display())]
    TooManyEntries {
        /// The path as seen from here (host root included).
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// Resolving a host path followed too many symbolic links (a loop).
    #[error("too many symbolic links resolving `{}`", path.display())]
    Links {
        /// The path as seen from here (host root included).
        path: PathBuf,
    },
    /// A path that is not under the host root was to be read (a bug).
    #[error("`{}` is not under the host root", path.display())]
    Outside {
        /// The path.
        path: PathBuf,
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
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, SourceError::Read { source, .. } if source.kind() == io::ErrorKind::NotFound)
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
    /// The features to discover.
    pub wanted: Wanted,
}

/// Which features a discovery produces: all of them (`export features`, `init`), or only the
/// ones a spec's rules read (validate-node), so that a spec without `kernel.config` does not
/// pay for decompressing and parsing the kernel config. A feature nobody reads cannot change a
/// verdict; a source that is not run warns about nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Wanted {
    /// Every feature of every source.
    #[default]
    All,
    /// These features (lower-cased keys) only.
    Only(BTreeSet<String>),
}

impl Wanted {
    /// The features `keys` name (lower-cased, as rules look them up). `rule.matched` is the
    /// engine's own; any other key no source produces asks for everything, so that the report
    /// can suggest the nearest feature the node has.
    pub fn of<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        let mut only = BTreeSet::new();
        for key in keys {
            if key == "rule.matched" {
                continue;
            }
            if !SOURCES.iter().any(|s| s.features().contains(&key)) {
                return Self::All;
            }
            only.insert(key.to_owned());
        }
        Self::Only(only)
    }

    /// Whether `feature` is to be discovered.
    pub(crate) fn wants(&self, feature: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(keys) => keys.contains(feature),
        }
    }

    /// Whether any of `features` is to be discovered.
    pub(crate) fn wants_any(&self, features: &[&str]) -> bool {
        features.iter().any(|f| self.wants(f))
    }
}

impl Context {
    /// A context for the host under `root` on `machine`, at the current time.
    pub(crate) fn new(root: HostRoot, machine: Machine, node_name: Option<String>) -> Self {
        Self {
            root,
            machine,
            node_name,
            now: SystemTime::now(),
            wanted: Wanted::All,
        }
    }
}

/// What a source produced: features, and warnings about what it could not read.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The features found.
    pub(crate) features: Features,
    /// What could not be discovered.
    pub(crate) warnings: Vec<Warning>,
}

impl Discovered {
    /// Records a warning from `source`.
    pub(crate) fn warn(&mut self, source: &'static str, err: &dyn std::error::Error) {
        self.warnings
            .push(Warning::from_error(Topic::Discovery(source), err));
    }

    /// Records a warning from `source` about `err`, which leaves `features` undiscovered or
    /// incomplete.
    pub(crate) fn lost(
        &mut self,
        source: &'static str,
        features: &'static [&'static str],
        err: &dyn std::error::Error,
    ) {
        self.warnings
            .push(Warning::from_error(Topic::Discovery(source), err).losing(features));
    }

    /// The value of `result`, or `None` with its error recorded as a warning from `source`
    /// that leaves `features` undiscovered or incomplete.
    pub(crate) fn ok_or_lost<T, E: std::error::Error>(
        &mut self,
        source: &'static str,
        features: &'static [&'static str],
        result: Result<T, E>,
    ) -> Option<T> {
        result.map_err(|err| self.lost(source, features, &err)).ok()
    }

    /// The value of `result`, or `None` with its error recorded as a warning from `source`.
    pub(crate) fn ok_or_warn<T, E: std::error::Error>(
        &mut self,
        source: &'static str,
        result: Result<T, E>,
    ) -> Option<T> {
        result.map_err(|err| self.warn(source, &err)).ok()
    }
}

/// One NFD feature source.
pub(crate) trait Source: Sync {
    /// Every feature the source can produce.
    fn features(&self) -> &'static [&'static str];

    /// Discovers the source's features into `out` (only those `ctx.wanted` wants where that
    /// spares work).
    fn discover(&self, ctx: &Context, out: &mut Discovered);
}

/// Every source, in NFD's set for `nfd compat validate-node` (all but `fake`).
pub(crate) const SOURCES: &[&dyn Source] = &[
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

/// Runs every source that produces a wanted feature and merges what they found.
pub fn discover_all(ctx: &Context) -> Discovered {
    let mut all = Discovered::default();
    for source in SOURCES
        .iter()
        .filter(|s| ctx.wanted.wants_any(s.features()))
    {
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

    /// Runs one source on fixture `name`, checks that it warned of nothing and returns its
    /// features as JSON.
    pub(crate) fn features_without_warnings(source: &dyn Source, name: &str) -> serde_json::Value {
        let out = discover(source, name);
        assert_eq!(out.warnings, []);
        features_json(&out)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{Discovered, SOURCES, Wanted, discover_all, testing};

    /// Every source, without what `cpu` found (its results depend on the machine running the
    /// tests).
    fn discover_host(name: &str) -> Discovered {
        let mut all = discover_all(&testing::context(name));
        let not_cpu = |key: &String| !key.starts_with("cpu.");
        all.features.flags.retain(|k, _| not_cpu(k));
        all.features.attributes.retain(|k, _| not_cpu(k));
        all.features.instances.retain(|k, _| not_cpu(k));
        all.warnings.retain(|w| w.source() != Some("cpu"));
        all
    }

    /// The discovered features and warnings of a fixture, with the fixture path as `<root>`.
    fn snapshot(name: &str) -> serde_json::Value {
        let out = discover_host(name);
        let root = testing::host(name).path().display().to_string();
        let warnings: Vec<String> = out
            .warnings
            .iter()
            .map(|w| {
                let source = w.source().unwrap_or_default();
                format!("{source}: {}", w.message.replace(&root, "<root>"))
            })
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

    const HOSTS: [&str; 6] = [
        "intel-server",
        "amd-host",
        "arm64-host",
        "minimal-container",
        "nfd-local",
        "nfd-pci-rootfs1",
    ];

    /// Each source declares every feature it produces, so that a discovery of some features
    /// runs every source that can produce them.
    #[test]
    fn every_source_declares_what_it_produces() {
        for name in HOSTS {
            let ctx = testing::context(name);
            for source in SOURCES {
                let mut out = Discovered::default();
                source.discover(&ctx, &mut out);
                for key in out.features.keys() {
                    assert!(
                        source.features().contains(&key),
                        "{name}: `{key}` is not among {:?}",
                        source.features()
                    );
                }
                for w in &out.warnings {
                    for lost in w.lost {
                        assert!(source.features().contains(lost), "{name}: {lost}");
                    }
                }
            }
        }
    }

    /// Discovering some features gives exactly those features, with the values and warnings
    /// that discovering everything gives them.
    #[test]
    fn a_wanted_feature_is_discovered_as_in_a_full_discovery() {
        for name in HOSTS {
            let all = discover_all(&testing::context(name));
            for source in SOURCES {
                for &feature in source.features() {
                    let mut ctx = testing::context(name);
                    ctx.wanted = Wanted::of([feature]);
                    assert_eq!(ctx.wanted, Wanted::Only([feature.to_owned()].into()));
                    let some = discover_all(&ctx);
                    let json = |f: &crate::features::Features| {
                        let mut v = serde_json::to_value(f).unwrap();
                        for kind in ["flags", "attributes", "instances"] {
                            if let Some(map) = v[kind].as_object_mut() {
                                map.retain(|k, _| k == feature);
                            }
                        }
                        v
                    };
                    assert_eq!(
                        json(&some.features),
                        json(&all.features),
                        "{name}: {feature}"
                    );
                    let own = |d: &Discovered| -> Vec<String> {
                        d.warnings
                            .iter()
                            .filter(|w| w.lost.contains(&feature))
                            .map(ToString::to_string)
                            .collect()
                    };
                    assert_eq!(own(&some), own(&all), "{name}: {feature}");
                    // No other source ran.
                    let others: Vec<&str> = some
                        .features
                        .keys()
                        .into_iter()
                        .filter(|k| !source.features().contains(k))
                        .collect();
                    assert!(others.is_empty(), "{name}: {feature}: {others:?}");
                }
            }
        }
    }

    #[test]
    fn wanted_features_come_from_the_rules() {
        let keys = ["kernel.loadedmodule", "rule.matched", "pci.device"];
        let Wanted::Only(only) = Wanted::of(keys) else {
            panic!("expected some features");
        };
        assert_eq!(
            only.into_iter().collect::<Vec<_>>(),
            ["kernel.loadedmodule", "pci.device"]
        );
        // A feature no source produces: everything, for the report's "did you mean".
        assert_eq!(Wanted::of(["kernel.loadedmodules"]), Wanted::All);
        assert_eq!(
            Wanted::of([]),
            Wanted::Only(std::collections::BTreeSet::new())
        );
        assert!(Wanted::All.wants("usb.device"));
        assert!(!Wanted::of(["pci.device"]).wants("usb.device"));
    }
}
