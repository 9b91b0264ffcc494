//! The `sha256-<hex>` tag schema, for registries without the referrers API: reading it (the
//! subject's tag-schema index, and the artifacts' own tags) and keeping the index in step on
//! attach and detach.
//!
//! Nothing stops two writers from replacing each other's index (there is no conditional PUT).
//! So each artifact also gets a tag of its own ([`artifact_tag`]), pushed before the index is
//! touched; lookups read the index and those tags, so an attach that succeeded is never lost
//! to a concurrent one. The index is kept complete as well as the registry allows, for NFD and
//! oras, which read only the index: every write merges in all tagged artifacts, is read back,
//! and is checked again after a pause, re-merging until our entry holds ([`sync_tag_schema`]).

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use crate::spec::ARTIFACT_TYPE;

use super::error::{RegistryError, decode};
use super::oci::{self, Descriptor, Index, Manifest};
use super::pages::follow_pages;
use super::referrers::Referrers;
use super::repo::{Repo, pause_before_retry};

/// The most tags read from a repository's tag list (looking for artifact tags).
pub(crate) const MAX_TAGS: usize = 1_000_000;
/// How many times the tag-schema index is re-written when a concurrent writer is detected.
const INDEX_ATTEMPTS: usize = 8;
/// How long a write of the tag-schema index is left to settle before it is checked again (a
/// concurrent writer that read the index before our write would have replaced it by then).
const INDEX_SETTLE: Duration = Duration::from_millis(500);

/// The compatibility artifacts of `digest` on a registry without the referrers API: the
/// entries of its `sha256-<hex>` tag-schema index, and the artifacts that have a tag of
/// their own ([`artifact_tag`]) but no entry (yet), de-duplicated, within
/// `referrers::MAX_REFERRERS`.
pub(crate) fn artifacts_of(
    repo: &Repo<'_>,
    digest: &str,
) -> Result<Vec<Descriptor>, RegistryError> {
    let tag = schema_tag(digest);
    let mut list = Referrers::new(format!("the tag-schema index `{tag}`"));
    if let Some(index) = tag_schema_index(repo, &tag)? {
        list.add(index.manifests, false)?;
    }
    for d in tagged_artifacts(repo, digest, &list.seen)? {
        list.add(vec![d], true)?;
    }
    Ok(list.found)
}

/// The compatibility artifacts of `subject` found by their own tags, except those whose
/// digest is in `known`. A tag whose manifest is gone or is not an artifact of `subject`
/// is skipped.
fn tagged_artifacts(
    repo: &Repo<'_>,
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
    for tag in tags_starting_with(repo, &prefix)? {
        if known.contains(&tag[prefix.len()..]) {
            continue;
        }
        let what = format!("artifact tag `{tag}`");
        let fetched = match repo.manifest(&tag, &what) {
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

/// The repository's tags that start with `prefix`, each once (the tag list, following `Link`
/// pages). Over [`MAX_TAGS`] tags in all is an error.
fn tags_starting_with(repo: &Repo<'_>, prefix: &str) -> Result<Vec<String>, RegistryError> {
    #[derive(serde::Deserialize)]
    struct TagList {
        #[serde(default)]
        tags: Option<Vec<String>>,
    }
    let Some(first) = repo.tags_page()? else {
        return Ok(Vec::new());
    };
    let mut total = 0usize;
    let mut tags = Vec::new();
    follow_pages(repo, "the tag list", first, |page| {
        let body = page.body("the tag list")?;
        let page: TagList = decode(body, "the tag list", "tag list")?;
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
fn tag_schema_index(repo: &Repo<'_>, tag: &str) -> Result<Option<Index>, RegistryError> {
    repo.index(tag, &format!("the tag-schema index `{tag}`"))
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

/// The tag-schema index `tag`, or an empty one.
fn read_index(repo: &Repo<'_>, tag: &str) -> Result<Index, RegistryError> {
    Ok(tag_schema_index(repo, tag)?.unwrap_or_else(|| Index {
        schema_version: 2,
        media_type: Some(oci::OCI_INDEX.to_owned()),
        manifests: Vec::new(),
        annotations: BTreeMap::new(),
    }))
}

/// What an attach or detach changes in the tag-schema index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Change<'a> {
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
pub(crate) fn sync_tag_schema(
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
    for d in tagged_artifacts(repo, subject, &known)? {
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
        repo.put_manifest(tag, &body, oci::OCI_INDEX)?;
    }
    if !change.holds(&read_index(repo, tag)?) {
        return Ok(false);
    }
    std::thread::sleep(INDEX_SETTLE);
    Ok(change.holds(&read_index(repo, tag)?))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
