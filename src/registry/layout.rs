//! OCI image layouts (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) as a [`Store`]: the
//! directories `skopeo copy ... oci:DIR:TAG`, `oras copy --to-oci-layout` and `buildah push
//! ... oci:DIR` write, read and written the way oras's OCI store does.
//!
//! - An image is an `index.json` entry tagged with `org.opencontainers.image.ref.name`, or
//!   any manifest by digest.
//! - The artifacts of a manifest are the `index.json` entries (tagged or not) whose manifest
//!   has it as `subject` and the compatibility artifact type, plus those of a `sha256-<hex>`
//!   tag-schema index tagged in `index.json` (what `oras copy` brings from a registry without
//!   the referrers API).
//! - Every blob is read only after its digest passed a strict check (`sha256:` and 64, or
//!   `sha512:` and 128, lower-case hex digits), so no file outside `blobs/` is ever opened,
//!   and its size and digest are verified, with the registry's 4 MiB limit.
//! - Writing stores blobs first (each through a temporary file and a rename), then replaces
//!   `index.json` by rename, so a crash leaves the old index; a lock file
//!   (`.nfd-compat.lock`, holding the writer's process id) makes a second writer fail
//!   instead of losing an update. Every existing entry and tag is kept.

use std::fmt;
use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::spec::ARTIFACT_TYPE;

use super::error::{RegistryError, decode};
use super::fetch::{LookupPath, find_attached};
use super::oci::{self, Descriptor, Index, Manifest};
use super::reference::{DigestProblem, ReferenceError, digest_parts};
use super::repo::ManifestBytes;
use super::store::{MAX_FETCH_BYTES, Sink, Store};

/// The annotation naming an `index.json` entry (its tag).
pub(crate) const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// The largest `index.json` read.
const MAX_INDEX_BYTES: u64 = 16 << 20;
/// The lock file another writer's presence is detected by.
const LOCK_FILE: &str = ".nfd-compat.lock";
/// How many times an edit of `index.json` is redone when another program replaced it.
const INDEX_ATTEMPTS: usize = 3;
/// How long a writer waits for another one to finish.
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// Why a layout could not be read or written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LayoutError {
    /// The directory does not exist.
    #[error(
        "OCI layout `{dir}` does not exist: give the directory `skopeo copy ... oci:DIR:TAG` or `oras copy --to-oci-layout` wrote"
    )]
    Missing {
        /// The directory.
        dir: String,
    },
    /// Not a layout.
    #[error(
        "`{dir}` is not an OCI image layout: {reason} (a layout has `oci-layout`, `index.json` and `blobs/`)"
    )]
    NotLayout {
        /// The directory.
        dir: String,
        /// What is wrong.
        reason: String,
    },
    /// No entry has the tag.
    #[error("tag `{tag}` is not in OCI layout `{dir}` (its tags: {available})")]
    UnknownTag {
        /// The directory.
        dir: String,
        /// The tag asked for.
        tag: String,
        /// The tags there are.
        available: String,
    },
    /// No tag given and no single image to take.
    #[error(
        "OCI layout `{dir}` holds several images: name one with `oci:{dir}:TAG` (its tags: {available})"
    )]
    NeedTag {
        /// The directory.
        dir: String,
        /// The tags there are.
        available: String,
    },
    /// A blob that is not there.
    #[error("{what} ({digest}) is not in OCI layout `{dir}`: its blob file is missing")]
    MissingBlob {
        /// The directory.
        dir: String,
        /// What.
        what: String,
        /// Its digest.
        digest: String,
    },
    /// A digest that cannot name a blob file.
    #[error("{what} has an invalid digest `{digest}` in OCI layout `{dir}`: {reason}")]
    BadDigest {
        /// The directory.
        dir: String,
        /// What.
        what: String,
        /// The digest.
        digest: String,
        /// Why.
        reason: String,
    },
    /// Content that does not match its digest or size.
    #[error(
        "{what} in OCI layout `{dir}` does not match its {expected}: the layout is corrupt or was changed"
    )]
    Corrupt {
        /// The directory.
        dir: String,
        /// What.
        what: String,
        /// The digest or size it should have.
        expected: String,
    },
    /// Another process holds the lock.
    #[error(
        "OCI layout `{dir}` is being changed by another process ({holder}); try again when it is done (if no such process runs, remove `{lock}`)"
    )]
    Locked {
        /// The directory.
        dir: String,
        /// The lock file.
        lock: String,
        /// Who holds it.
        holder: String,
    },
    /// A file could not be read or written.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// read, write...
        action: &'static str,
        /// The file.
        path: String,
        /// The cause.
        source: io::Error,
    },
}

/// Checks that `digest` can name a blob: `sha256:` and 64, or `sha512:` and 128, lower-case
/// hex digits. Returns the relative blob path (`blobs/<alg>/<hex>`).
pub(crate) fn blob_path(digest: &str) -> Result<PathBuf, String> {
    match digest_parts(digest) {
        Ok((algorithm, hex)) => Ok(Path::new("blobs").join(algorithm).join(hex)),
        Err(DigestProblem::NoAlgorithm) => {
            Err("a digest is `sha256:` and 64 lower-case hex digits".to_owned())
        }
        Err(DigestProblem::Algorithm(algorithm)) => {
            Err(format!("algorithm `{algorithm}` is not sha256 or sha512"))
        }
        Err(DigestProblem::Hex { algorithm, len }) => Err(format!(
            "`{algorithm}:` must be followed by {len} lower-case hex digits"
        )),
    }
}

/// An image in a layout: `oci:DIR[:TAG|@DIGEST]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayoutRef {
    /// The layout directory.
    pub dir: PathBuf,
    /// The tag (`org.opencontainers.image.ref.name`).
    pub tag: Option<String>,
    /// The digest.
    pub digest: Option<String>,
}

impl LayoutRef {
    /// `DIR[:TAG|@DIGEST]` after `oci:`: the tag is after the first `:`, as in skopeo.
    /// A tag and a digest together (`DIR:TAG@DIGEST`) are both kept; the digest is used.
    pub(crate) fn parse_transport(rest: &str, input: &str) -> Result<LayoutRef, ReferenceError> {
        let (rest, digest) = split_digest(rest);
        match rest.split_once(':') {
            Some((dir, tag)) => Self::new(dir, Some(tag), digest, input),
            None => Self::new(rest, None, digest, input),
        }
    }

    /// oras's `--oci-layout DIR[:TAG|@DIGEST]`: the tag is after the last `:`.
    pub(crate) fn parse_oras(input: &str) -> Result<LayoutRef, ReferenceError> {
        if let (dir, Some(digest)) = split_digest(input) {
            return Self::new(dir, None, Some(digest), input);
        }
        match input.rsplit_once(':').filter(|(_, tag)| !tag.contains('/')) {
            Some((dir, tag)) => Self::new(dir, Some(tag), None, input),
            None => Self::new(input, None, None, input),
        }
    }

    fn new(
        dir: &str,
        tag: Option<&str>,
        digest: Option<&str>,
        input: &str,
    ) -> Result<LayoutRef, ReferenceError> {
        let fail = |reason: String| ReferenceError {
            reference: input.to_owned(),
            reason,
        };
        if dir.is_empty() {
            return Err(fail(
                "the layout directory is empty (write `oci:DIR:TAG`)".to_owned(),
            ));
        }
        if let Some(tag) = tag
            && !valid_ref_name(tag)
        {
            return Err(fail(format!(
                "tag `{tag}` must be 1-255 characters of letters, digits and `-._:@/+`, starting with a letter or digit"
            )));
        }
        if let Some(digest) = digest {
            blob_path(digest).map_err(|r| fail(format!("digest `{digest}`: {r}")))?;
        }
        Ok(LayoutRef {
            dir: PathBuf::from(dir),
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// The digest if given, else the tag, else empty (the layout's only image).
    pub(crate) fn target(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or_default()
    }
}

/// `X@algorithm:...` into `X` and the digest; an `@` inside the path (`/home/a@b/app`) is
/// part of the path.
fn split_digest(input: &str) -> (&str, Option<&str>) {
    match input.rsplit_once('@') {
        Some((rest, digest)) if digest.contains(':') && !digest.contains('/') => {
            (rest, Some(digest))
        }
        _ => (input, None),
    }
}

/// The characters of an `org.opencontainers.image.ref.name` (image-spec's grammar, loosely).
fn valid_ref_name(tag: &str) -> bool {
    (1..=255).contains(&tag.len())
        && tag
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._:@/+".contains(&b))
}

impl fmt::Display for LayoutRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oci:{}", self.dir.display())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// An opened OCI image layout.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    dir: PathBuf,
}

impl Layout {
    /// Opens the layout at `dir`, checking that it is one.
    pub(crate) fn open(dir: &Path) -> Result<Layout, LayoutError> {
        let layout = Layout {
            dir: dir.to_owned(),
        };
        let not = |reason: &str| LayoutError::NotLayout {
            dir: layout.shown(),
            reason: reason.to_owned(),
        };
        match fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(not("it is a file, not a directory")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(LayoutError::Missing {
                    dir: layout.shown(),
                });
            }
            Err(source) => return Err(Layout::io("read", dir, source)),
        }
        let marker = dir.join("oci-layout");
        let bytes = match read_limited(&marker, 4096) {
            Ok(Some(b)) => b,
            Ok(None) => return Err(not("its `oci-layout` file is larger than 4096 bytes")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(not("it has no `oci-layout` file"));
            }
            Err(source) => return Err(Layout::io("read", &marker, source)),
        };
        let version = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| {
                v.get("imageLayoutVersion")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            });
        match version {
            Some(v) if v.starts_with("1.") => {}
            Some(v) => {
                return Err(not(&format!(
                    "its `oci-layout` says imageLayoutVersion `{v}`; only 1.x is read"
                )));
            }
            None => {
                return Err(not(
                    "its `oci-layout` file is not `{\"imageLayoutVersion\": \"1.0.0\"}`",
                ));
            }
        }
        if !dir.join("index.json").is_file() {
            return Err(not("it has no `index.json`"));
        }
        Ok(layout)
    }

    fn shown(&self) -> String {
        self.dir.display().to_string()
    }

    fn io(action: &'static str, path: &Path, source: io::Error) -> LayoutError {
        LayoutError::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    /// `index.json`, parsed.
    fn index(&self) -> Result<Index, RegistryError> {
        let bytes = self.index_bytes()?;
        decode(
            &bytes,
            format!("`{}`", self.dir.join("index.json").display()),
            "OCI index",
        )
    }

    fn index_bytes(&self) -> Result<Vec<u8>, RegistryError> {
        let path = self.dir.join("index.json");
        match read_limited(&path, MAX_INDEX_BYTES) {
            Ok(Some(b)) => Ok(b),
            Ok(None) => Err(LayoutError::NotLayout {
                dir: self.shown(),
                reason: format!("its `index.json` is larger than {MAX_INDEX_BYTES} bytes (16 MiB)"),
            }
            .into()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(LayoutError::NotLayout {
                dir: self.shown(),
                reason: "it has no `index.json`".to_owned(),
            }
            .into()),
            Err(source) => Err(Layout::io("read", &path, source).into()),
        }
    }

    /// The file of blob `digest`, after the strict digest check.
    fn blob_file(&self, digest: &str, what: &str) -> Result<PathBuf, LayoutError> {
        blob_path(digest)
            .map(|p| self.dir.join(p))
            .map_err(|reason| LayoutError::BadDigest {
                dir: self.shown(),
                what: what.to_owned(),
                digest: digest.to_owned(),
                reason,
            })
    }

    /// Reads and verifies blob `digest` (and its size, when known).
    fn read_blob(
        &self,
        digest: &str,
        size: Option<u64>,
        what: &str,
    ) -> Result<Vec<u8>, RegistryError> {
        let path = self.blob_file(digest, what)?;
        let corrupt = |expected: String| LayoutError::Corrupt {
            dir: self.shown(),
            what: what.to_owned(),
            expected,
        };
        let bytes = match read_limited(&path, MAX_FETCH_BYTES) {
            Ok(Some(b)) => b,
            Ok(None) => {
                return Err(RegistryError::TooLarge {
                    what: what.to_owned(),
                    size: fs::metadata(&path).map_or(MAX_FETCH_BYTES + 1, |m| m.len()),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(LayoutError::MissingBlob {
                    dir: self.shown(),
                    what: what.to_owned(),
                    digest: digest.to_owned(),
                }
                .into());
            }
            Err(source) => return Err(Layout::io("read", &path, source).into()),
        };
        if let Some(size) = size
            && bytes.len() as u64 != size
        {
            return Err(
                corrupt(format!("size {size} (the file has {} bytes)", bytes.len())).into(),
            );
        }
        if !oci::verify_digest(&bytes, digest) {
            return Err(corrupt(format!("digest {digest}")).into());
        }
        Ok(bytes)
    }

    /// The `index.json` entry tagged `tag` (the last one, as a later write wins); an empty
    /// tag is the layout's only image.
    fn tagged(&self, index: &Index, tag: &str) -> Result<Descriptor, LayoutError> {
        let tags: Vec<&str> = index
            .manifests
            .iter()
            .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str))
            .collect();
        let available = if tags.is_empty() {
            "none".to_owned()
        } else {
            tags.join(", ")
        };
        if tag.is_empty() {
            // The only image: the only tagged entry that is not a tag-schema index, or the
            // only entry.
            let images: Vec<&Descriptor> = index
                .manifests
                .iter()
                .filter(|d| {
                    d.annotations
                        .get(REF_NAME)
                        .is_some_and(|t| !is_tag_schema(t))
                })
                .collect();
            return match (images.as_slice(), index.manifests.as_slice()) {
                ([one], _) => Ok((*one).clone()),
                ([], [one]) => Ok(one.clone()),
                _ => Err(LayoutError::NeedTag {
                    dir: self.shown(),
                    available,
                }),
            };
        }
        index
            .manifests
            .iter()
            .rev()
            .find(|d| d.annotations.get(REF_NAME).is_some_and(|t| t == tag))
            .cloned()
            .ok_or_else(|| LayoutError::UnknownTag {
                dir: self.shown(),
                tag: tag.to_owned(),
                available,
            })
    }

    /// The artifacts of `digest` listed in `index` directly.
    fn listed_referrers(
        &self,
        index: &Index,
        digest: &str,
    ) -> Result<Vec<Descriptor>, RegistryError> {
        let mut found: Vec<Descriptor> = Vec::new();
        for entry in &index.manifests {
            let maybe_artifact = entry.media_type == oci::OCI_MANIFEST
                && entry
                    .artifact_type
                    .as_deref()
                    .is_none_or(|t| t == ARTIFACT_TYPE)
                && entry.size <= MAX_FETCH_BYTES
                && !found.iter().any(|f| f.digest == entry.digest);
            if !maybe_artifact {
                continue;
            }
            let what = format!("manifest {} listed in `index.json`", entry.digest);
            let body = self.read_blob(&entry.digest, Some(entry.size), &what)?;
            // Not a manifest this tool can read: not an artifact of ours either.
            let Ok(manifest) = serde_json::from_slice::<Manifest>(&body) else {
                continue;
            };
            let artifact_type = manifest
                .artifact_type
                .as_deref()
                .unwrap_or(&manifest.config.media_type);
            if artifact_type == ARTIFACT_TYPE
                && manifest
                    .subject
                    .as_ref()
                    .is_some_and(|s| s.digest == digest)
            {
                // As the referrers API describes it: the manifest's own annotations.
                found.push(Descriptor {
                    media_type: entry.media_type.clone(),
                    digest: entry.digest.clone(),
                    size: entry.size,
                    artifact_type: Some(ARTIFACT_TYPE.to_owned()),
                    annotations: manifest.annotations,
                    platform: None,
                });
            }
        }
        Ok(found)
    }

    /// The tag-schema index of `digest` tagged in `index`, if any.
    fn tag_schema_index(
        &self,
        index: &Index,
        digest: &str,
    ) -> Result<Option<(Descriptor, Index)>, RegistryError> {
        let tag = digest.replacen(':', "-", 1);
        let Some(entry) = index
            .manifests
            .iter()
            .rev()
            .find(|d| d.annotations.get(REF_NAME).is_some_and(|t| *t == tag))
        else {
            return Ok(None);
        };
        let what = format!("the tag-schema index `{tag}`");
        if entry.size > MAX_FETCH_BYTES {
            return Err(RegistryError::TooLarge {
                what,
                size: entry.size,
            });
        }
        let body = self.read_blob(&entry.digest, Some(entry.size), &what)?;
        Ok(Some((entry.clone(), decode(&body, what, "OCI index")?)))
    }

    /// Changes `index.json` under the lock: reads it, lets `edit` change its entries, and
    /// replaces it by rename. Unknown fields and every other entry are kept as they are.
    fn edit_index(
        &self,
        mut edit: impl FnMut(&mut Vec<serde_json::Value>) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError> {
        let _lock = Lock::take(self)?;
        let what = format!("`{}`", self.dir.join("index.json").display());
        // Tools that take no lock (skopeo, oras) may replace index.json meanwhile: the edit is
        // redone on their version rather than overwriting it.
        for _ in 0..INDEX_ATTEMPTS {
            let bytes = self.index_bytes()?;
            let mut index: serde_json::Map<String, serde_json::Value> =
                decode(&bytes, what.clone(), "OCI index")?;
            let mut manifests = match index.remove("manifests") {
                Some(serde_json::Value::Array(m)) => m,
                None | Some(serde_json::Value::Null) => Vec::new(),
                Some(_) => {
                    return Err(RegistryError::Invalid {
                        what,
                        expected: "OCI index",
                        reason: "`manifests` is not a list".to_owned(),
                    });
                }
            };
            edit(&mut manifests)?;
            index.insert("manifests".to_owned(), serde_json::Value::Array(manifests));
            let body = serde_json::to_vec(&index).map_err(|e| RegistryError::Invalid {
                what: what.clone(),
                expected: "JSON",
                reason: e.to_string(),
            })?;
            if self.index_bytes()? == bytes {
                self.write_file(&self.dir.join("index.json"), &body)?;
                return Ok(());
            }
        }
        Err(RegistryError::Invalid {
            what,
            expected: "index holding our change",
            reason: format!(
                "another program kept replacing it ({INDEX_ATTEMPTS} attempts); try again when it is done"
            ),
        })
    }

    /// Writes `bytes` to `path` through a synced temporary file and a rename.
    fn write_file(&self, path: &Path, bytes: &[u8]) -> Result<(), LayoutError> {
        let dir = path.parent().unwrap_or(&self.dir);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = (|| {
            // A new file (never through a symbolic link planted under the temporary name).
            let create = || {
                fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&tmp)
            };
            let mut file = match create() {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    fs::remove_file(&tmp)?;
                    create()?
                }
                other => other?,
            };
            file.write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&tmp, path)?;
            // The rename itself is durable once the directory is synced.
            fs::File::open(dir)?.sync_all()
        })();
        if let Err(source) = written {
            let _ = fs::remove_file(&tmp);
            return Err(Layout::io("write", path, source));
        }
        Ok(())
    }

    /// Removes the compatibility artifact `artifact` of `image` (found under the platform
    /// rule, as every command finds it).
    pub(crate) fn detach(
        &self,
        image: &super::store::ImageRef,
        artifact: &str,
        platform: Option<&super::platform::Platform>,
    ) -> Result<(), RegistryError> {
        let attached = super::subject::attachments(self, image, platform)?;
        let entry = find_attached(&attached.found, artifact)?;
        self.remove_artifact(&attached.subject, &entry)
    }

    /// Removes the artifact `entry` of `subject`: its `index.json` entries and its place in
    /// a tag-schema index, then its manifest blob (other blobs may be shared and are kept).
    pub(crate) fn remove_artifact(
        &self,
        subject: &str,
        entry: &Descriptor,
    ) -> Result<(), RegistryError> {
        let tag = subject.replacen(':', "-", 1);
        self.edit_index(|manifests| {
            manifests.retain(|m| m.get("digest").and_then(|d| d.as_str()) != Some(&entry.digest));
            // Its tag-schema index, rewritten without it (the new index blob is written
            // first; nothing refers to it until index.json is replaced).
            let Some(m) = manifests.iter_mut().rev().find(|m| {
                m.get("annotations")
                    .and_then(|a| a.get(REF_NAME))
                    .and_then(|t| t.as_str())
                    == Some(tag.as_str())
            }) else {
                return Ok(());
            };
            let what = format!("the tag-schema index `{tag}`");
            let schema_entry: Descriptor =
                serde_json::from_value(m.clone()).map_err(|e| RegistryError::Invalid {
                    what: format!("the `index.json` entry of {what}"),
                    expected: "OCI descriptor",
                    reason: e.to_string(),
                })?;
            let mut index: Index =
                decode(&self.blob(&schema_entry, &what)?, what.clone(), "OCI index")?;
            if !index.manifests.iter().any(|d| d.digest == entry.digest) {
                return Ok(());
            }
            index.manifests.retain(|d| d.digest != entry.digest);
            let body = serde_json::to_vec(&index).map_err(|e| RegistryError::Invalid {
                what,
                expected: "JSON",
                reason: e.to_string(),
            })?;
            let digest = oci::sha256_digest(&body);
            self.put_blob(&body, &digest)?;
            m["digest"] = serde_json::Value::from(digest);
            m["size"] = serde_json::Value::from(body.len() as u64);
            Ok(())
        })?;
        // Unlisted now: its manifest goes (its config and layers may be shared and stay).
        let path = self.blob_file(&entry.digest, "the artifact manifest")?;
        if let Err(e) = fs::remove_file(&path)
            && e.kind() != io::ErrorKind::NotFound
        {
            return Err(Layout::io("remove", &path, e).into());
        }
        Ok(())
    }
}
fn is_tag_schema(tag: &str) -> bool {
    tag.strip_prefix("sha256-")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Reads at most `limit` bytes of `path`; `None` when it is larger.
/// Symbolic links are not followed (nothing outside the layout is read) and a FIFO does not
/// block: only regular files are read.
fn read_limited(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is a symbolic link; only regular files inside the layout are read",
                )
            } else {
                e
            }
        })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    if meta.len() > limit {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// The writer's lock on a layout, released (its file removed) on drop.
struct Lock {
    path: PathBuf,
}

impl Lock {
    fn take(layout: &Layout) -> Result<Lock, LayoutError> {
        let path = layout.dir.join(LOCK_FILE);
        // A writer holds the lock for milliseconds: wait a little before refusing.
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let pid = fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    // A lock left by a process that is gone (a crash) is taken over.
                    if let Some(pid) = pid
                        && !Path::new("/proc").join(pid.to_string()).exists()
                        && Path::new("/proc/self").exists()
                    {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    }
                    return Err(LayoutError::Locked {
                        dir: layout.shown(),
                        lock: path.display().to_string(),
                        holder: pid.map_or_else(
                            || "lock file present".to_owned(),
                            |p| format!("process {p}"),
                        ),
                    });
                }
                Err(source) => return Err(Layout::io("create", &path, source)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

impl Store for Layout {
    fn manifest(&self, target: &str, what: &str) -> Result<ManifestBytes, RegistryError> {
        let index = self.index()?;
        // A digest, unless it is a tag (skopeo's ref names may hold `:`, as `example.com/app:v1`).
        let is_tag = |t: &str| {
            index
                .manifests
                .iter()
                .any(|d| d.annotations.get(REF_NAME).is_some_and(|r| r == t))
        };
        let is_digest = blob_path(target).is_ok() || (target.contains(':') && !is_tag(target));
        let (digest, entry) = if is_digest {
            let entry = index.manifests.iter().find(|d| d.digest == target).cloned();
            (target.to_owned(), entry)
        } else {
            let entry = self.tagged(&index, target)?;
            (entry.digest.clone(), Some(entry))
        };
        if let Some(e) = &entry
            && e.size > MAX_FETCH_BYTES
        {
            return Err(RegistryError::TooLarge {
                what: what.to_owned(),
                size: e.size,
            });
        }
        let body = self.read_blob(&digest, entry.as_ref().map(|e| e.size), what)?;
        let media_type = match entry {
            Some(e) if e.media_type.starts_with("application/vnd.") => e.media_type,
            _ => oci::media_type_of(None, &body),
        };
        Ok(ManifestBytes {
            digest,
            media_type,
            body,
        })
    }

    fn blob(&self, d: &Descriptor, what: &str) -> Result<Vec<u8>, RegistryError> {
        if d.size > MAX_FETCH_BYTES {
            return Err(RegistryError::TooLarge {
                what: what.to_owned(),
                size: d.size,
            });
        }
        self.read_blob(&d.digest, Some(d.size), what)
    }

    fn referrers(&self, digest: &str) -> Result<(Vec<Descriptor>, LookupPath), RegistryError> {
        let index = self.index()?;
        let mut found = self.listed_referrers(&index, digest)?;
        let listed = found.len();
        if let Some((_, schema)) = self.tag_schema_index(&index, digest)? {
            for d in schema.manifests {
                if d.artifact_type.as_deref() == Some(ARTIFACT_TYPE)
                    && !found.iter().any(|f| f.digest == d.digest)
                {
                    found.push(d);
                }
            }
        }
        let path = if listed == 0 && !found.is_empty() {
            LookupPath::TagSchema
        } else {
            LookupPath::OciLayout
        };
        Ok((found, path))
    }
}

impl Sink for Layout {
    fn has_manifest(&self, digest: &str) -> Result<bool, RegistryError> {
        match self.read_blob(digest, None, "the manifest") {
            Ok(_) => Ok(true),
            Err(RegistryError::Layout(LayoutError::MissingBlob { .. })) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn put_blob(&self, bytes: &[u8], digest: &str) -> Result<(), RegistryError> {
        let path = self.blob_file(digest, "a blob to write")?;
        if !oci::verify_digest(bytes, digest) {
            return Err(LayoutError::Corrupt {
                dir: self.shown(),
                what: "a blob to write".to_owned(),
                expected: format!("digest {digest}"),
            }
            .into());
        }
        // Already there and intact: nothing to write.
        if read_limited(&path, bytes.len() as u64)
            .ok()
            .flatten()
            .is_some_and(|b| b == bytes)
        {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Layout::io("create", parent, e))?;
        }
        Ok(self.write_file(&path, bytes)?)
    }

    fn put_artifact(
        &self,
        _subject: &str,
        entry: &Descriptor,
        body: &[u8],
    ) -> Result<(LookupPath, Vec<crate::warning::Warning>), RegistryError> {
        self.put_blob(body, &entry.digest)?;
        let value = serde_json::to_value(entry).map_err(|e| RegistryError::Invalid {
            what: "the artifact's index entry".into(),
            expected: "JSON",
            reason: e.to_string(),
        })?;
        self.edit_index(|manifests| {
            let listed = manifests
                .iter()
                .any(|m| m.get("digest").and_then(|d| d.as_str()) == Some(&entry.digest));
            if !listed {
                manifests.push(value.clone());
            }
            Ok(())
        })?;
        Ok((LookupPath::OciLayout, Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_strict_digests_name_blob_files() {
        let hex = "a".repeat(64);
        assert_eq!(
            blob_path(&format!("sha256:{hex}")).unwrap(),
            Path::new("blobs/sha256").join(&hex)
        );
        assert!(blob_path(&format!("sha512:{}", "0".repeat(128))).is_ok());
        for bad in [
            format!("sha256:{}", "A".repeat(64)),
            format!("sha256:{}", "a".repeat(63)),
            format!("sha256:../../{}", "a".repeat(58)),
            format!("sha256:{}/..", "a".repeat(61)),
            format!("sha512:{}", "a".repeat(64)),
            format!("md5:{hex}"),
            format!("../sha256:{hex}"),
            hex.clone(),
            String::new(),
        ] {
            assert!(blob_path(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_planted_temporary_symlink_is_not_written_through() {
        let work = tempfile::tempdir().unwrap();
        let outside = work.path().join("outside");
        fs::write(&outside, b"keep").unwrap();
        let dir = work.path().join("layout");
        fs::create_dir(&dir).unwrap();
        let tmp = dir.join(format!(".index.json.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&outside, &tmp).unwrap();
        let layout = Layout { dir: dir.clone() };
        layout.write_file(&dir.join("index.json"), b"new").unwrap();
        assert_eq!(fs::read(&outside).unwrap(), b"keep");
        assert_eq!(fs::read(dir.join("index.json")).unwrap(), b"new");
        assert!(!tmp.exists());
    }

    #[test]
    fn references_in_both_syntaxes() {
        let d = format!("sha256:{}", "b".repeat(64));
        let t = LayoutRef::parse_transport("./app:v1", "oci:./app:v1").unwrap();
        assert_eq!(
            (t.dir.as_path(), t.tag.as_deref()),
            (Path::new("./app"), Some("v1"))
        );
        assert_eq!(t.to_string(), "oci:./app:v1");
        let t = LayoutRef::parse_transport(&format!("/x/app@{d}"), "i").unwrap();
        assert_eq!(
            (t.dir.as_path(), t.target()),
            (Path::new("/x/app"), d.as_str())
        );
        let t = LayoutRef::parse_transport("/x/app", "i").unwrap();
        assert_eq!((t.tag.as_deref(), t.target()), (None, ""));
        let o = LayoutRef::parse_oras("/x/a:b/app:v2").unwrap();
        assert_eq!(
            (o.dir.as_path(), o.tag.as_deref()),
            (Path::new("/x/a:b/app"), Some("v2"))
        );
        let o = LayoutRef::parse_oras("/x/a:b/app").unwrap();
        assert_eq!((o.dir.as_path(), o.tag), (Path::new("/x/a:b/app"), None));
        let t = LayoutRef::parse_transport(&format!("app:v1@{d}"), "i").unwrap();
        assert_eq!((t.tag.as_deref(), t.target()), (Some("v1"), d.as_str()));
        assert_eq!(t.to_string(), format!("oci:app:v1@{d}"));
        let t = LayoutRef::parse_transport("/home/a@b/app:v1", "i").unwrap();
        assert_eq!(t.dir, Path::new("/home/a@b/app"));
        assert!(LayoutRef::parse_transport(":v1", "oci::v1").is_err());
        assert!(LayoutRef::parse_transport("app:-x", "i").is_err());
        assert!(LayoutRef::parse_transport("app@sha256:../../etc", "i").is_err());
    }
}
