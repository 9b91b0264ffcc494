//! Finding and fetching an image's compatibility spec.
//!
//! The lookup is NFD's (oras-go's), with the gaps closed: resolve the reference (for an index
//! with `--platform`, the first matching manifest), list referrers of artifact type
//! [`ARTIFACT_TYPE`] through the referrers API (following `Link` pages, filtering client-side
//! unless the server says it filtered), fall back to the `sha256-<hex>` tag schema on
//! registries without the API (its index, and the artifacts' own tags: see
//! `authoring`), take the newest artifact by `org.opencontainers.image.created` (or the one
//! `--artifact` pins), and fetch its spec layer. Every manifest and blob is checked against its
//! digest and size, with a 4 MiB limit (as oras).
//!
//! A registry's answers are untrusted: lists are de-duplicated and bounded
//! ([`MAX_REFERRER_PAGES`], [`MAX_REFERRERS`], [`MAX_TAGS`]), a `Link` back to a page already
//! read is a loop, and a digest that is not one never goes into a URL (`check_digest`).

use std::cmp::Reverse;
use std::collections::HashSet;
use std::fmt;

use crate::spec::{ARTIFACT_TYPE, SPEC_MEDIA_TYPE, shorten};
use crate::timestamp::Timestamp;

use super::client::{Client, HttpError, Method, Response, Scope, query_escape};
use super::oci::{self, Descriptor, Index, Manifest};
use super::platform::Platform;
use super::reference::{Reference, parse_digest};
use super::store::{ImageRef, Store, artifact_manifest};
use super::subject::attachments;

/// The largest manifest or blob fetched (oras' `FetchBytes` default).
pub const MAX_FETCH_BYTES: u64 = 4 << 20;
/// The most referrers pages read for one subject; a list that goes on is an error.
pub const MAX_REFERRER_PAGES: usize = 100;
/// The most distinct referrers (of any artifact type) read for one subject, over all pages or
/// in its tag-schema index; more is an error.
pub const MAX_REFERRERS: usize = 10_000;
/// The most tags read from a repository's tag list (looking for artifact tags).
pub const MAX_TAGS: usize = 1_000_000;

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
    /// A digest from the registry that is not `sha256:<64 hex>` or `sha512:<128 hex>`; it is
    /// never put into a request.
    #[error(
        "{what} names `{digest}`, which is not a digest (`sha256:` and 64 lowercase hex digits, or `sha512:` and 128): the registry sent a malformed or hostile answer"
    )]
    BadDigest {
        /// Where the digest was found.
        what: String,
        /// The digest (shortened).
        digest: String,
    },
    /// A paginated list (referrers, tags) that is longer than a limit, or loops.
    #[error("{list} {problem}")]
    Pagination {
        /// Which list (`the referrers list of sha256:...`).
        list: String,
        /// Which limit was hit, or where the list loops.
        problem: String,
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

/// Refuses a digest the registry sent that is not one (`sha256:../../v2/_catalog?`) before it
/// can go into a request path or be shown as an artifact.
pub(crate) fn check_digest(digest: &str, what: &str) -> Result<(), RegistryError> {
    match parse_digest(digest) {
        Ok(_) => Ok(()),
        Err(_) => Err(RegistryError::BadDigest {
            what: what.to_owned(),
            digest: shorten(digest, 100),
        }),
    }
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
        if target.contains(':') {
            check_digest(target, what)?;
        }
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

    /// The compatibility artifacts attached to `digest`: every referrers page, de-duplicated,
    /// within [`MAX_REFERRER_PAGES`] and [`MAX_REFERRERS`]; or, on a registry without the
    /// referrers API, its tag-schema index and artifact tags.
    pub(crate) fn referrers(
        &self,
        digest: &str,
    ) -> Result<(Vec<Descriptor>, LookupPath), RegistryError> {
        let Some((url, r)) = self.first_referrers_page(digest)? else {
            return Ok((self.tag_schema(digest)?, LookupPath::TagSchema));
        };
        let mut list = Referrers::new(format!("the referrers list of `{digest}`"));
        self.follow_pages(&list.name.clone(), oci::OCI_INDEX, url, r, |r| {
            if !(200..300).contains(&r.status) {
                return Err(Self::fail("the referrers list", r));
            }
            let index: Index = decode(&r.body, "the referrers list", "OCI index")?;
            let filtered = r
                .headers_named("oci-filters-applied")
                .any(|h| h.split(',').any(|f| f.trim() == "artifactType"))
                || index
                    .annotations
                    .get("org.opencontainers.referrers.filtersApplied")
                    .is_some_and(|f| f.split(',').any(|f| f.trim() == "artifactType"));
            let entries = index.manifests.len();
            Ok((entries, list.add(index.manifests, filtered)?))
        })?;
        Ok((list.found, LookupPath::ReferrersApi))
    }

    /// Reads a paginated list from its first page `r` (at `url`), following `Link:
    /// rel="next"`: `read` takes a page and says how many entries it had and how many of them
    /// were new. A `Link` back to a page already read, a page of only repeated entries and more
    /// than [`MAX_REFERRER_PAGES`] pages are errors naming `list`.
    fn follow_pages(
        &self,
        list: &str,
        accept: &str,
        mut url: String,
        mut r: Response,
        mut read: impl FnMut(&Response) -> Result<(usize, usize), RegistryError>,
    ) -> Result<(), RegistryError> {
        let problem = |problem: String| RegistryError::Pagination {
            list: list.to_owned(),
            problem,
        };
        let mut pages = vec![url.clone()];
        loop {
            let (entries, new) = read(&r)?;
            if entries > 0 && new == 0 && pages.len() > 1 {
                return Err(problem(format!(
                    "loops: page {} repeats only entries of earlier pages",
                    pages.len()
                )));
            }
            let Some(next) = next_link(&r) else {
                return Ok(());
            };
            let next = super::client::resolve_location(&url, &next).unwrap_or(next);
            if let Some(earlier) = pages.iter().position(|p| *p == next) {
                return Err(problem(format!(
                    "loops: the `Link` of page {} leads back to page {} (`{}`)",
                    pages.len(),
                    earlier + 1,
                    shorten(&next, 200)
                )));
            }
            if pages.len() == MAX_REFERRER_PAGES {
                return Err(problem(format!(
                    "has more than {MAX_REFERRER_PAGES} pages (the limit); detach old artifacts, or ask the registry's operator why the list goes on"
                )));
            }
            url = next;
            pages.push(url.clone());
            r = self
                .get(&url, accept, MAX_FETCH_BYTES)
                .map_err(|e| too_large(e, list))?;
        }
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

    /// The compatibility artifacts of `digest` on a registry without the referrers API: the
    /// entries of its `sha256-<hex>` tag-schema index, and the artifacts that have a tag of
    /// their own ([`artifact_tag`]) but no entry (yet), de-duplicated, within
    /// [`MAX_REFERRERS`].
    pub(crate) fn tag_schema(&self, digest: &str) -> Result<Vec<Descriptor>, RegistryError> {
        let tag = schema_tag(digest);
        let mut list = Referrers::new(format!("the tag-schema index `{tag}`"));
        if let Some(index) = self.tag_schema_index(&tag)? {
            list.add(index.manifests, false)?;
        }
        for d in self.tagged_artifacts(digest, &list.seen)? {
            list.add(vec![d], true)?;
        }
        Ok(list.found)
    }

    /// The compatibility artifacts of `subject` found by their own tags, except those whose
    /// digest is in `known`. A tag whose manifest is gone or is not an artifact of `subject`
    /// is skipped.
    pub(crate) fn tagged_artifacts(
        &self,
        subject: &str,
        known: &HashSet<String>,
    ) -> Result<Vec<Descriptor>, RegistryError> {
        let prefix = artifact_tag_prefix(subject);
        // An artifact tag ends with the first 32 hex digits of the artifact's digest.
        let known: HashSet<&str> = known
            .iter()
            .filter_map(|d| d.split_once(':').and_then(|(_, hex)| hex.get(..32)))
            .collect();
        let mut found = Vec::new();
        for tag in self.tags_starting_with(&prefix)? {
            if known.contains(&tag[prefix.len()..]) {
                continue;
            }
            let what = format!("artifact tag `{tag}`");
            let fetched = match self.manifest(&tag, &what) {
                Ok(f) => f,
                // Detached in the meantime.
                Err(RegistryError::ImageNotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            let Ok(manifest) = serde_json::from_slice::<Manifest>(&fetched.body) else {
                continue;
            };
            if manifest.artifact_type.as_deref() != Some(ARTIFACT_TYPE)
                || manifest.subject.as_ref().map(|s| s.digest.as_str()) != Some(subject)
            {
                continue;
            }
            found.push(Descriptor {
                media_type: fetched.media_type,
                digest: fetched.digest,
                size: fetched.body.len() as u64,
                artifact_type: manifest.artifact_type,
                annotations: manifest.annotations,
                platform: None,
            });
        }
        Ok(found)
    }

    /// The repository's tags that start with `prefix`, each once (`GET /v2/<name>/tags/list`,
    /// following `Link` pages). Over [`MAX_TAGS`] tags in all is an error.
    fn tags_starting_with(&self, prefix: &str) -> Result<Vec<String>, RegistryError> {
        #[derive(serde::Deserialize)]
        struct TagList {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let url = format!("{}/tags/list", self.base);
        let first = self
            .get(&url, "application/json", MAX_FETCH_BYTES)
            .map_err(|e| too_large(e, "the tag list"))?;
        if first.status == 404 {
            return Ok(Vec::new());
        }
        let mut total = 0usize;
        let mut tags = Vec::new();
        self.follow_pages("the tag list", "application/json", url, first, |r| {
            if !(200..300).contains(&r.status) {
                return Err(Self::fail("the tag list", r));
            }
            let page: TagList = decode(&r.body, "the tag list", "tag list")?;
            let page = page.tags.unwrap_or_default();
            total += page.len();
            if total > MAX_TAGS {
                return Err(RegistryError::Pagination {
                    list: "the tag list".to_owned(),
                    problem: format!("has more than {MAX_TAGS} tags (the limit)"),
                });
            }
            let entries = page.len();
            tags.extend(page.into_iter().filter(|t| t.starts_with(prefix)));
            // Pages of other tags are not repeats: only a `Link` back is a loop here.
            Ok((entries, entries))
        })?;
        tags.sort_unstable();
        tags.dedup();
        Ok(tags)
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
        check_digest(&d.digest, what)?;
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

/// The referrers read so far: every digest seen (of any artifact type), and the compatibility
/// artifacts among them, each once, in the order listed.
struct Referrers {
    /// Which list, for errors.
    name: String,
    seen: HashSet<String>,
    found: Vec<Descriptor>,
}

impl Referrers {
    fn new(name: String) -> Self {
        Referrers {
            name,
            seen: HashSet::new(),
            found: Vec::new(),
        }
    }

    /// Adds the entries of one page (all of them compatibility artifacts when the registry
    /// `filtered` by artifact type); returns how many were not seen before. Over
    /// [`MAX_REFERRERS`] distinct entries is an error, and so is an invalid digest on an entry
    /// that is kept.
    fn add(&mut self, entries: Vec<Descriptor>, filtered: bool) -> Result<usize, RegistryError> {
        let mut new = 0;
        for d in entries {
            if self.seen.contains(&d.digest) {
                continue;
            }
            if self.seen.len() == MAX_REFERRERS {
                return Err(RegistryError::Pagination {
                    list: self.name.clone(),
                    problem: format!(
                        "has more than {MAX_REFERRERS} entries (the limit); detach old artifacts"
                    ),
                });
            }
            self.seen.insert(d.digest.clone());
            new += 1;
            if filtered || d.artifact_type.as_deref() == Some(ARTIFACT_TYPE) {
                check_digest(&d.digest, &self.name)?;
                self.found.push(d);
            }
        }
        Ok(new)
    }
}

/// The tag-schema tag of a subject digest: `sha256-<hex>`.
pub(crate) fn schema_tag(subject: &str) -> String {
    subject.replacen(':', "-", 1)
}

/// What every artifact tag of `subject` starts with: its tag-schema tag (cut to 71
/// characters, so that a sha512 subject still gives a valid tag) and `.nfd.`.
fn artifact_tag_prefix(subject: &str) -> String {
    let schema = schema_tag(subject);
    let cut = schema
        .char_indices()
        .nth(71)
        .map_or(schema.len(), |(i, _)| i);
    format!("{}.nfd.", &schema[..cut])
}

/// The tag of its own that an artifact gets on a registry without the referrers API
/// (`sha256-<subject hex>.nfd.<first 32 hex of the artifact digest>`, 108 characters): lookups
/// find it even when a concurrent writer dropped its entry from the tag-schema index.
pub(crate) fn artifact_tag(subject: &str, artifact: &str) -> String {
    let hex = artifact.split_once(':').map_or(artifact, |(_, h)| h);
    let cut = hex.char_indices().nth(32).map_or(hex.len(), |(i, _)| i);
    format!("{}{}", artifact_tag_prefix(subject), &hex[..cut])
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

/// The `rel="next"` target of a response's `Link` headers.
fn next_link(r: &Response) -> Option<String> {
    parse_next_link(r.headers_named("link"))
}

/// The `rel="next"` target among `Link` header values (`<url>; rel="next"`).
pub(crate) fn parse_next_link<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    values.flat_map(|h| h.split(',')).find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        // A URI reference has no angle brackets, spaces or control characters (RFC 3986): a
        // target with any is not a link to follow.
        let uri = !target
            .chars()
            .any(|c| c == '<' || c == '>' || c.is_whitespace() || c.is_control());
        (is_next && uri).then(|| target.to_owned())
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
    fn artifact_tags_are_valid_tags_under_their_subject() {
        let artifact = format!("sha256:{}", "ab".repeat(32));
        for subject in [
            format!("sha256:{}", "1".repeat(64)),
            format!("sha512:{}", "2".repeat(128)),
        ] {
            let tag = artifact_tag(&subject, &artifact);
            assert!(tag.len() <= 128, "{tag}");
            assert!(
                tag.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')),
                "{tag}"
            );
            assert!(tag.starts_with(&artifact_tag_prefix(&subject)));
            assert!(tag.ends_with(&"ab".repeat(16)));
        }
        assert_eq!(
            artifact_tag(&format!("sha256:{}", "1".repeat(64)), &artifact).len(),
            108
        );
    }

    #[test]
    fn only_real_digests_pass() {
        let good = format!("sha256:{}", "0".repeat(64));
        assert!(check_digest(&good, "x").is_ok());
        assert!(check_digest(&format!("sha512:{}", "f".repeat(128)), "x").is_ok());
        for bad in [
            "sha256:../../../../v2/_catalog?",
            "sha256:",
            "sha256",
            &format!("sha256:{}", "0".repeat(63)),
            &format!("sha256:{}", "A".repeat(64)),
            &format!("sha512:{}", "0".repeat(64)),
            &format!("md5:{}", "0".repeat(32)),
            &format!("{good}/x"),
        ] {
            let e = check_digest(bad, "the referrers list").unwrap_err();
            assert!(
                e.to_string().starts_with("the referrers list names `"),
                "{e}"
            );
        }
    }

    #[test]
    fn the_next_link_is_found_among_several() {
        let next = |values: &[&str]| parse_next_link(values.iter().copied());
        assert_eq!(
            next(&[r#"<https://r/x>; rel="prev", </v2/a/referrers/d?n=2>; rel="next""#]),
            Some("/v2/a/referrers/d?n=2".to_owned())
        );
        assert_eq!(next(&["</p2>; rel=next"]), Some("/p2".to_owned()));
        assert_eq!(
            next(&["</p2>; rel=\"prev\"", "</p3> ; rel = \"next\""]),
            Some("/p3".to_owned())
        );
        assert_eq!(next(&["/p2; rel=next", "<>", ""]), None);
        // Found by fuzzing: a target that is not a URI reference is not followed.
        assert_eq!(next(&["<<p2>; rel=next"]), None);
        assert_eq!(next(&["</p 2>; rel=next", "</p\u{0}2>; rel=next"]), None);
        assert_eq!(
            next(&["<<bad>; rel=next, </p3>; rel=next"]),
            Some("/p3".to_owned())
        );
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
