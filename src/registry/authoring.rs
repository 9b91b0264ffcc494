//! Writing compatibility artifacts: attach, list, detach.
//!
//! An artifact is what `oras attach` writes and docs/DECISIONS.md (*Same snapshots, flags and artifact*) fixes: an OCI image
//! manifest with `artifactType` [`ARTIFACT_TYPE`], the empty config, one layer of media type
//! [`SPEC_MEDIA_TYPE`], `subject` = the image manifest, and an
//! `org.opencontainers.image.created` annotation. On a registry with the referrers API, pushing
//! the manifest is enough.
//!
//! Without it, the `sha256-<hex>` tag-schema index lists the artifacts, and nothing stops two
//! writers from replacing each other's index (there is no conditional PUT). So each artifact
//! also gets a tag of its own ([`artifact_tag`]), pushed before the index is touched; lookups
//! read the index and those tags, so an attach that succeeded is never lost to a concurrent
//! one. The index is kept complete as well as the registry allows, for NFD and oras, which read
//! only the index: every write merges in all tagged artifacts, is read back, and is checked
//! again after a pause, re-merging until our entry holds. Entries are added only for
//! manifests already pushed, and a manifest (with its tag) is deleted only after its entry is
//! gone, and the entry taken out again should a concurrent writer have merged it back in, so no
//! entry points at a missing manifest. README.md "Registries without the referrers API" says
//! what is guaranteed.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use crate::spec::{ARTIFACT_TYPE, SPEC_MEDIA_TYPE};
use crate::timestamp::Timestamp;

use super::artifact::{
    LookupPath, MAX_FETCH_BYTES, RegistryError, Repo, artifact_tag, find_attached, newest_first,
    schema_tag, spec_layer,
};
use super::client::{Client, Method, Response};
use super::oci::{self, Descriptor, Index, Manifest};
use super::platform::Platform;
use super::reference::Reference;
use super::store::{ImageRef, Sink, Store};
use super::subject::{attachments, select_platform};

/// How many times the tag-schema index is re-written when a concurrent writer is detected.
const INDEX_ATTEMPTS: usize = 8;
/// How long a write of the tag-schema index is left to settle before it is checked again (a
/// concurrent writer that read the index before our write would have replaced it by then).
const INDEX_SETTLE: Duration = Duration::from_millis(500);

/// What to attach.
#[derive(Debug, Clone)]
pub struct AttachRequest<'a> {
    /// The spec's bytes (already checked).
    pub spec: &'a [u8],
    /// The layer's title (`org.opencontainers.image.title`), usually the file name.
    pub title: Option<String>,
    /// Extra manifest annotations.
    pub annotations: BTreeMap<String, String>,
    /// Attach to this platform's manifest of an index.
    pub platform: Option<Platform>,
}

/// An attached artifact.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attached {
    /// The artifact manifest's digest.
    pub digest: String,
    /// The manifest it is attached to.
    pub subject: String,
    /// How it can be found.
    pub lookup: LookupPath,
    /// Its creation time.
    pub created: String,
    /// Things worth knowing (the tag-schema index could not be updated).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// One attached artifact, as `list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    /// The artifact manifest's digest.
    pub digest: String,
    /// Its `org.opencontainers.image.created`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The spec layer's size in bytes.
    pub size: u64,
    /// The spec itself (for the caller to summarise), when it could be fetched.
    #[serde(skip)]
    pub spec: Option<Vec<u8>>,
}

/// The manifest the artifacts of `image` are attached to: the image's own, or that of
/// `platform` in its index.
fn subject_of(
    repo: &dyn Store,
    image: &ImageRef,
    platform: Option<&Platform>,
) -> Result<Descriptor, RegistryError> {
    let resolved = repo.manifest(image.target(), "the image manifest")?;
    let subject = match platform {
        Some(platform) => {
            let (digest, _) = select_platform(repo, &resolved, platform)?;
            if digest == resolved.digest {
                resolved
            } else {
                repo.manifest(&digest, "the platform manifest")?
            }
        }
        None => resolved,
    };
    Ok(Descriptor {
        media_type: subject.media_type,
        digest: subject.digest,
        size: subject.body.len() as u64,
        artifact_type: None,
        annotations: BTreeMap::new(),
        platform: None,
    })
}

/// Attaches a spec to an image in `repo` (a registry repository or a layout).
pub(crate) fn attach(
    repo: &dyn Sink,
    image: &ImageRef,
    request: &AttachRequest<'_>,
) -> Result<Attached, RegistryError> {
    let subject = subject_of(repo, image, request.platform.as_ref())?;
    let created = request
        .annotations
        .get(oci::CREATED)
        .cloned()
        .unwrap_or_else(|| Timestamp::now().to_rfc3339_nanos());

    let empty = b"{}";
    let config = Descriptor {
        media_type: oci::OCI_EMPTY.to_owned(),
        digest: oci::EMPTY_DIGEST.to_owned(),
        size: 2,
        artifact_type: None,
        annotations: BTreeMap::new(),
        platform: None,
    };
    let mut layer_annotations = BTreeMap::new();
    if let Some(title) = &request.title {
        layer_annotations.insert("org.opencontainers.image.title".to_owned(), title.clone());
    }
    let layer = Descriptor {
        media_type: SPEC_MEDIA_TYPE.to_owned(),
        digest: oci::sha256_digest(request.spec),
        size: request.spec.len() as u64,
        artifact_type: None,
        annotations: layer_annotations,
        platform: None,
    };
    let mut annotations = request.annotations.clone();
    annotations.insert(oci::CREATED.to_owned(), created.clone());
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(oci::OCI_MANIFEST.to_owned()),
        artifact_type: Some(ARTIFACT_TYPE.to_owned()),
        config: config.clone(),
        layers: vec![layer.clone()],
        subject: Some(subject.clone()),
        annotations: annotations.clone(),
    };
    let body = serde_json::to_vec(&manifest).map_err(|e| RegistryError::Invalid {
        what: "the artifact manifest".into(),
        expected: "JSON",
        reason: e.to_string(),
    })?;
    let digest = oci::sha256_digest(&body);

    repo.put_blob(empty, &config.digest)?;
    repo.put_blob(request.spec, &layer.digest)?;
    let entry = Descriptor {
        media_type: oci::OCI_MANIFEST.to_owned(),
        digest: digest.clone(),
        size: body.len() as u64,
        artifact_type: Some(ARTIFACT_TYPE.to_owned()),
        annotations,
        platform: None,
    };
    let (lookup, warnings) = repo.put_artifact(&subject.digest, &entry, &body)?;
    Ok(Attached {
        digest,
        subject: subject.digest,
        lookup,
        created,
        warnings,
    })
}

/// The compatibility artifacts attached to an image in `repo`, newest first.
pub(crate) fn list(
    repo: &dyn Store,
    image: &ImageRef,
    platform: Option<&Platform>,
) -> Result<(String, Vec<Listed>, LookupPath), RegistryError> {
    let attached = attachments(repo, image, platform)?;
    let (subject, path) = (attached.subject, attached.path);
    let found = newest_first(attached.found);
    let mut out = Vec::with_capacity(found.len());
    for d in found {
        // A broken artifact is listed without its spec; a transport failure or the deadline
        // (--timeout) ends the listing.
        let manifest: Option<Manifest> =
            lenient(repo.manifest(&d.digest, &format!("artifact manifest {}", d.digest)))?
                .and_then(|m| serde_json::from_slice(&m.body).ok());
        let layer = manifest.as_ref().and_then(spec_layer).cloned();
        let spec = match &layer {
            Some(l) => lenient(repo.blob(l, "the spec layer"))?,
            None => None,
        };
        out.push(Listed {
            created: d.annotations.get(oci::CREATED).cloned().or_else(|| {
                manifest
                    .as_ref()
                    .and_then(|m| m.annotations.get(oci::CREATED).cloned())
            }),
            size: layer.map_or(0, |l| l.size),
            digest: d.digest,
            spec,
        });
    }
    Ok((subject, out, path))
}

/// What [`detach`] did besides removing the artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexLeft {
    /// The artifacts are found another way (the referrers API), or others are still listed.
    Kept,
    /// The artifact was the last one: the now empty tag-schema index was deleted too (as oras
    /// does).
    Deleted,
    /// The artifact was the last one, and the registry would not delete the empty index (the
    /// reason); an empty index lists nothing, so nothing is wrong.
    Empty(String),
}

/// `None` for content the registry has but that is unusable (missing, corrupt, too large),
/// the error for a failure to talk to the registry at all (transport, deadline).
fn lenient<T>(result: Result<T, RegistryError>) -> Result<Option<T>, RegistryError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e @ RegistryError::Http(_)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// Removes an artifact: its entry in the tag-schema index first (so that no index points at a
/// missing manifest), then the manifest; the entry is restored when the registry refuses the
/// delete. An index left empty is deleted when the registry allows it.
pub fn detach(
    client: &Client,
    image: &Reference,
    artifact: &str,
    platform: Option<&Platform>,
) -> Result<(LookupPath, IndexLeft), RegistryError> {
    let repo = Repo::new(client, image, "pull,push,delete");
    let attached = attachments(&repo, &ImageRef::Registry(image.clone()), platform)?;
    let (subject, path) = (attached.subject, attached.path);
    let entry = find_attached(&attached.found, artifact)?;
    if path == LookupPath::TagSchema {
        sync_tag_schema(&repo, &subject, Change::Remove(artifact))?;
    }
    let r = delete_manifest(&repo, artifact)?;
    if !(200..300).contains(&r.status) {
        if path == LookupPath::TagSchema {
            let _ = sync_tag_schema(&repo, &subject, Change::Add(&entry));
        }
        return Err(match r.status {
            405 => RegistryError::Status {
                what: format!("deleting artifact {artifact}"),
                status: 405,
                message: Some(
                    r.error_message()
                        .unwrap_or_else(|| "the registry does not allow deletes".to_owned()),
                ),
            },
            _ => Repo::fail(&format!("deleting artifact {artifact}"), &r),
        });
    }
    let left = if path == LookupPath::TagSchema {
        // Deleting the manifest removed its tag; a writer that merged the tag in before that
        // may have put the entry back: take it out again.
        sync_tag_schema(&repo, &subject, Change::Remove(artifact))?;
        delete_empty_index(&repo, &subject)
    } else {
        IndexLeft::Kept
    };
    Ok((path, left))
}

/// Deletes the tag-schema index of `subject` when it lists nothing. It is deleted by the
/// digest of the empty index read, so that an index a concurrent attach has just rewritten
/// (another digest) is left alone.
fn delete_empty_index(repo: &Repo<'_>, subject: &str) -> IndexLeft {
    let tag = subject.replacen(':', "-", 1);
    let what = format!("the tag-schema index `{tag}`");
    let index = match repo.manifest(&tag, &what) {
        Ok(index) => index,
        Err(e) => return IndexLeft::Empty(e.to_string()),
    };
    let empty = serde_json::from_slice::<Index>(&index.body).is_ok_and(|i| i.manifests.is_empty());
    if !empty {
        return IndexLeft::Kept;
    }
    match delete_manifest(repo, &index.digest) {
        Ok(r) if (200..300).contains(&r.status) => IndexLeft::Deleted,
        Ok(r) => IndexLeft::Empty(Repo::fail(&format!("deleting {what}"), &r).to_string()),
        Err(e) => IndexLeft::Empty(e.to_string()),
    }
}

impl Sink for Repo<'_> {
    fn has_manifest(&self, digest: &str) -> Result<bool, RegistryError> {
        let r = self.client.send(
            Method::Head,
            &format!("{}/manifests/{digest}", self.base),
            &self.scope,
            &[("accept", oci::MANIFEST_ACCEPT)],
            None,
            0,
        )?;
        match r.status {
            200..=299 => Ok(true),
            404 => Ok(false),
            _ => Err(Repo::fail(&format!("manifest {digest}"), &r)),
        }
    }

    fn put_blob(&self, bytes: &[u8], digest: &str) -> Result<(), RegistryError> {
        upload_blob(self, bytes, digest)
    }

    fn put_artifact(
        &self,
        subject: &str,
        entry: &Descriptor,
        body: &[u8],
    ) -> Result<(LookupPath, Vec<String>), RegistryError> {
        let (repo, digest) = (self, &entry.digest);
        let put = put_manifest(repo, digest, body, oci::OCI_MANIFEST)?;

        // A registry that processed `subject` says so; otherwise ask the referrers API.
        let mut warnings = Vec::new();
        let lookup = if put.header("oci-subject").is_some() {
            LookupPath::ReferrersApi
        } else {
            repo.lookup_path(subject)?
        };
        if lookup == LookupPath::TagSchema {
            // The artifact's own tag first: from then on every lookup finds it.
            let tag = artifact_tag(subject, digest);
            if let Err(e) = put_manifest(repo, &tag, body, oci::OCI_MANIFEST) {
                // Leave nothing half-written: untagged, the artifact is in no index and
                // unreachable.
                let _ = delete_manifest(repo, digest);
                return Err(e);
            }
            if let Err(e) = sync_tag_schema(repo, subject, Change::Add(entry)) {
                // Attached all the same: its tag makes every nfd-compat lookup find it.
                warnings.push(format!(
                    "artifact {digest} is attached and tagged `{tag}`, but the tag-schema index `{}` could not be updated ({e}): NFD and oras, which read only the index, will see it after the next attach or detach on this image updates the index",
                    schema_tag(subject)
                ));
            }
        }
        Ok((lookup, warnings))
    }
}

/// Sends the DELETE of a manifest; the caller judges the answer.
fn delete_manifest(repo: &Repo<'_>, digest: &str) -> Result<Response, RegistryError> {
    Ok(repo.client.send(
        Method::Delete,
        &format!("{}/manifests/{digest}", repo.base),
        &repo.scope,
        &[],
        None,
        MAX_FETCH_BYTES,
    )?)
}

fn upload_blob(repo: &Repo<'_>, bytes: &[u8], digest: &str) -> Result<(), RegistryError> {
    let client = repo.client;
    let head = client.send(
        Method::Head,
        &format!("{}/blobs/{digest}", repo.base),
        &repo.scope,
        &[],
        None,
        0,
    )?;
    if head.status == 200 {
        return Ok(());
    }
    let start = client.send(
        Method::Post,
        &format!("{}/blobs/uploads/", repo.base),
        &repo.scope,
        &[],
        Some(&[]),
        MAX_FETCH_BYTES,
    )?;
    if start.status != 202 {
        return Err(Repo::fail("starting a blob upload", &start));
    }
    let Some(location) = start.header("location") else {
        return Err(RegistryError::Invalid {
            what: "the upload answer".into(),
            expected: "response with Location",
            reason: "no Location header".into(),
        });
    };
    let url = super::client::resolve_location(&start.url, location)
        .unwrap_or_else(|| location.to_owned());
    let sep = if url.contains('?') { '&' } else { '?' };
    let put = client.send(
        Method::Put,
        &format!("{url}{sep}digest={}", super::client::query_escape(digest)),
        &repo.scope,
        &[("content-type", "application/octet-stream")],
        Some(bytes),
        MAX_FETCH_BYTES,
    )?;
    if put.status != 201 {
        return Err(Repo::fail(&format!("uploading blob {digest}"), &put));
    }
    Ok(())
}

/// How many times a manifest is pushed while the registry cannot yet read what it references.
const SETTLE_ATTEMPTS: usize = 4;

/// PUTs manifest `body` as `reference` right after what it references was pushed or found.
/// The registry may not read those back at once: distribution rewrites a blob's or
/// manifest's link file in place when another client pushes the same content again (every
/// artifact's empty config is the same blob; an artifact is pushed again under its tag), and
/// a manifest checked in that moment gets `DIGEST_INVALID` (an empty digest was read) or
/// `MANIFEST_BLOB_UNKNOWN`. A registry on eventually consistent storage says the latter too.
/// The body's digest is ours, so neither answer is about the manifest itself: the push is
/// tried again after a pause, up to [`SETTLE_ATTEMPTS`] times.
fn put_manifest(
    repo: &Repo<'_>,
    reference: &str,
    body: &[u8],
    media_type: &str,
) -> Result<Response, RegistryError> {
    let mut attempt = 1;
    loop {
        let r = repo.client.send(
            Method::Put,
            &format!("{}/manifests/{reference}", repo.base),
            &repo.scope,
            &[("content-type", media_type)],
            Some(body),
            MAX_FETCH_BYTES,
        )?;
        if (200..300).contains(&r.status) {
            return Ok(r);
        }
        let unsettled = r.status == 400
            && r.error_codes()
                .iter()
                .any(|c| c == "DIGEST_INVALID" || c == "MANIFEST_BLOB_UNKNOWN");
        if !unsettled || attempt == SETTLE_ATTEMPTS {
            return Err(Repo::fail(&format!("pushing manifest {reference}"), &r));
        }
        repo.client.debug(|| {
            format!(
                "push {attempt}/{SETTLE_ATTEMPTS} of manifest {reference}: the registry could not read what it references yet ({}); trying again",
                r.error_message().unwrap_or_default()
            )
        });
        attempt += 1;
        pause_before_retry();
    }
}

/// The tag-schema index `tag`, or an empty one.
fn read_index(repo: &Repo<'_>, tag: &str) -> Result<Index, RegistryError> {
    Ok(repo.tag_schema_index(tag)?.unwrap_or_else(|| Index {
        schema_version: 2,
        media_type: Some(oci::OCI_INDEX.to_owned()),
        manifests: Vec::new(),
        annotations: BTreeMap::new(),
    }))
}

/// What an attach or detach changes in the tag-schema index.
#[derive(Debug, Clone, Copy)]
enum Change<'a> {
    /// This entry must be listed.
    Add(&'a Descriptor),
    /// No entry of this digest may be listed.
    Remove(&'a str),
}

impl Change<'_> {
    fn holds(self, index: &Index) -> bool {
        match self {
            Change::Add(entry) => index.manifests.iter().any(|d| d.digest == entry.digest),
            Change::Remove(digest) => index.manifests.iter().all(|d| d.digest != digest),
        }
    }
}

/// Makes the tag-schema index of `subject` hold `change`, repairing it on the way: read it,
/// merge in every artifact that has its own tag but no entry, apply the change, write it when
/// it differs, and check that the change still holds right after and again after
/// [`INDEX_SETTLE`]; start over when a concurrent writer replaced it, up to
/// [`INDEX_ATTEMPTS`] times.
fn sync_tag_schema(
    repo: &Repo<'_>,
    subject: &str,
    change: Change<'_>,
) -> Result<(), RegistryError> {
    let tag = schema_tag(subject);
    let mut last = None;
    for attempt in 0..INDEX_ATTEMPTS {
        if attempt > 0 {
            pause_before_retry();
        }
        match sync_once(repo, subject, &tag, change) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            // distribution answers 500 to a read or write racing another writer's.
            Err(
                e @ RegistryError::Status {
                    status: 500..=599, ..
                },
            ) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| RegistryError::Invalid {
        what: format!("the tag-schema index `{tag}`"),
        expected: "index holding our change",
        reason: format!("another writer kept replacing it ({INDEX_ATTEMPTS} attempts)"),
    }))
}

/// A pause of 100 to 400 ms, different in each process, so that writers that collided do not
/// collide again in step.
fn pause_before_retry() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let spread =
        (u64::from(nanos) ^ u64::from(std::process::id()).wrapping_mul(2_654_435_761)) % 300;
    std::thread::sleep(Duration::from_millis(100 + spread));
}

/// One round of [`sync_tag_schema`]: whether the change held after the write and the settle.
fn sync_once(
    repo: &Repo<'_>,
    subject: &str,
    tag: &str,
    change: Change<'_>,
) -> Result<bool, RegistryError> {
    let mut index = read_index(repo, tag)?;
    let before = index.clone();
    if let Change::Remove(digest) = change {
        index.manifests.retain(|d| d.digest != digest);
    }
    let known: HashSet<String> = before.manifests.iter().map(|d| d.digest.clone()).collect();
    for d in repo.tagged_artifacts(subject, &known)? {
        if !matches!(change, Change::Remove(digest) if digest == d.digest) {
            index.manifests.push(d);
        }
    }
    if let Change::Add(entry) = change {
        if !change.holds(&index) {
            index.manifests.push(entry.clone());
        }
    }
    if index != before {
        index.media_type = Some(oci::OCI_INDEX.to_owned());
        let body = serde_json::to_vec(&index).map_err(|e| RegistryError::Invalid {
            what: "the tag-schema index".into(),
            expected: "JSON",
            reason: e.to_string(),
        })?;
        put_manifest(repo, tag, &body, oci::OCI_INDEX)?;
    }
    if !change.holds(&read_index(repo, tag)?) {
        return Ok(false);
    }
    std::thread::sleep(INDEX_SETTLE);
    Ok(change.holds(&read_index(repo, tag)?))
}
