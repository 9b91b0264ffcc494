//! Credentials: where they come from (NFD's stdin flags, docker's `config.json`, podman's
//! `auth.json`, credential helpers) and how a registry asks for them (`WWW-Authenticate`).
//!
//! Secrets never appear in any message: [`Secret`]'s `Debug` is redacted, and errors name the
//! file or helper, never the value.

use std::collections::HashMap;
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::warning::{Topic, Warning};

/// A credential for one registry.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Secret {
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
pub(crate) enum Challenge {
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
    pub(crate) fn parse(header: &str) -> Option<Challenge> {
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
pub(crate) enum AuthError {
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

/// One file that may hold credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CredentialFile {
    /// The file.
    pub path: PathBuf,
    /// How the file was chosen (`--registry-config`, `$REGISTRY_AUTH_FILE`, ...).
    pub via: &'static str,
}

/// Where to look for stored credentials, in order (see [`Locations::from_vars`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Locations {
    /// The files, first first.
    pub files: Vec<CredentialFile>,
    /// Whether the first file was named on the command line (then it is the only one, and
    /// it must exist).
    pub explicit: bool,
}

impl Locations {
    /// The files the containers tools (podman, skopeo, buildah) and docker read, in their
    /// order: `--registry-config FILE` alone when given; else `$REGISTRY_AUTH_FILE`,
    /// `$XDG_RUNTIME_DIR/containers/auth.json`, `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`,
    /// then `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`).
    pub(crate) fn from_vars(flag: Option<&Path>, get: impl Fn(&str) -> Option<String>) -> Self {
        if let Some(path) = flag {
            return Locations {
                files: vec![CredentialFile {
                    path: path.to_owned(),
                    via: "--registry-config",
                }],
                explicit: true,
            };
        }
        let env = |k: &str| get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let home = env("HOME");
        let file = |path: Option<PathBuf>, via| path.map(|path| CredentialFile { path, via });
        let files = [
            file(env("REGISTRY_AUTH_FILE"), "$REGISTRY_AUTH_FILE"),
            file(
                env("XDG_RUNTIME_DIR").map(|d| d.join("containers/auth.json")),
                "$XDG_RUNTIME_DIR/containers/auth.json",
            ),
            match env("XDG_CONFIG_HOME") {
                Some(d) => file(
                    Some(d.join("containers/auth.json")),
                    "$XDG_CONFIG_HOME/containers/auth.json",
                ),
                None => file(
                    home.as_ref()
                        .map(|h| h.join(".config/containers/auth.json")),
                    "~/.config/containers/auth.json",
                ),
            },
            match env("DOCKER_CONFIG") {
                Some(d) => file(Some(d.join("config.json")), "$DOCKER_CONFIG/config.json"),
                None => file(
                    home.map(|h| h.join(".docker/config.json")),
                    "~/.docker/config.json",
                ),
            },
        ]
        .into_iter()
        .flatten()
        .collect();
        Locations {
            files,
            explicit: false,
        }
    }

    /// The locations of the process environment, with `--registry-config` when given.
    pub(crate) fn from_env(flag: Option<&Path>) -> Self {
        Locations::from_vars(flag, |k| std::env::var(k).ok())
    }
}

/// Where a credential was found (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// The credential.
    pub secret: Secret,
    /// Where it came from, for messages: `--registry-username`, `` `auths` of `FILE` ``,
    /// `` credential helper `docker-credential-pass` (credsStore of `FILE`) ``.
    pub origin: String,
}

/// What a credentials lookup found, and what it saw on the way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CredentialSearch {
    /// The credential, when one was found.
    pub found: Option<Found>,
    /// Problems worth telling (a broken file, a failing helper, a username without password).
    pub warnings: Vec<Warning>,
    /// Each place looked at and what it held, for `--debug` (never a secret).
    pub trail: Vec<String>,
}

/// The key docker stores Docker Hub's credentials under, and asks helpers for.
pub(crate) const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Looks up stored credentials for `registry` (as the reference names it: `docker.io`,
/// `host[:port]`) in `locations`, first file with an entry first. In each file:
/// `credHelpers`, then `auths`, then `credsStore`.
pub(crate) fn lookup(registry: &str, locations: &Locations) -> Result<CredentialSearch, AuthError> {
    let mut out = CredentialSearch::default();
    for file in &locations.files {
        let shown = format!("{} `{}`", file.via, file.path.display());
        match from_file(&file.path, registry, &shown) {
            Ok(FileAnswer::Missing) if locations.explicit => {
                return Err(AuthError::File {
                    path: file.path.clone(),
                    reason: "it does not exist (--registry-config)".to_owned(),
                });
            }
            Ok(FileAnswer::Missing) => out.trail.push(format!("{shown}: not there")),
            Ok(FileAnswer::NoEntry) => {
                out.trail
                    .push(format!("{shown}: no entry for `{registry}`"));
            }
            Ok(FileAnswer::Found(found)) => {
                out.trail.push(format!("{shown}: found {}", found.origin));
                out.found = Some(found);
                return Ok(out);
            }
            Ok(FileAnswer::Unusable(warning)) => {
                out.trail.push(format!("{shown}: {warning}"));
                out.warnings.push(Warning::new(Topic::Credentials, warning));
            }
            Err(e) if locations.explicit => return Err(e),
            Err(e) => {
                out.trail.push(format!("{shown}: {e}"));
                out.warnings
                    .push(Warning::new(Topic::Credentials, format!("{e}; skipped")));
            }
        }
    }
    Ok(out)
}

/// What one file says about a registry.
enum FileAnswer {
    Missing,
    NoEntry,
    Found(Found),
    /// An entry that cannot be used (the warning says why).
    Unusable(String),
}

/// Whether an `auths`/`credHelpers` key names `registry`: docker drops the scheme and path
/// before comparing, and Docker Hub has several spellings.
fn matches_key(key: &str, registry: &str) -> bool {
    let normalise = |k: &str| -> String {
        let k = k.split_once("://").map_or(k, |(_, rest)| rest);
        let k = k.split('/').next().unwrap_or(k).to_ascii_lowercase();
        match k.as_str() {
            "index.docker.io"
            | "registry-1.docker.io"
            | "docker.io"
            | "registry.hub.docker.com" => "docker.io".to_owned(),
            _ => k,
        }
    };
    normalise(key) == normalise(registry)
}

/// What a credential helper is asked for: docker's key for Docker Hub, else the host.
fn helper_key(registry: &str) -> &str {
    if matches_key(registry, "docker.io") {
        DOCKER_HUB_KEY
    } else {
        registry
    }
}

/// The largest credentials file read.
const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a credentials file: a regular file (a FIFO is refused, never waited on), at most
/// [`MAX_CONFIG_BYTES`].
fn read_config(path: &Path) -> std::io::Result<String> {
    let bytes = crate::input::read_regular(path, MAX_CONFIG_BYTES)?;
    String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

fn from_file(path: &Path, registry: &str, shown: &str) -> Result<FileAnswer, AuthError> {
    let text = match read_config(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileAnswer::Missing),
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
    if let Some(helpers) = config.get("credHelpers").and_then(|h| h.as_object()) {
        if let Some(helper) = helpers
            .iter()
            .find(|(k, _)| matches_key(k, registry))
            .and_then(|(_, v)| v.as_str())
        {
            return run_helper(
                helper,
                helper_key(registry),
                &format!("credHelpers of {shown}"),
            )
            .map(|f| f.map_or(FileAnswer::NoEntry, FileAnswer::Found));
        }
    }
    if let Some(auths) = config.get("auths").and_then(|a| a.as_object()) {
        if let Some((key, entry)) = auths.iter().find(|(k, _)| matches_key(k, registry)) {
            let origin = format!("`auths` entry `{key}` of {shown}");
            return decode_entry(entry, &origin).map_err(|r| file_error(&r));
        }
    }
    if let Some(store) = config
        .get("credsStore")
        .and_then(|s| s.as_str())
        .filter(|s| !s.is_empty())
    {
        return match run_helper(
            store,
            helper_key(registry),
            &format!("credsStore of {shown}"),
        ) {
            Ok(found) => Ok(found.map_or(FileAnswer::NoEntry, FileAnswer::Found)),
            // A store that knows nothing of this registry is not an error.
            Err(AuthError::Helper { reason, .. }) if reason.contains("not found") => {
                Ok(FileAnswer::NoEntry)
            }
            Err(e) => Err(e),
        };
    }
    Ok(FileAnswer::NoEntry)
}

fn decode_entry(entry: &serde_json::Value, origin: &str) -> Result<FileAnswer, String> {
    let found = |secret| {
        Ok(FileAnswer::Found(Found {
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
        if password.is_empty() {
            return Ok(FileAnswer::Unusable(format!(
                "{origin} has a username but no password; ignored (log in again)"
            )));
        }
        return found(Secret::Basic {
            username: username.to_owned(),
            password: password.to_owned(),
        });
    }
    let user = entry
        .get("username")
        .and_then(|u| u.as_str())
        .filter(|u| !u.is_empty());
    let pass = entry
        .get("password")
        .and_then(|p| p.as_str())
        .filter(|p| !p.is_empty());
    match (user, pass) {
        (Some(u), Some(p)) => found(Secret::Basic {
            username: u.to_owned(),
            password: p.to_owned(),
        }),
        (Some(_), None) => Ok(FileAnswer::Unusable(format!(
            "{origin} has a username but no password; ignored (log in again)"
        ))),
        _ => Ok(FileAnswer::NoEntry),
    }
}

/// Runs `docker-credential-<helper> get` with `registry` (the helper's key) on stdin.
fn run_helper(helper: &str, registry: &str, named_in: &str) -> Result<Option<Found>, AuthError> {
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
        origin: format!("credential helper `docker-credential-{helper}` ({named_in})"),
    }))
}

/// NFD's stdin reading: the whole input, with one trailing `\n` then one `\r` removed.
pub(crate) fn trim_stdin_secret(mut s: String) -> String {
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

    fn files(paths: &[&Path]) -> Locations {
        Locations {
            files: paths
                .iter()
                .map(|p| CredentialFile {
                    path: p.to_path_buf(),
                    via: "test",
                })
                .collect(),
            explicit: false,
        }
    }

    fn secret_of(registry: &str, locations: &Locations) -> Option<Secret> {
        lookup(registry, locations).unwrap().found.map(|f| f.secret)
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
        let locations = files(&[&podman, &dir.path().join("missing.json"), &docker]);
        let hub = Secret::Basic {
            username: "user".into(),
            password: "pass:word".into(),
        };
        for name in ["docker.io", "index.docker.io", "registry-1.docker.io"] {
            assert_eq!(secret_of(name, &locations), Some(hub.clone()), "{name}");
        }
        assert_eq!(
            secret_of("127.0.0.1:5000", &locations),
            Some(Secret::IdentityToken("refresh".into()))
        );
        assert_eq!(secret_of("ghcr.io", &locations), None);
        assert_eq!(secret_of("example.com", &locations), None);
        let quay = lookup("quay.io", &locations).unwrap();
        assert_eq!(
            quay.found.as_ref().map(|f| &f.secret),
            Some(&Secret::Basic {
                username: "q".into(),
                password: "p".into()
            })
        );
        assert_eq!(
            quay.found.unwrap().origin,
            format!("`auths` entry `quay.io` of test `{}`", podman.display())
        );
        let trail = lookup("ghcr.io", &locations).unwrap().trail;
        assert_eq!(trail.len(), 3, "{trail:?}");
        assert!(trail[1].ends_with(": not there"), "{trail:?}");
    }

    #[test]
    fn the_containers_order_from_the_environment() {
        let vars = [
            ("HOME", "/home/u"),
            ("XDG_RUNTIME_DIR", "/run/user/1"),
            ("REGISTRY_AUTH_FILE", "/etc/auth.json"),
        ];
        let get = |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        };
        let paths = |l: Locations| {
            l.files
                .into_iter()
                .map(|f| f.path.display().to_string())
                .collect::<Vec<_>>()
        };
        // The podman file under ~/.config is read even when XDG_RUNTIME_DIR is set.
        assert_eq!(
            paths(Locations::from_vars(None, get)),
            [
                "/etc/auth.json",
                "/run/user/1/containers/auth.json",
                "/home/u/.config/containers/auth.json",
                "/home/u/.docker/config.json"
            ]
        );
        let get2 = |k: &str| match k {
            "XDG_CONFIG_HOME" => Some("/cfg".to_owned()),
            "DOCKER_CONFIG" => Some("/dc".to_owned()),
            _ => None,
        };
        assert_eq!(
            paths(Locations::from_vars(None, get2)),
            ["/cfg/containers/auth.json", "/dc/config.json"]
        );
        let flag = Locations::from_vars(Some(Path::new("/x/auth.json")), get);
        assert!(flag.explicit);
        assert_eq!(paths(flag), ["/x/auth.json"]);
    }

    #[test]
    fn an_explicit_file_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.json");
        let locations = Locations::from_vars(Some(&missing), |_| None);
        let err = lookup("r.io", &locations).unwrap_err().to_string();
        assert!(
            err.contains("nope.json") && err.contains("does not exist (--registry-config)"),
            "{err}"
        );
    }

    #[test]
    fn bad_files_are_named_skipped_and_secrets_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("config.json");
        std::fs::write(
            &broken,
            r#"{"auths":{"r.io":{"auth":"!!!not-base64-secret"}}}"#,
        )
        .unwrap();
        let half = dir.path().join("half.json");
        std::fs::write(&half, r#"{"auths":{"r.io":{"username":"bob"}}}"#).unwrap();
        let good = dir.path().join("good.json");
        std::fs::write(&good, r#"{"auths":{"r.io":{"auth":"Ym9iOnB3"}}}"#).unwrap();
        let found = lookup("r.io", &files(&[&broken, &half, &good])).unwrap();
        assert_eq!(found.warnings.len(), 2, "{:?}", found.warnings);
        assert!(
            found.warnings[0].message.contains("config.json")
                && found.warnings[0].message.contains("not valid base64"),
            "{:?}",
            found.warnings
        );
        assert!(
            found.warnings[1].message.contains("half.json")
                && found.warnings[1]
                    .message
                    .contains("has a username but no password"),
            "{:?}",
            found.warnings
        );
        assert!(!format!("{found:?}").contains("not-base64-secret"));
        assert_eq!(
            found.found.map(|f| f.secret),
            Some(Secret::Basic {
                username: "bob".into(),
                password: "pw".into()
            })
        );
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
        let found = lookup("r.io", &files(&[&docker])).unwrap();
        assert_eq!(found.found, None);
        assert!(
            found.warnings[0]
                .message
                .contains("cannot run `docker-credential-nfd-compat-test-missing`"),
            "{:?}",
            found.warnings
        );
        assert_eq!(helper_key("docker.io"), DOCKER_HUB_KEY);
        assert_eq!(helper_key("ghcr.io"), "ghcr.io");
    }

    #[test]
    fn trims_stdin_like_nfd() {
        assert_eq!(trim_stdin_secret("pw\r\n".into()), "pw");
        assert_eq!(trim_stdin_secret("pw\n\n".into()), "pw\n");
        assert_eq!(trim_stdin_secret(" pw ".into()), " pw ");
    }
}
