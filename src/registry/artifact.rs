//! Finding and fetching an image's compatibility spec.
//!
//! The lookup is NFD's (oras-go's), with the gaps closed: resolve the reference (for an index
//! with `--platform`, the first matching manifest), list referrers of artifact type
//! [`ARTIFACT_TYPE`] through the referrers API (following `Link` pages, filtering client-side
//! unless the server says it filtered), fall back to the `sha256-<hex>` tag schema on
//! registries without the API, take the newest artifact by `org.opencontainers.image.created`
//! (or the one `--artifact` pins), and fetch its spec layer. Every manifest and blob is
//! checked against its digest and size, with a 4 MiB limit (as oras).

use std::cmp::Reverse;
use std::fmt;

use crate::spec::{ARTIFACT_TYPE, SPEC_MEDIA_TYPE};
use crate::timestamp::Timestamp;

use super::client::{Client, HttpError, Method, Response, Scope, query_escape};
use super::oci::{self, Descriptor, Index, Manifest};
use super::platform::Platform;
use super::reference::Reference;
use super::store::{ImageRef, Store, artifact_manifest};
use super::subject::attachments;

/// The largest manifest or blob fetched (oras' `FetchBytes` default).
pub const MAX_FETCH_BYTES: u64 = 4 << 20;
/// The most referrers pages followed.
const MAX_PAGES: usize = 100;

/// How the artifact was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LookupPath {
    /// The referrers API (`GET /v2/<name>/referrers/<digest>`).
    ReferrersApi,
    /// The `sha256-<hex>` tag schema (registries without the API).
    TagSchema,
    /// The manifests listed in an OCI image layout's `index.json`.
    OciLayout,
}

impl fmt::Display for LookupPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LookupPath::ReferrersApi => "referrers API",
            LookupPath::TagSchema => "tag schema",
            LookupPath::OciLayout => "OCI layout index",
        })
    }
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// Look on this platform's manifest of an index.
    pub platform: Option<Platform>,
    /// Use this artifact (a digest) rather than the newest.
    pub artifact: Option<String>,
}

/// A fetched spec and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fetched {
    /// The spec's bytes.
    #[serde(skip)]
    pub spec: Vec<u8>,
    /// The image as given, normalised.
    pub image: String,
    /// The digest the reference resolved to.
    pub image_digest: String,
    /// The manifest the artifact is attached to (differs from `image_digest` for a platform
    /// manifest of an index).
    pub subject_digest: String,
    /// The platform of `subject_digest`, when it was chosen from an index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_platform: Option<String>,
    /// The artifact manifest's digest.
    pub artifact_digest: String,
    /// Its `org.opencontainers.image.created`, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_created: Option<String>,
    /// How many compatibility artifacts were attached.
    pub artifacts_found: usize,
    /// How the artifact was found.
    pub lookup: LookupPath,
    /// How many HTTP requests the lookup took (token requests and retries included).
    pub requests: u32,
    /// Things worth knowing (a spec layer chosen by position, ...).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// Why the spec could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Transport, timeout, TLS or credentials.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// An OCI image layout that cannot be read or written.
    #[error(transparent)]
    Layout(#[from] super::layout::LayoutError),
    /// The registry answered with an unexpected status.
    #[error("{what}: the registry answered {status}{}", message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Status {
        /// What was being fetched.
        what: String,
        /// The status.
        status: u16,
        /// The registry's error message.
        message: Option<String>,
    },
    /// 401/403 after authenticating.
    #[error("access denied ({status}){}: check the credentials (docker login, podman login, --registry-username)", message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    Denied {
        /// The status.
        status: u16,
        /// The registry's error message.
        message: Option<String>,
    },
    /// The image (or its repository) does not exist.
    #[error("image not found{}", message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default())]
    ImageNotFound {
        /// The registry's error message.
        message: Option<String>,
    },
    /// No compatibility artifact is attached.
    #[error(
        "no compatibility artifact (artifactType {ARTIFACT_TYPE}) is attached to {subject}; attach one with `nfd-compat attach --image IMAGE spec.yaml`, or `oras attach --artifact-type {ARTIFACT_TYPE} IMAGE spec.yaml:{SPEC_MEDIA_TYPE}`"
    )]
    NoArtifact {
        /// Where it was looked for.
        subject: String,
    },
    /// `--artifact` names a digest that is not attached.
    #[error("artifact `{digest}` is not attached to the image; attached: {available}")]
    ArtifactNotAttached {
        /// The digest asked for.
        digest: String,
        /// What is attached.
        available: String,
    },
    /// The artifact has no layers.
    #[error("artifact `{0}` has no layers: it carries no spec")]
    NoLayer(String),
    /// Content that does not match its digest or size.
    #[error("{what} does not match its {expected}: the registry sent corrupt or tampered content")]
    Corrupt {
        /// What.
        what: String,
        /// The digest or size it should have.
        expected: String,
    },
    /// Content larger than the limit.
    #[error("{what} is {size} bytes; the limit is {MAX_FETCH_BYTES} (4 MiB)")]
    TooLarge {
        /// What.
        what: String,
        /// Its size.
        size: u64,
    },
    /// A document that is not what it should be.
    #[error("{what} is not a valid {expected}: {reason}")]
    Invalid {
        /// What.
        what: String,
        /// What it should be.
        expected: &'static str,
        /// Why it is not.
        reason: String,
    },
    /// No manifest of the index matches `--platform`.
    #[error("no manifest for platform {platform} in the image index (it has: {available})")]
    NoPlatform {
        /// The platform asked for.
        platform: String,
        /// What the index has.
        available: String,
    },
    /// A single-platform image of another platform.
    #[error("the image is for {found}, not {platform}")]
    PlatformMismatch {
        /// The platform asked for.
        platform: String,
        /// The image's.
        found: String,
    },
}

/// Fetches the compatibility spec of `image`.
pub fn fetch_spec(
    client: &Client,
    image: &Reference,
    lookup: &Lookup,
) -> Result<Fetched, RegistryError> {
    let repo = Repo::new(client, image, "pull");
    fetch_from(&repo, &ImageRef::Registry(image.clone()), lookup)
}

/// Fetches the compatibility spec of `image` from `store` (a registry or a layout).
pub(crate) fn fetch_from(
    repo: &dyn Store,
    image: &ImageRef,
    lookup: &Lookup,
) -> Result<Fetched, RegistryError> {
    let mut warnings = Vec::new();
    let attached = attachments(repo, image, lookup.platform.as_ref())?;
    let (image_digest, subject, subject_platform, candidates, path) = (
        attached.image_digest,
        attached.subject,
        attached.platform,
        attached.found,
        attached.path,
    );
    if candidates.is_empty() {
        let on = match &subject_platform {
            Some(p) => format!("`{image}` ({p} manifest {subject})"),
            None => format!("`{image}`"),
        };
        return Err(RegistryError::NoArtifact { subject: on });
    }

    let chosen = match &lookup.artifact {
        Some(digest) => find_attached(&candidates, digest)?,
        None => newest(&candidates).clone(),
    };

    let (artifact, _) = artifact_manifest(repo, &chosen)?;
    if artifact
        .artifact_type
        .as_deref()
        .is_some_and(|t| t != ARTIFACT_TYPE)
    {
        warnings.push(format!(
            "artifact {} declares artifactType `{}` in its manifest, not `{ARTIFACT_TYPE}`",
            chosen.digest,
            artifact.artifact_type.as_deref().unwrap_or_default()
        ));
    }
    let layer =
        spec_layer(&artifact).ok_or_else(|| RegistryError::NoLayer(chosen.digest.clone()))?;
    if layer.media_type != SPEC_MEDIA_TYPE {
        warnings.push(format!(
            "artifact {} has no layer of media type {SPEC_MEDIA_TYPE}; reading its first layer ({})",
            chosen.digest, layer.media_type
        ));
    }
    let spec = repo.blob(layer, "the spec layer")?;
    Ok(Fetched {
        spec,
        image: image.to_string(),
        image_digest,
        subject_digest: subject,
        subject_platform,
        artifact_digest: chosen.digest.clone(),
        artifact_created: chosen.annotations.get(oci::CREATED).cloned(),
        artifacts_found: candidates.len(),
        lookup: path,
        requests: repo.requests(),
        warnings,
    })
}

/// The layer of an artifact manifest that holds the spec: the one of the spec media type, else
/// the first.
pub(crate) fn spec_layer(artifact: &Manifest) -> Option<&Descriptor> {
    artifact
        .layers
        .iter()
        .find(|l| l.media_type == SPEC_MEDIA_TYPE)
        .or(artifact.layers.first())
}

/// Decodes a JSON document from the registry, naming `what` it is and the shape it should have
/// when it is not.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    body: &[u8],
    what: impl Into<String>,
    expected: &'static str,
) -> Result<T, RegistryError> {
    serde_json::from_slice(body).map_err(|e| RegistryError::Invalid {
        what: what.into(),
        expected,
        reason: e.to_string(),
    })
}

/// The artifact `digest` among the `attached` ones, or an error that lists them.
pub(crate) fn find_attached(
    attached: &[Descriptor],
    digest: &str,
) -> Result<Descriptor, RegistryError> {
    attached
        .iter()
        .find(|d| d.digest == digest)
        .cloned()
        .ok_or_else(|| RegistryError::ArtifactNotAttached {
            digest: digest.to_owned(),
            available: if attached.is_empty() {
                "none".to_owned()
            } else {
                attached
                    .iter()
                    .map(|d| d.digest.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
}

/// The newest descriptor by `org.opencontainers.image.created`; missing or unparsable dates
/// are the oldest, and on a tie the later one in the list wins (as NFD's sort ends).
pub fn newest(candidates: &[Descriptor]) -> &Descriptor {
    let mut best = &candidates[0];
    for d in &candidates[1..] {
        if created(d) >= created(best) {
            best = d;
        }
    }
    best
}

/// `candidates` ordered as repeated [`newest`] picks would take them: newest first, and of
/// equally dated ones the later listed first.
pub(crate) fn newest_first(mut candidates: Vec<Descriptor>) -> Vec<Descriptor> {
    candidates.reverse();
    // A stable sort: equal dates keep the reversed order.
    candidates.sort_by_key(|d| Reverse(created(d)));
    candidates
}

/// When an artifact was created, from its descriptor's annotation (`None`: undated or not a
/// timestamp, older than any date).
pub(crate) fn created(d: &Descriptor) -> Option<Timestamp> {
    d.annotations
        .get(oci::CREATED)
        .and_then(|c| Timestamp::parse_rfc3339(c))
}

/// A fetched manifest.
#[derive(Debug, Clone)]
pub(crate) struct Fetch {
    pub(crate) digest: String,
    pub(crate) media_type: String,
    pub(crate) body: Vec<u8>,
}

/// One repository of one registry.
pub(crate) struct Repo<'a> {
    pub(crate) client: &'a Client,
    pub(crate) base: String,
    pub(crate) scope: Scope,
}

impl<'a> Repo<'a> {
    pub(crate) fn new(client: &'a Client, image: &Reference, actions: &str) -> Self {
        Repo {
            client,
            base: format!(
                "{}://{}/v2/{}",
                client.scheme(),
                image.api_host(),
                image.repository
            ),
            scope: Scope {
                host: image.api_host().to_owned(),
                scope: format!("repository:{}:{actions}", image.repository),
            },
        }
    }

    pub(crate) fn get(
        &self,
        url: &str,
        accept: &str,
        limit: u64,
    ) -> Result<Response, RegistryError> {
        Ok(self.client.send(
            Method::Get,
            url,
            &self.scope,
            &[("accept", accept)],
            None,
            limit,
        )?)
    }

    /// Maps a non-2xx answer to an error.
    pub(crate) fn fail(what: &str, r: &Response) -> RegistryError {
        let message = r.error_message();
        match r.status {
            401 | 403 => RegistryError::Denied {
                status: r.status,
                message,
            },
            _ => RegistryError::Status {
                what: what.to_owned(),
                status: r.status,
                message,
            },
        }
    }

    /// GETs a manifest by tag or digest, verifying it.
    pub(crate) fn manifest(&self, target: &str, what: &str) -> Result<Fetch, RegistryError> {
        let r = self
            .get(
                &format!("{}/manifests/{target}", self.base),
                oci::MANIFEST_ACCEPT,
                MAX_FETCH_BYTES,
            )
            .map_err(|e| too_large(e, what))?;
        if r.status == 404 {
            return Err(RegistryError::ImageNotFound {
                message: r.error_message(),
            });
        }
        if !(200..300).contains(&r.status) {
            return Err(Self::fail(what, &r));
        }
        // By digest: the body must hash to it. By tag: the body's sha256 is the digest, and
        // it must agree with the registry's Docker-Content-Digest when that is a sha256.
        let digest = if target.contains(':') {
            if !oci::verify_digest(&r.body, target) {
                return Err(RegistryError::Corrupt {
                    what: what.to_owned(),
                    expected: format!("digest {target}"),
                });
            }
            target.to_owned()
        } else {
            let digest = oci::sha256_digest(&r.body);
            if let Some(header) = r
                .header("docker-content-digest")
                .filter(|h| h.starts_with("sha256:") && *h != digest)
            {
                return Err(RegistryError::Corrupt {
                    what: what.to_owned(),
                    expected: format!("Docker-Content-Digest {header}"),
                });
            }
            digest
        };
        let media_type = oci::media_type_of(r.header("content-type"), &r.body);
        Ok(Fetch {
            digest,
            media_type,
            body: r.body,
        })
    }

    /// The compatibility artifacts attached to `digest`.
    pub(crate) fn referrers(
        &self,
        digest: &str,
    ) -> Result<(Vec<Descriptor>, LookupPath), RegistryError> {
        let Some((mut url, mut r)) = self.first_referrers_page(digest)? else {
            return Ok((self.tag_schema(digest)?, LookupPath::TagSchema));
        };
        let mut found = Vec::new();
        for page in 0..MAX_PAGES {
            if page > 0 {
                r = self.referrers_page(&url)?;
            }
            if !(200..300).contains(&r.status) {
                return Err(Self::fail("the referrers list", &r));
            }
            let index: Index = decode(&r.body, "the referrers list", "OCI index")?;
            let filtered = r
                .headers_named("oci-filters-applied")
                .any(|h| h.split(',').any(|f| f.trim() == "artifactType"))
                || index
                    .annotations
                    .get("org.opencontainers.referrers.filtersApplied")
                    .is_some_and(|f| f.split(',').any(|f| f.trim() == "artifactType"));
            found.extend(
                index
                    .manifests
                    .into_iter()
                    .filter(|d| filtered || d.artifact_type.as_deref() == Some(ARTIFACT_TYPE)),
            );
            match next_link(&r) {
                Some(next) => url = super::client::resolve_location(&url, &next).unwrap_or(next),
                None => return Ok((found, LookupPath::ReferrersApi)),
            }
        }
        Ok((found, LookupPath::ReferrersApi))
    }

    /// Where artifacts attached to `digest` are found, from the first referrers page alone.
    pub(crate) fn lookup_path(&self, digest: &str) -> Result<LookupPath, RegistryError> {
        match self.first_referrers_page(digest)? {
            None => Ok(LookupPath::TagSchema),
            Some((_, r)) if (200..300).contains(&r.status) => Ok(LookupPath::ReferrersApi),
            Some((_, r)) => Err(Self::fail("the referrers list", &r)),
        }
    }

    /// The URL and response of the first referrers page of `digest`, or `None` when the
    /// registry has no referrers API (404, or a success that is not an index): the tag schema
    /// applies then.
    fn first_referrers_page(
        &self,
        digest: &str,
    ) -> Result<Option<(String, Response)>, RegistryError> {
        let url = format!(
            "{}/referrers/{digest}?artifactType={}",
            self.base,
            query_escape(ARTIFACT_TYPE)
        );
        let r = self.referrers_page(&url)?;
        let is_index = r
            .header("content-type")
            .is_some_and(|t| t.starts_with(oci::OCI_INDEX));
        if r.status == 404 || ((200..300).contains(&r.status) && !is_index) {
            if r.status == 404
                && r.error_message()
                    .is_some_and(|m| m.starts_with("NAME_UNKNOWN"))
            {
                return Err(RegistryError::ImageNotFound {
                    message: r.error_message(),
                });
            }
            return Ok(None);
        }
        Ok(Some((url, r)))
    }

    fn referrers_page(&self, url: &str) -> Result<Response, RegistryError> {
        self.get(url, oci::OCI_INDEX, MAX_FETCH_BYTES)
            .map_err(|e| too_large(e, "the referrers list"))
    }

    /// The `sha256-<hex>` tag-schema index of `digest`, filtered by artifact type.
    fn tag_schema(&self, digest: &str) -> Result<Vec<Descriptor>, RegistryError> {
        let tag = digest.replacen(':', "-", 1);
        let Some(index) = self.tag_schema_index(&tag)? else {
            return Ok(Vec::new());
        };
        Ok(index
            .manifests
            .into_iter()
            .filter(|d| d.artifact_type.as_deref() == Some(ARTIFACT_TYPE))
            .collect())
    }

    /// The tag-schema index `tag` (`sha256-<hex>`), `None` when there is none.
    pub(crate) fn tag_schema_index(&self, tag: &str) -> Result<Option<Index>, RegistryError> {
        let what = format!("the tag-schema index `{tag}`");
        let r = self
            .get(
                &format!("{}/manifests/{tag}", self.base),
                oci::OCI_INDEX,
                MAX_FETCH_BYTES,
            )
            .map_err(|e| too_large(e, &what))?;
        if r.status == 404 {
            return Ok(None);
        }
        if !(200..300).contains(&r.status) {
            return Err(Self::fail(&what, &r));
        }
        decode(&r.body, what, "OCI index").map(Some)
    }

    /// GETs a blob, verifying digest and size.
    pub(crate) fn blob(&self, d: &Descriptor, what: &str) -> Result<Vec<u8>, RegistryError> {
        if d.size > MAX_FETCH_BYTES {
            return Err(RegistryError::TooLarge {
                what: what.to_owned(),
                size: d.size,
            });
        }
        let r = self
            .get(
                &format!("{}/blobs/{}", self.base, d.digest),
                "*/*",
                MAX_FETCH_BYTES,
            )
            .map_err(|e| too_large(e, what))?;
        if !(200..300).contains(&r.status) {
            return Err(Self::fail(what, &r));
        }
        if r.body.len() as u64 != d.size {
            return Err(RegistryError::Corrupt {
                what: what.to_owned(),
                expected: format!("size {} (got {} bytes)", d.size, r.body.len()),
            });
        }
        if !oci::verify_digest(&r.body, &d.digest) {
            return Err(RegistryError::Corrupt {
                what: what.to_owned(),
                expected: format!("digest {}", d.digest),
            });
        }
        Ok(r.body)
    }
}

fn too_large(e: RegistryError, what: &str) -> RegistryError {
    match e {
        RegistryError::Http(HttpError::TooLarge { limit, .. }) => RegistryError::TooLarge {
            what: what.to_owned(),
            size: limit + 1,
        },
        other => other,
    }
}

/// The `rel="next"` target of a `Link` header.
fn next_link(r: &Response) -> Option<String> {
    r.headers_named("link")
        .flat_map(|h| h.split(','))
        .find_map(|part| {
            let (target, params) = part.split_once(';')?;
            let is_next = params.split(';').any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            });
            let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
            is_next.then(|| target.to_owned())
        })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn desc(digest: &str, created: Option<&str>) -> Descriptor {
        Descriptor {
            media_type: oci::OCI_MANIFEST.into(),
            digest: digest.into(),
            size: 1,
            artifact_type: Some(ARTIFACT_TYPE.into()),
            annotations: created
                .map(|c| BTreeMap::from([(oci::CREATED.to_owned(), c.to_owned())]))
                .unwrap_or_default(),
            platform: None,
        }
    }

    #[test]
    fn newest_wins_as_in_nfd() {
        let list = [
            desc("a", Some("2025-01-01T00:00:00Z")),
            desc("b", Some("2026-01-01T00:00:00Z")),
            desc("c", None),
            desc("d", Some("not a date")),
        ];
        assert_eq!(newest(&list).digest, "b");
        let ties = [
            desc("a", Some("2026-01-01T00:00:00Z")),
            desc("b", Some("2026-01-01T01:00:00+01:00")),
        ];
        assert_eq!(newest(&ties).digest, "b");
        let undated = [desc("a", None), desc("b", None)];
        assert_eq!(newest(&undated).digest, "b");
    }

    #[test]
    fn newest_first_is_the_order_of_repeated_newest_picks() {
        let list = vec![
            desc("a", Some("2026-01-01T00:00:00Z")),
            desc("b", None),
            desc("c", Some("2027-05-01T00:00:00Z")),
            desc("d", Some("2026-01-01T01:00:00+01:00")),
            desc("e", Some("not a date")),
            desc("f", Some("2025-01-01T00:00:00Z")),
        ];
        let mut left = list.clone();
        let mut picked = Vec::new();
        while !left.is_empty() {
            let pick = newest(&left).digest.clone();
            let i = left.iter().position(|d| d.digest == pick).expect("picked");
            picked.push(left.remove(i).digest);
        }
        let sorted: Vec<String> = newest_first(list).into_iter().map(|d| d.digest).collect();
        assert_eq!(sorted, picked);
        assert_eq!(sorted, ["c", "d", "a", "f", "e", "b"]);
    }
}
