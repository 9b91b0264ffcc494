//! Image references, normalised as docker, podman and oras do: `nginx:1.27` is
//! `docker.io/library/nginx:1.27`, `host:5000/app@sha256:...` keeps its registry.

use std::fmt;

/// The registry short names resolve to.
pub(crate) const DEFAULT_REGISTRY: &str = "docker.io";
/// The host that serves `docker.io`'s API.
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// The longest `registry/repository` a registry accepts (distribution's limit).
const MAX_NAME: usize = 255;

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Reference {
    /// The registry, `host[:port]` (`docker.io` for short names).
    pub registry: String,
    /// The repository path (`library/nginx`).
    pub repository: String,
    /// The tag, when given (`latest` when neither tag nor digest is).
    pub tag: Option<String>,
    /// The digest, when given (`sha256:<hex>`).
    pub digest: Option<String>,
}

/// Why a reference could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid image reference `{reference}`: {reason}")]
pub(crate) struct ReferenceError {
    /// The reference as given.
    pub reference: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Reference {
    /// Parses and normalises a reference.
    pub(crate) fn parse(input: &str) -> Result<Reference, ReferenceError> {
        let fail = |reason: &str| ReferenceError {
            reference: input.to_owned(),
            reason: reason.to_owned(),
        };
        if input.is_empty() {
            return Err(fail("it is empty"));
        }
        if input.len() > 4096 {
            return Err(fail("it is longer than 4096 characters"));
        }
        if input.contains("://") {
            return Err(fail(
                "write it without a scheme (`host/repo:tag`; use --plain-http for HTTP)",
            ));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((r, d)) => (r, Some(parse_digest(d).map_err(|r| fail(&r))?)),
            None => (input, None),
        };
        // A tag is after the last `:` that follows the last `/` (a `:` before is a port).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(tag) = tag
            && !valid_tag(tag)
        {
            return Err(fail(&format!(
                "tag `{tag}` must be 1-128 characters of `A-Za-z0-9_.-` not starting with `.` or `-`"
            )));
        }
        // As distribution/reference: the first component is a registry when it has a `.` or
        // a `:`, is `localhost`, or has upper-case letters (repositories cannot).
        let (registry, path) = match name.split_once('/') {
            Some((first, path))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                (first.to_owned(), path.to_owned())
            }
            _ => (DEFAULT_REGISTRY.to_owned(), name.to_owned()),
        };
        if registry.is_empty() || registry.starts_with(':') {
            return Err(fail("the registry host is empty"));
        }
        check_registry(&registry).map_err(|r| fail(&r))?;
        let registry = if registry == "index.docker.io" {
            DEFAULT_REGISTRY.to_owned()
        } else {
            registry
        };
        let repository = if registry == DEFAULT_REGISTRY && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        if repository.is_empty() {
            return Err(fail("the repository is empty"));
        }
        if repository.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(fail("repository names must be lowercase"));
        }
        for component in repository.split('/') {
            if !valid_component(component) {
                return Err(fail(&format!(
                    "repository component `{component}` must be lowercase letters and digits separated by `.`, `_`, `__` or `-`"
                )));
            }
        }
        let full = registry.len() + 1 + repository.len();
        if full > MAX_NAME {
            return Err(fail(&format!(
                "the name `{registry}/{repository}` is {full} characters; registries accept at most {MAX_NAME} (shorten the repository path)"
            )));
        }
        let tag = match (tag, &digest) {
            (Some(t), _) => Some(t.to_owned()),
            (None, Some(_)) => None,
            (None, None) => Some("latest".to_owned()),
        };
        let reference = Reference {
            registry,
            repository,
            tag,
            digest,
        };
        // Normalising adds `docker.io/library/` and `:latest`: what is printed must parse too.
        if reference.to_string().len() > 4096 {
            return Err(fail("it is longer than 4096 characters once normalised"));
        }
        Ok(reference)
    }

    /// The host the registry's API is served from (`registry-1.docker.io` for Docker Hub).
    pub(crate) fn api_host(&self) -> &str {
        if self.registry == DEFAULT_REGISTRY {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// What to ask the registry for: the digest when known, else the tag.
    pub(crate) fn target(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// What is wrong with a string that should be a digest (see [`digest_parts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DigestProblem {
    /// No `algorithm:` part.
    NoAlgorithm,
    /// An algorithm other than sha256 and sha512.
    Algorithm(String),
    /// The hex part is not `len` lowercase hex digits.
    Hex {
        /// The algorithm.
        algorithm: String,
        /// How many hex digits it needs.
        len: usize,
    },
}

/// Splits a digest into its algorithm and hex digits, accepting only `sha256:` and 64
/// lowercase hex digits or `sha512:` and 128: the one check before a digest goes into a URL
/// or a file name.
pub(crate) fn digest_parts(digest: &str) -> Result<(&str, &str), DigestProblem> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(DigestProblem::NoAlgorithm);
    };
    let len = match algorithm {
        "sha256" => 64,
        "sha512" => 128,
        _ => return Err(DigestProblem::Algorithm(algorithm.to_owned())),
    };
    if hex.len() != len || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(DigestProblem::Hex {
            algorithm: algorithm.to_owned(),
            len,
        });
    }
    Ok((algorithm, hex))
}

/// Checks a digest: `sha256:` and 64 lowercase hex digits (or `sha512:` and 128).
pub(crate) fn parse_digest(digest: &str) -> Result<String, String> {
    match digest_parts(digest) {
        Ok(_) => Ok(digest.to_owned()),
        Err(DigestProblem::NoAlgorithm) => Err(format!(
            "digest `{digest}` must be `sha256:<64 hex digits>`"
        )),
        Err(DigestProblem::Algorithm(algorithm)) => Err(format!(
            "digest algorithm `{algorithm}` is not supported (sha256, sha512)"
        )),
        Err(DigestProblem::Hex { algorithm, len }) => Err(format!(
            "digest `{digest}` must be `{algorithm}:` and {len} lowercase hex digits"
        )),
    }
}

/// Checks `host[:port]` as distribution/reference does: dot-separated components of letters,
/// digits and inner `-`, or a bracketed IPv6 address, then an optional port of digits.
fn check_registry(registry: &str) -> Result<(), String> {
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return Err(format!(
                "registry `{registry}` opens `[` without closing it (write an IPv6 address as `[::1]:5000`)"
            ));
        };
        if inside.is_empty() || !inside.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err(format!(
                "registry `{registry}`: `[{inside}]` is not an IPv6 address (write it as `[::1]:5000`)"
            ));
        }
        match after {
            "" => (None, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (None, Some(port)),
                None => {
                    return Err(format!(
                        "registry `{registry}`: after `]` only `:PORT` may follow"
                    ));
                }
            },
        }
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(registry), None),
        }
    };
    if let Some(host) = host {
        let component_ok = |c: &str| {
            !c.is_empty()
                && !c.starts_with('-')
                && !c.ends_with('-')
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if let Some(bad) = host.split('.').find(|c| !component_ok(c)) {
            return Err(format!(
                "registry host `{host}` is not a valid host name: component `{bad}` must be letters, digits and inner `-` (write `host[:port]/repository`, e.g. `registry.example.com:5000/team/app`)"
            ));
        }
    }
    if let Some(port) = port
        && (port.is_empty()
            || !port.bytes().all(|b| b.is_ascii_digit())
            || port.parse::<u16>().map_or(true, |p| p == 0))
    {
        return Err(format!(
            "registry port `{port}` must be a number from 1 to 65535 (write `host:5000/repository`)"
        ));
    }
    Ok(())
}

fn valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 128
        && !tag.starts_with(['.', '-'])
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_lowercase() || b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !(b[i].is_ascii_lowercase() || b[i].is_ascii_digit()) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";

    #[test]
    fn normalises_like_docker() {
        let cases = [
            ("nginx", "docker.io", "library/nginx", Some("latest"), None),
            (
                "nginx:1.27",
                "docker.io",
                "library/nginx",
                Some("1.27"),
                None,
            ),
            (
                "docker.io/nginx:1",
                "docker.io",
                "library/nginx",
                Some("1"),
                None,
            ),
            (
                "index.docker.io/library/nginx:1",
                "docker.io",
                "library/nginx",
                Some("1"),
                None,
            ),
            (
                "bitnami/redis:7",
                "docker.io",
                "bitnami/redis",
                Some("7"),
                None,
            ),
            (
                "127.0.0.1:5000/app:v1",
                "127.0.0.1:5000",
                "app",
                Some("v1"),
                None,
            ),
            (
                "localhost/a/b/c",
                "localhost",
                "a/b/c",
                Some("latest"),
                None,
            ),
            (
                "localhost:5000/app",
                "localhost:5000",
                "app",
                Some("latest"),
                None,
            ),
            (
                "quay.io/org/app:v1.2-rc_1",
                "quay.io",
                "org/app",
                Some("v1.2-rc_1"),
                None,
            ),
            (
                "ghcr.io/o/app@sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270",
                "ghcr.io",
                "o/app",
                None,
                Some(D),
            ),
            (
                "ghcr.io/o/app:v1@sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270",
                "ghcr.io",
                "o/app",
                Some("v1"),
                Some(D),
            ),
        ];
        for (input, registry, repository, tag, digest) in cases {
            let r = Reference::parse(input).unwrap();
            assert_eq!(
                (
                    r.registry.as_str(),
                    r.repository.as_str(),
                    r.tag.as_deref(),
                    r.digest.as_deref()
                ),
                (registry, repository, tag, digest),
                "{input}"
            );
        }
        assert_eq!(
            Reference::parse("nginx").unwrap().api_host(),
            "registry-1.docker.io"
        );
        assert_eq!(
            Reference::parse("nginx:1").unwrap().to_string(),
            "docker.io/library/nginx:1"
        );
    }

    #[test]
    fn accepts_hosts_as_distribution_does() {
        for (input, registry) in [
            ("[::1]:5000/app", "[::1]:5000"),
            ("[fe80::1]/app", "[fe80::1]"),
            ("Registry.Example.com/app", "Registry.Example.com"),
            ("MyHost/app", "MyHost"),
            ("a-b.c-d.io:443/x/y", "a-b.c-d.io:443"),
            ("10.0.0.1:5000/app", "10.0.0.1:5000"),
        ] {
            assert_eq!(
                Reference::parse(input).unwrap().registry,
                registry,
                "{input}"
            );
        }
    }

    #[test]
    fn the_name_limit_is_255_characters() {
        let path = "a".repeat(255 - "ghcr.io/".len());
        assert!(Reference::parse(&format!("ghcr.io/{path}")).is_ok());
        let err = Reference::parse(&format!("ghcr.io/{path}a"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is 256 characters; registries accept at most 255 (shorten"),
            "{err}"
        );
    }

    #[test]
    fn rejects_malformed_references() {
        let cases = [
            ("", "it is empty"),
            ("https://ghcr.io/a/b", "without a scheme"),
            ("Nginx", "must be lowercase"),
            ("ghcr.io/a/b:", "tag ``"),
            ("ghcr.io/a/b:-x", "tag `-x`"),
            ("ghcr.io/a/b@sha256:abc", "lowercase hex digits"),
            ("ghcr.io/a/b@md5:abc", "digest algorithm `md5`"),
            ("ghcr.io/a//b", "repository component ``"),
            ("ghcr.io/a/b-", "repository component `b-`"),
            ("ghcr.io/", "the repository is empty"),
            ("a b", "repository component `a b`"),
            ("my_registry.io/app", "component `my_registry`"),
            ("-bad.io/app", "component `-bad`"),
            ("reg..io/app", "component ``"),
            ("reg.io:http/app", "registry port `http`"),
            ("reg.io:99999/app", "registry port `99999`"),
            ("reg.io:/app", "registry port ``"),
            ("[::1/app", "without closing it"),
            ("[zz]:5000/app", "is not an IPv6 address"),
            ("[::1]x/app", "only `:PORT` may follow"),
        ];
        for (input, want) in cases {
            let err = Reference::parse(input).unwrap_err().to_string();
            assert!(err.contains(want), "{input}: {err}");
        }
    }
}
