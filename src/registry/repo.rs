//! One repository of one registry, one method per endpoint of the distribution API: manifests
//! (get, head, put, delete), blobs (head, get, upload), one page of the referrers list and of
//! the tag list. This is the only place that builds `/v2/...` URLs and sends requests; the
//! lookup (`referrers`, `tag_schema`, `fetch`) and the authoring (`authoring`) are written on
//! top of it.
//!
//! Every manifest and blob read is checked against its digest and size, with a 4 MiB limit
//! ([`MAX_FETCH_BYTES`], as oras), and a digest that is not one never goes into a URL
//! (`check_digest`).

use std::time::Duration;

use crate::spec::ARTIFACT_TYPE;

use super::client::{Client, HttpError, Method, Response, Scope, query_escape, resolve_location};
use super::error::{RegistryError, check_digest, decode};
use super::oci::{self, Descriptor, Index};
use super::reference::Reference;
use super::store::MAX_FETCH_BYTES;

/// How many times a manifest is pushed while the registry cannot yet read what it references.
const SETTLE_ATTEMPTS: usize = 4;

/// A manifest as a store holds it: its digest (verified), media type and bytes.
#[derive(Debug, Clone)]
pub(crate) struct ManifestBytes {
    pub(crate) digest: String,
    pub(crate) media_type: String,
    pub(crate) body: Vec<u8>,
}

/// One repository of one registry.
pub(crate) struct Repo<'a> {
    client: &'a Client,
    /// `<scheme>://<api host>/v2/<repository>`.
    base: String,
    scope: Scope,
}

/// One page of a paginated list (referrers, tags), as the registry answered it.
pub(crate) struct Page {
    /// The URL it was asked for (what a relative `Link` resolves against).
    url: String,
    /// The `Accept` of the list, for the next page.
    accept: &'static str,
    response: Response,
}

impl Page {
    /// The URL the page was asked for.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The body of a 2xx answer; any other status is an error about `what`.
    pub(crate) fn body(&self, what: &str) -> Result<&[u8], RegistryError> {
        if (200..300).contains(&self.response.status) {
            Ok(&self.response.body)
        } else {
            Err(Repo::fail(what, &self.response))
        }
    }

    /// Every header of this (lower-case) name.
    pub(crate) fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.response.headers_named(name)
    }

    /// The next page's URL: the `rel="next"` target of the `Link` headers, resolved against
    /// this page's URL.
    pub(crate) fn next(&self) -> Option<String> {
        let next = parse_next_link(self.response.headers_named("link"))?;
        Some(resolve_location(&self.url, &next).unwrap_or(next))
    }
}

impl<'a> Repo<'a> {
    /// The repository of `image`, with a token scope for `actions` (`pull`, `pull,push`...).
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

    /// How many HTTP requests the client sent so far.
    pub(crate) fn requests(&self) -> u32 {
        self.client.requests()
    }

    fn get(&self, url: &str, accept: &str, limit: u64) -> Result<Response, RegistryError> {
        Ok(self.client.send(
            Method::Get,
            url,
            &self.scope,
            &[("accept", accept)],
            None,
            limit,
        )?)
    }

    /// GETs the manifest `reference` as `accept`, whatever the status (`what` it is, for
    /// errors).
    fn get_manifest(
        &self,
        reference: &str,
        accept: &str,
        what: &str,
    ) -> Result<Response, RegistryError> {
        self.get(
            &format!("{}/manifests/{reference}", self.base),
            accept,
            MAX_FETCH_BYTES,
        )
        .map_err(|e| too_large(e, what))
    }

    /// Maps a non-2xx answer to an error.
    fn fail(what: &str, r: &Response) -> RegistryError {
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
    pub(crate) fn manifest(
        &self,
        target: &str,
        what: &str,
    ) -> Result<ManifestBytes, RegistryError> {
        if target.contains(':') {
            check_digest(target, what)?;
        }
        let r = self.get_manifest(target, oci::MANIFEST_ACCEPT, what)?;
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
        Ok(ManifestBytes {
            digest,
            media_type,
            body: r.body,
        })
    }

    /// GETs the OCI index tagged `tag` (`what` it is, for errors), `None` when there is none.
    pub(crate) fn index(&self, tag: &str, what: &str) -> Result<Option<Index>, RegistryError> {
        let r = self.get_manifest(tag, oci::OCI_INDEX, what)?;
        if r.status == 404 {
            return Ok(None);
        }
        if !(200..300).contains(&r.status) {
            return Err(Self::fail(what, &r));
        }
        decode(&r.body, what, "OCI index").map(Some)
    }

    /// Whether the manifest `digest` is there (HEAD).
    pub(crate) fn has_manifest(&self, digest: &str) -> Result<bool, RegistryError> {
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
            _ => Err(Self::fail(&format!("manifest {digest}"), &r)),
        }
    }

    /// PUTs manifest `body` as `reference` right after what it references was pushed or
    /// found; returns whether the registry says it processed the manifest's `subject`
    /// (`OCI-Subject`).
    ///
    /// The registry may not read those back at once: distribution rewrites a blob's or
    /// manifest's link file in place when another client pushes the same content again
    /// (every artifact's empty config is the same blob; an artifact is pushed again under its
    /// tag), and a manifest checked in that moment gets `DIGEST_INVALID` (an empty digest was
    /// read) or `MANIFEST_BLOB_UNKNOWN`. A registry on eventually consistent storage says the
    /// latter too. The body's digest is ours, so neither answer is about the manifest itself:
    /// the push is tried again after a pause, up to [`SETTLE_ATTEMPTS`] times.
    pub(crate) fn put_manifest(
        &self,
        reference: &str,
        body: &[u8],
        media_type: &str,
    ) -> Result<bool, RegistryError> {
        let mut attempt = 1;
        loop {
            let r = self.client.send(
                Method::Put,
                &format!("{}/manifests/{reference}", self.base),
                &self.scope,
                &[("content-type", media_type)],
                Some(body),
                MAX_FETCH_BYTES,
            )?;
            if (200..300).contains(&r.status) {
                return Ok(r.header("oci-subject").is_some());
            }
            let unsettled = r.status == 400
                && r.error_codes()
                    .iter()
                    .any(|c| c == "DIGEST_INVALID" || c == "MANIFEST_BLOB_UNKNOWN");
            if !unsettled || attempt == SETTLE_ATTEMPTS {
                return Err(Self::fail(&format!("pushing manifest {reference}"), &r));
            }
            self.client.debug(|| {
                format!(
                    "push {attempt}/{SETTLE_ATTEMPTS} of manifest {reference}: the registry could not read what it references yet ({}); trying again",
                    r.error_message().unwrap_or_default()
                )
            });
            attempt += 1;
            pause_before_retry();
        }
    }

    /// DELETEs the manifest `digest`; a refusal is an error about `what`.
    pub(crate) fn delete_manifest(&self, digest: &str, what: &str) -> Result<(), RegistryError> {
        let r = self.client.send(
            Method::Delete,
            &format!("{}/manifests/{digest}", self.base),
            &self.scope,
            &[],
            None,
            MAX_FETCH_BYTES,
        )?;
        if (200..300).contains(&r.status) {
            Ok(())
        } else {
            Err(Self::fail(what, &r))
        }
    }

    /// Whether the blob `digest` is there (HEAD answered 200).
    pub(crate) fn has_blob(&self, digest: &str) -> Result<bool, RegistryError> {
        let head = self.client.send(
            Method::Head,
            &format!("{}/blobs/{digest}", self.base),
            &self.scope,
            &[],
            None,
            0,
        )?;
        Ok(head.status == 200)
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

    /// Uploads a blob in one piece: POST to start the upload, PUT of the bytes to the
    /// `Location` it answers.
    pub(crate) fn upload_blob(&self, bytes: &[u8], digest: &str) -> Result<(), RegistryError> {
        let start = self.client.send(
            Method::Post,
            &format!("{}/blobs/uploads/", self.base),
            &self.scope,
            &[],
            Some(&[]),
            MAX_FETCH_BYTES,
        )?;
        if start.status != 202 {
            return Err(Self::fail("starting a blob upload", &start));
        }
        let Some(location) = start.header("location") else {
            return Err(RegistryError::Invalid {
                what: "the upload answer".into(),
                expected: "response with Location",
                reason: "no Location header".into(),
            });
        };
        let url = resolve_location(&start.url, location).unwrap_or_else(|| location.to_owned());
        let sep = if url.contains('?') { '&' } else { '?' };
        let put = self.client.send(
            Method::Put,
            &format!("{url}{sep}digest={}", query_escape(digest)),
            &self.scope,
            &[("content-type", "application/octet-stream")],
            Some(bytes),
            MAX_FETCH_BYTES,
        )?;
        if put.status != 201 {
            return Err(Self::fail(&format!("uploading blob {digest}"), &put));
        }
        Ok(())
    }

    /// The first page of the compatibility artifacts referring to `digest` (`GET
    /// /v2/<name>/referrers/<digest>?artifactType=...`), or `None` when the registry has no
    /// referrers API (404, or a success that is not an index): the tag schema applies then.
    pub(crate) fn referrers_page(&self, digest: &str) -> Result<Option<Page>, RegistryError> {
        let url = format!(
            "{}/referrers/{digest}?artifactType={}",
            self.base,
            query_escape(ARTIFACT_TYPE)
        );
        let r = self
            .get(&url, oci::OCI_INDEX, MAX_FETCH_BYTES)
            .map_err(|e| too_large(e, "the referrers list"))?;
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
        Ok(Some(Page {
            url,
            accept: oci::OCI_INDEX,
            response: r,
        }))
    }

    /// The first page of the repository's tag list (`GET /v2/<name>/tags/list`), `None` when
    /// the registry answers 404.
    pub(crate) fn tags_page(&self) -> Result<Option<Page>, RegistryError> {
        let url = format!("{}/tags/list", self.base);
        let accept = "application/json";
        let r = self
            .get(&url, accept, MAX_FETCH_BYTES)
            .map_err(|e| too_large(e, "the tag list"))?;
        if r.status == 404 {
            return Ok(None);
        }
        Ok(Some(Page {
            url,
            accept,
            response: r,
        }))
    }

    /// The page at `url` (a [`Page::next`]) of the same list as `page`, named `list` in errors.
    pub(crate) fn next_page(
        &self,
        page: &Page,
        url: String,
        list: &str,
    ) -> Result<Page, RegistryError> {
        let r = self
            .get(&url, page.accept, MAX_FETCH_BYTES)
            .map_err(|e| too_large(e, list))?;
        Ok(Page {
            url,
            accept: page.accept,
            response: r,
        })
    }
}

/// A pause of 100 to 400 ms, different in each process, so that writers that collided do not
/// collide again in step.
pub(crate) fn pause_before_retry() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let spread =
        (u64::from(nanos) ^ u64::from(std::process::id()).wrapping_mul(2_654_435_761)) % 300;
    std::thread::sleep(Duration::from_millis(100 + spread));
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
    use super::*;

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
}
