//! The compatibility artifacts referring to a manifest in a registry: the referrers API
//! (every page, filtered client-side unless the server says it filtered) or, on registries
//! without it, the tag schema (`tag_schema`). A registry's lists are untrusted: they are
//! de-duplicated and bounded ([`MAX_REFERRERS`] entries, `pages::MAX_PAGES` pages).

use std::collections::HashSet;

use crate::spec::ARTIFACT_TYPE;

use super::error::{RegistryError, check_digest, decode};
use super::fetch::LookupPath;
use super::oci::{Descriptor, Index};
use super::pages::follow_pages;
use super::repo::Repo;
use super::tag_schema;

/// The most distinct referrers (of any artifact type) read for one subject, over all pages or
/// in its tag-schema index; more is an error.
pub(crate) const MAX_REFERRERS: usize = 10_000;

/// The compatibility artifacts attached to `digest`: every referrers page, de-duplicated,
/// within the limits; or, on a registry without the referrers API, its tag-schema index and
/// artifact tags.
pub(crate) fn artifacts_of(
    repo: &Repo<'_>,
    digest: &str,
) -> Result<(Vec<Descriptor>, LookupPath), RegistryError> {
    let Some(first) = repo.referrers_page(digest)? else {
        return Ok((
            tag_schema::artifacts_of(repo, digest)?,
            LookupPath::TagSchema,
        ));
    };
    let mut list = Referrers::new(format!("the referrers list of `{digest}`"));
    follow_pages(repo, &list.name.clone(), first, |page| {
        let body = page.body("the referrers list")?;
        let index: Index = decode(body, "the referrers list", "OCI index")?;
        let filtered = page
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

/// Where artifacts attached to `digest` are found, from the first referrers page alone.
pub(crate) fn lookup_path(repo: &Repo<'_>, digest: &str) -> Result<LookupPath, RegistryError> {
    match repo.referrers_page(digest)? {
        None => Ok(LookupPath::TagSchema),
        Some(page) => page
            .body("the referrers list")
            .map(|_| LookupPath::ReferrersApi),
    }
}

/// The referrers read so far: every digest seen (of any artifact type), and the compatibility
/// artifacts among them, each once, in the order listed.
pub(crate) struct Referrers {
    /// Which list, for errors.
    pub(crate) name: String,
    pub(crate) seen: HashSet<String>,
    pub(crate) found: Vec<Descriptor>,
}

impl Referrers {
    pub(crate) fn new(name: String) -> Self {
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
    pub(crate) fn add(
        &mut self,
        entries: Vec<Descriptor>,
        filtered: bool,
    ) -> Result<usize, RegistryError> {
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
