//! Writing compatibility artifacts: attach, list, detach.
//!
//! An artifact is what `oras attach` writes and docs/DECISIONS.md (*Same snapshots, flags and artifact*) fixes: an OCI image
//! manifest with `artifactType` [`ARTIFACT_TYPE`], the empty config, one layer of media type
//! [`SPEC_MEDIA_TYPE`], `subject` = the image manifest, and an
//! `org.opencontainers.image.created` annotation. On a registry with the referrers API, pushing
//! the manifest is enough. Without it, the `sha256-<hex>` tag-schema index is maintained: the
//! artifact manifest is pushed first, then the index that lists it (so that no index ever
//! points at a missing manifest), and the index is read back to detect a concurrent writer.

use std::collections::BTreeMap;

use crate::spec::{ARTIFACT_TYPE, SPEC_MEDIA_TYPE};
use crate::timestamp::Timestamp;

use super::artifact::{
    LookupPath, MAX_FETCH_BYTES, RegistryError, Repo, find_attached, newest_first, spec_layer,
};
use super::client::{Client, Method, Response};
use super::oci::{self, Descriptor, Index, Manifest};
use super::platform::Platform;
use super::reference::Reference;
use super::store::{ImageRef, Sink, Store};
use super::subject::{attachments, select_platform};

/// How many times the tag-schema index is re-written when a concurrent writer is detected.
const INDEX_ATTEMPTS: usize = 3;

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
    let lookup = repo.put_artifact(&subject.digest, &entry, &body)?;
    Ok(Attached {
        digest,
        subject: subject.digest,
        lookup,
        created,
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
        let manifest: Option<Manifest> = repo
            .manifest(&d.digest, &format!("artifact manifest {}", d.digest))
            .ok()
            .and_then(|m| serde_json::from_slice(&m.body).ok());
        let layer = manifest.as_ref().and_then(spec_layer).cloned();
        let spec = layer
            .as_ref()
            .and_then(|l| repo.blob(l, "the spec layer").ok());
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
        edit_tag_schema(&repo, &subject, |index| {
            index.manifests.retain(|d| d.digest != artifact);
        })?;
    }
    let r = repo.client.send(
        Method::Delete,
        &format!("{}/manifests/{artifact}", repo.base),
        &repo.scope,
        &[],
        None,
        MAX_FETCH_BYTES,
    )?;
    if !(200..300).contains(&r.status) {
        if path == LookupPath::TagSchema {
            let _ = add_to_tag_schema(&repo, &subject, &entry);
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
    let deleted = repo.client.send(
        Method::Delete,
        &format!("{}/manifests/{}", repo.base, index.digest),
        &repo.scope,
        &[],
        None,
        MAX_FETCH_BYTES,
    );
    match deleted {
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
    ) -> Result<LookupPath, RegistryError> {
        let (repo, digest) = (self, &entry.digest);
        let put = put_manifest(repo, digest, body, oci::OCI_MANIFEST)?;

        // A registry that processed `subject` says so; otherwise ask the referrers API.
        let lookup = if put.header("oci-subject").is_some() {
            LookupPath::ReferrersApi
        } else {
            repo.lookup_path(subject)?
        };
        if lookup == LookupPath::TagSchema
            && let Err(e) = add_to_tag_schema(repo, subject, entry)
        {
            // Leave nothing half-written: the artifact is unreachable without its index entry.
            let _ = repo.client.send(
                Method::Delete,
                &format!("{}/manifests/{digest}", repo.base),
                &repo.scope,
                &[],
                None,
                0,
            );
            return Err(e);
        }
        Ok(lookup)
    }
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

fn put_manifest(
    repo: &Repo<'_>,
    reference: &str,
    body: &[u8],
    media_type: &str,
) -> Result<Response, RegistryError> {
    let r = repo.client.send(
        Method::Put,
        &format!("{}/manifests/{reference}", repo.base),
        &repo.scope,
        &[("content-type", media_type)],
        Some(body),
        MAX_FETCH_BYTES,
    )?;
    if !(200..300).contains(&r.status) {
        return Err(Repo::fail(&format!("pushing manifest {reference}"), &r));
    }
    Ok(r)
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

/// Read, edit, write, and read back the tag-schema index until the edit is seen.
fn edit_tag_schema(
    repo: &Repo<'_>,
    subject: &str,
    edit: impl Fn(&mut Index),
) -> Result<(), RegistryError> {
    let tag = subject.replacen(':', "-", 1);
    for _ in 0..INDEX_ATTEMPTS {
        let mut index = read_index(repo, &tag)?;
        edit(&mut index);
        index.media_type = Some(oci::OCI_INDEX.to_owned());
        let body = serde_json::to_vec(&index).map_err(|e| RegistryError::Invalid {
            what: "the tag-schema index".into(),
            expected: "JSON",
            reason: e.to_string(),
        })?;
        put_manifest(repo, &tag, &body, oci::OCI_INDEX)?;
        // A concurrent writer may have replaced the index in between: check the edit holds.
        let mut check = read_index(repo, &tag)?;
        let before = check.clone();
        edit(&mut check);
        if check == before {
            return Ok(());
        }
    }
    Err(RegistryError::Invalid {
        what: format!("the tag-schema index `{tag}`"),
        expected: "index holding our change",
        reason: format!("another writer kept replacing it ({INDEX_ATTEMPTS} attempts)"),
    })
}

fn add_to_tag_schema(
    repo: &Repo<'_>,
    subject: &str,
    entry: &Descriptor,
) -> Result<(), RegistryError> {
    edit_tag_schema(repo, subject, |index| {
        if !index.manifests.iter().any(|d| d.digest == entry.digest) {
            index.manifests.push(entry.clone());
        }
    })
}
