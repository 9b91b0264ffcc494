//! Finding and fetching an image's compatibility spec.
//!
//! The lookup is NFD's (oras-go's), with the gaps closed: resolve the reference (for an index
//! with `--platform`, the first matching manifest: `subject`), list the referrers of artifact
//! type [`ARTIFACT_TYPE`] (`referrers`: the referrers API, or the `sha256-<hex>` tag schema on
//! registries without it; the entries of `index.json` in a layout), take the newest artifact
//! by `org.opencontainers.image.created` (or the one `--artifact` pins), and fetch its spec
//! layer. Every manifest and blob is checked against its digest and size, with a 4 MiB limit
//! (as oras).

use std::cmp::Reverse;
use std::fmt;

use crate::spec::{ARTIFACT_TYPE, SPEC_MEDIA_TYPE};
use crate::timestamp::Timestamp;
use crate::warning::{Topic, Warning};

use super::error::RegistryError;
use super::oci::{self, Descriptor, Manifest};
use super::platform::Platform;
use super::store::{ImageRef, Store, artifact_manifest};
use super::subject::attachments;

/// How the artifact was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum LookupPath {
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
pub(crate) struct Lookup {
    /// Look on this platform's manifest of an index.
    pub platform: Option<Platform>,
    /// Use this artifact (a digest) rather than the newest.
    pub artifact: Option<String>,
}

/// A fetched spec and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FetchedSpec {
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
    pub warnings: Vec<Warning>,
}

/// Fetches the compatibility spec of `image` from `store` (a registry or a layout).
pub(crate) fn fetch_from(
    repo: &dyn Store,
    image: &ImageRef,
    lookup: &Lookup,
) -> Result<FetchedSpec, RegistryError> {
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
        warnings.push(Warning::new(
            Topic::Registry,
            format!(
                "artifact {} declares artifactType `{}` in its manifest, not `{ARTIFACT_TYPE}`",
                chosen.digest,
                artifact.artifact_type.as_deref().unwrap_or_default()
            ),
        ));
    }
    let layer =
        spec_layer(&artifact).ok_or_else(|| RegistryError::NoLayer(chosen.digest.clone()))?;
    if layer.media_type != SPEC_MEDIA_TYPE {
        warnings.push(Warning::new(Topic::Registry, format!(
            "artifact {} has no layer of media type {SPEC_MEDIA_TYPE}; reading its first layer ({})",
            chosen.digest, layer.media_type
        )));
    }
    let spec = repo.blob(layer, "the spec layer")?;
    Ok(FetchedSpec {
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
pub(crate) fn newest(candidates: &[Descriptor]) -> &Descriptor {
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
