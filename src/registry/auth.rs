//! Credentials: where they come from (NFD's stdin flags, docker's `config.json`, podman's
//! `auth.json`, credential helpers) and how a registry asks for them (`WWW-Authenticate`).
//!
//! Secrets never appear in any message: [`Secret`]'s `Debug` is redacted, and errors name the
//! file or helper, never the value.

use std::collections::HashMap;
use std::fmt;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// A credential for one registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// A username and password (Basic auth, or the token service's Basic login).
    Basic {
        /// The username.
        username: String,
        /// The password.
        password: String,
    },
    /// An access token sent as-is as a Bearer token (NFD's `--registry-token-stdin`).
    Token(String),
    /// An OAuth2 refresh token (docker's `identitytoken`), exchanged for access tokens.
    IdentityToken(String),
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Secret::Token(_) => f.write_str("Token(<redacted>)"),
            Secret::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

/// A `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm="..."`.
    Basic,
    /// `Bearer realm="...",service="...",scope="..."`.
    Bearer {
        /// The token service URL.
        realm: String,
        /// The service name.
        service: Option<String>,
        /// The scope the registry asks for.
        scope: Option<String>,
    },
}

impl Challenge {
    /// Parses one `WWW-Authenticate` header value.
    pub fn parse(header: &str) -> Option<Challenge> {
        let header = header.trim();
        let (scheme, params) = header.split_once(' ').unwrap_or((header, ""));
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => Some(Challenge::Basic),
            "bearer" => {
                let params = parse_params(params);
                Some(Challenge::Bearer {
                    realm: params.get("realm")?.clone(),
                    service: params.get("service").cloned(),
                    scope: params.get("scope").cloned(),
                })
            }
            _ => None,
        }
    }
}

/// `key="value", key=value` pairs (quoted values may contain commas).
fn parse_params(s: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.insert(key, value);
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

/// Why credentials could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A credentials file exists but cannot be read or parsed.
    #[error("cannot use credentials file `{}`: {reason}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A credential helper failed.
    #[error("credential helper `docker-credential-{helper}` failed for `{registry}`: {reason}")]
    Helper {
        /// The helper's name.
        helper: String,
        /// The registry.
        registry: String,
        /// Why (never the secret).
        reason: String,
    },
}

/// Where to look for stored credentials (taken from the environment by [`Locations::from_env`]).
#[derive(Debug, Clone, Default)]
pub struct Locations {
    /// `$REGISTRY_AUTH_FILE` (podman, skopeo, buildah).
    pub registry_auth_file: Option<PathBuf>,
    /// podman's default `auth.json` (`$XDG_RUNTIME_DIR/containers/auth.json`).
    pub podman_auth_file: Option<PathBuf>,
    /// docker's `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
}

impl Locations {
    /// The locations the environment points at.
    pub fn from_env() -> Self {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let home = env("HOME");
        Locations {
            registry_auth_file: env("REGISTRY_AUTH_FILE"),
            podman_auth_file: env("XDG_RUNTIME_DIR")
                .map(|d| d.join("containers/auth.json"))
                .or_else(|| {
                    home.as_ref()
                        .map(|h| h.join(".config/containers/auth.json"))
                }),
            docker_config: env("DOCKER_CONFIG")
                .map(|d| d.join("config.json"))
                .or_else(|| home.map(|h| h.join(".docker/config.json"))),
        }
    }
}

/// Where a credential was found, for `--verbose`-style reporting (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The credential.
    pub secret: Secret,
    /// Where it came from (`config.json`, `credential helper pass`, ...).
    pub origin: String,
}

/// Looks up stored credentials for `registry` (`host[:port]`): `$REGISTRY_AUTH_FILE`, then
/// podman's `auth.json`, then docker's `config.json` (credHelpers, credsStore, auths).
pub fn lookup(registry: &str, locations: &Locations) -> Result<Option<Found>, AuthError> {
    for path in [&locations.registry_auth_file, &locations.podman_auth_file]
        .into_iter()
        .flatten()
    {
        if let Some(found) = from_file(path, registry, false)? {
            return Ok(Some(found));
        }
    }
    if let Some(path) = &locations.docker_config {
        return from_file(path, registry, true);
    }
    Ok(None)
}

/// The keys under which a registry may be stored in `auths`.
fn matches_key(key: &str, registry: &str) -> bool {
    let normalise = |k: &str| -> String {
        let k = k.split_once("://").map_or(k, |(_, rest)| rest);
        let k = k.split('/').next().unwrap_or(k);
        match k {
            "index.docker.io" | "registry-1.docker.io" | "docker.io" => "docker.io".to_owned(),
            other => other.to_owned(),
        }
    };
    normalise(key) == normalise(registry)
}

/// The largest credentials file read.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a credentials file: a regular file (a FIFO is refused, never waited on), at most
/// [`MAX_CONFIG_BYTES`].
fn read_config(path: &Path) -> std::io::Result<String> {
    let mut text = String::new();
    crate::input::open_regular(path)?
        .take(MAX_CONFIG_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_CONFIG_BYTES} bytes"
        )));
    }
    Ok(text)
}

fn from_file(path: &Path, registry: &str, docker: bool) -> Result<Option<Found>, AuthError> {
    let text = match read_config(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(AuthError::File {
                path: path.to_owned(),
                reason: e.to_string(),
            });
        }
    };
    let file_error = |reason: &str| AuthError::File {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let config: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| file_error(&format!("not valid JSON ({e})")))?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    if docker {
        if let Some(helpers) = config.get("credHelpers").and_then(|h| h.as_object()) {
            if let Some(helper) = helpers
                .iter()
                .find(|(k, _)| matches_key(k, registry))
                .and_then(|(_, v)| v.as_str())
            {
                return run_helper(helper, registry);
            }
        }
    }
    if let Some(auths) = config.get("auths").and_then(|a| a.as_object()) {
        if let Some((_, entry)) = auths.iter().find(|(k, _)| matches_key(k, registry)) {
            return decode_entry(entry, &name).map_err(|r| file_error(&r));
        }
    }
    if docker {
        if let Some(store) = config
            .get("credsStore")
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty())
        {
            return match run_helper(store, registry) {
                Ok(found) => Ok(found),
                // A store that knows nothing of this registry is not an error.
                Err(AuthError::Helper { reason, .. }) if reason.contains("not found") => Ok(None),
                Err(e) => Err(e),
            };
        }
    }
    Ok(None)
}

fn decode_entry(entry: &serde_json::Value, origin: &str) -> Result<Option<Found>, String> {
    let found = |secret| {
        Ok(Some(Found {
            secret,
            origin: origin.to_owned(),
        }))
    };
    if let Some(token) = entry
        .get("identitytoken")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
    {
        return found(Secret::IdentityToken(token.to_owned()));
    }
    if let Some(auth) = entry
        .get("auth")
        .and_then(|a| a.as_str())
        .filter(|a| !a.is_empty())
    {
        let decoded = BASE64
            .decode(auth.trim())
            .map_err(|_| "an `auth` entry is not valid base64".to_owned())?;
        let decoded =
            String::from_utf8(decoded).map_err(|_| "an `auth` entry is not UTF-8".to_owned())?;
        let Some((username, password)) = decoded.split_once(':') else {
            return Err("an `auth` entry is not `user:password`".to_owned());
        };
        return found(Secret::Basic {
            username: username.to_owned(),
            password: password.to_owned(),
        });
    }
    let user = entry.get("username").and_then(|u| u.as_str());
    let pass = entry.get("password").and_then(|p| p.as_str());
    match (user, pass) {
        (Some(u), Some(p)) if !u.is_empty() => found(Secret::Basic {
            username: u.to_owned(),
            password: p.to_owned(),
        }),
        _ => Ok(None),
    }
}

/// Runs `docker-credential-<helper> get` with the registry on stdin.
fn run_helper(helper: &str, registry: &str) -> Result<Option<Found>, AuthError> {
    let fail = |reason: String| AuthError::Helper {
        helper: helper.to_owned(),
        registry: registry.to_owned(),
        reason,
    };
    if !helper
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(fail("the helper name is not a plain name".into()));
    }
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot run `{program}`: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(registry.as_bytes())
            .map_err(|e| fail(e.to_string()))?;
    }
    let out = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        // Helpers print "credentials not found in native keychain" on stdout.
        let said = String::from_utf8_lossy(&out.stdout);
        let said = said.lines().next().unwrap_or_default().trim();
        return Err(fail(if said.is_empty() {
            format!("exit status {}", out.status)
        } else {
            said.to_owned()
        }));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|_| fail("its answer is not JSON".into()))?;
    let user = v
        .get("Username")
        .and_then(|u| u.as_str())
        .unwrap_or_default();
    let secret = v.get("Secret").and_then(|s| s.as_str()).unwrap_or_default();
    if secret.is_empty() {
        return Ok(None);
    }
    let secret = if user == "<token>" {
        Secret::IdentityToken(secret.to_owned())
    } else {
        Secret::Basic {
            username: user.to_owned(),
            password: secret.to_owned(),
        }
    };
    Ok(Some(Found {
        secret,
        origin: format!("credential helper {helper}"),
    }))
}

/// NFD's stdin reading: the whole input, with one trailing `\n` then one `\r` removed.
pub fn trim_stdin_secret(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
    }
    if s.ends_with('\r') {
        s.pop();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        assert_eq!(
            Challenge::parse("Basic realm=\"registry\""),
            Some(Challenge::Basic)
        );
        assert_eq!(
            Challenge::parse(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/nginx:pull,push".into()),
            })
        );
        assert_eq!(
            Challenge::parse("bearer realm=http://127.0.0.1:1/t, service=s"),
            Some(Challenge::Bearer {
                realm: "http://127.0.0.1:1/t".into(),
                service: Some("s".into()),
                scope: None
            })
        );
        assert_eq!(Challenge::parse("Negotiate abc"), None);
        assert_eq!(Challenge::parse("Bearer service=x"), None);
    }

    #[test]
    fn reads_docker_and_podman_files() {
        let dir = tempfile::tempdir().unwrap();
        let docker = dir.path().join("config.json");
        std::fs::write(
            &docker,
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNzOndvcmQ="},"127.0.0.1:5000":{"identitytoken":"refresh"},"ghcr.io":{}}}"#,
        )
        .unwrap();
        let podman = dir.path().join("auth.json");
        std::fs::write(&podman, r#"{"auths":{"quay.io":{"auth":"cTpw"}}}"#).unwrap();
        let locations = Locations {
            registry_auth_file: Some(podman.clone()),
            podman_auth_file: None,
            docker_config: Some(docker),
        };
        let hub = lookup("docker.io", &locations).unwrap().unwrap();
        assert_eq!(
            hub.secret,
            Secret::Basic {
                username: "user".into(),
                password: "pass:word".into()
            }
        );
        let local = lookup("127.0.0.1:5000", &locations).unwrap().unwrap();
        assert_eq!(local.secret, Secret::IdentityToken("refresh".into()));
        assert_eq!(lookup("ghcr.io", &locations).unwrap(), None);
        assert_eq!(lookup("example.com", &locations).unwrap(), None);
        let quay = lookup("quay.io", &locations).unwrap().unwrap();
        assert_eq!(
            quay.secret,
            Secret::Basic {
                username: "q".into(),
                password: "p".into()
            }
        );
        assert_eq!(quay.origin, "auth.json");
    }

    #[test]
    fn bad_files_are_named_and_secrets_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let docker = dir.path().join("config.json");
        std::fs::write(
            &docker,
            r#"{"auths":{"r.io":{"auth":"!!!not-base64-secret"}}}"#,
        )
        .unwrap();
        let locations = Locations {
            docker_config: Some(docker),
            ..Locations::default()
        };
        let err = lookup("r.io", &locations).unwrap_err().to_string();
        assert!(
            err.contains("config.json") && err.contains("not valid base64"),
            "{err}"
        );
        assert!(!err.contains("not-base64-secret"), "{err}");
        let debug = format!(
            "{:?}",
            Secret::Basic {
                username: "u".into(),
                password: "hunter2".into()
            }
        );
        assert!(!debug.contains("hunter2"));
    }

    #[test]
    fn helper_failures_are_reported_without_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let docker = dir.path().join("config.json");
        std::fs::write(
            &docker,
            r#"{"credHelpers":{"r.io":"nfd-compat-test-missing"}}"#,
        )
        .unwrap();
        let locations = Locations {
            docker_config: Some(docker),
            ..Locations::default()
        };
        let err = lookup("r.io", &locations).unwrap_err().to_string();
        assert!(
            err.contains("cannot run `docker-credential-nfd-compat-test-missing`"),
            "{err}"
        );
    }

    #[test]
    fn trims_stdin_like_nfd() {
        assert_eq!(trim_stdin_secret("pw\r\n".into()), "pw");
        assert_eq!(trim_stdin_secret("pw\n\n".into()), "pw\n");
        assert_eq!(trim_stdin_secret(" pw ".into()), " pw ");
    }
}
