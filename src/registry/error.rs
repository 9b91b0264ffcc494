//! Why a registry or layout operation failed: [`RegistryError`], and the two checks every
//! answer from a store goes through before it is used (a JSON document's shape, a digest's
//! form).

use crate::spec::{ARTIFACT_TYPE, SPEC_MEDIA_TYPE, shorten};

use super::client::HttpError;
use super::reference::parse_digest;
use super::store::MAX_FETCH_BYTES;

/// Why the spec could not be fetched.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RegistryError {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
