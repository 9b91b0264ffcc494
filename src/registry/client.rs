//! A small, careful OCI distribution HTTP client.
//!
//! It does what a validation needs and what general clients leave out: one overall deadline
//! plus connect and read timeouts, retries with backoff on 429/502/503/504 and dropped
//! connections (honouring `Retry-After`), Basic and Bearer challenges with token caching, a
//! size limit on every body, redirects followed by hand so that credentials never go to another
//! host, and a count of every request sent (reported, and used by the benchmarks).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::auth::{Challenge, Secret};

/// How the client talks to a registry.
#[derive(Debug, Clone)]
pub struct Options {
    /// Use `http://` instead of `https://`.
    pub plain_http: bool,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trust: PEM certificates to verify the registry with (instead of the system's).
    pub ca_pem: Option<Vec<u8>>,
    /// The deadline for everything the client does.
    pub timeout: Duration,
    /// The longest wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// The longest wait for any single read.
    pub read_timeout: Duration,
    /// How many times a failed request is retried.
    pub retries: u32,
    /// The first backoff; doubled at each retry.
    pub backoff: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            plain_http: false,
            insecure: false,
            ca_pem: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(200),
        }
    }
}

/// An HTTP method the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// HEAD.
    Head,
    /// PUT.
    Put,
    /// POST.
    Post,
    /// DELETE.
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// A response: status, headers (names lower-cased) and the body, read within a limit.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The URL that answered (after redirects).
    pub url: String,
}

impl Response {
    /// The first header of this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every header of this (lower-case) name.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The registry's error message from an OCI error body, when there is one.
    pub fn error_message(&self) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        let first = v.get("errors")?.get(0)?;
        let code = first
            .get("code")
            .and_then(|c| c.as_str())
            .unwrap_or_default();
        let message = first
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or_default();
        Some(match (code.is_empty(), message.is_empty()) {
            (false, false) => format!("{code}: {message}"),
            (false, true) => code.to_owned(),
            _ => message.to_owned(),
        })
    }
}

/// A failure below the HTTP status level, or a status the client gave up on.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The overall deadline passed.
    #[error("timed out after {0:?} (--timeout)")]
    Deadline(Duration),
    /// The host name does not resolve.
    #[error(
        "unknown host `{0}`: the name does not resolve (check the registry part of the reference; a registry on this machine is `localhost:PORT`)"
    )]
    UnknownHost(String),
    /// No connection could be made.
    #[error("cannot connect to `{host}`: {reason}")]
    Connect {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
    /// TLS failed (certificate, protocol).
    #[error(
        "TLS with `{host}` failed: {reason} (--ca-file to trust a private CA, --insecure to skip verification, --plain-http for HTTP)"
    )]
    Tls {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
    /// A body larger than the limit.
    #[error("the response from {url} is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// Any other transport failure.
    #[error("request to {url} failed: {reason}")]
    Transport {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Too many redirects, or a redirect without a usable `Location`.
    #[error("bad redirect from {0}")]
    Redirect(String),
    /// The registry refused the credentials (or required some).
    #[error("{0}")]
    Auth(String),
}

/// What a request is for, so that the right token scope is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// The registry host (`host[:port]`) whose credentials apply.
    pub host: String,
    /// The token scope (`repository:app:pull`).
    pub scope: String,
}

/// The client.
pub struct Client {
    agent: ureq::Agent,
    options: Options,
    started: Instant,
    requests: Cell<u32>,
    secrets: HashMap<String, Secret>,
    tokens: RefCell<HashMap<Scope, String>>,
    basic: RefCell<HashMap<String, String>>,
}

/// The most redirects followed for one request.
const MAX_REDIRECTS: u32 = 5;
/// The most bytes read of an error body.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

impl Client {
    /// A client with these options and the credentials to use per registry host.
    pub fn new(options: Options, secrets: HashMap<String, Secret>) -> Result<Client, HttpError> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if options.insecure {
            tls = tls.disable_verification(true);
        } else if let Some(pem) = &options.ca_pem {
            let certs = ureq::tls::parse_pem(pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| HttpError::Tls {
                    host: "(--ca-file)".into(),
                    reason: e.to_string(),
                })?;
            if certs.is_empty() {
                return Err(HttpError::Tls {
                    host: "(--ca-file)".into(),
                    reason: "no certificate in the PEM file".into(),
                });
            }
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        } else {
            tls = tls.root_certs(ureq::tls::RootCerts::PlatformVerifier);
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("nfd-compat/", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(options.connect_timeout))
            .timeout_per_read(Some(options.read_timeout))
            .tls_config(tls.build())
            .build();
        Ok(Client {
            agent: config.new_agent(),
            options,
            started: Instant::now(),
            requests: Cell::new(0),
            secrets,
            tokens: RefCell::new(HashMap::new()),
            basic: RefCell::new(HashMap::new()),
        })
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &'static str {
        if self.options.plain_http {
            "http"
        } else {
            "https"
        }
    }

    /// How many HTTP requests were sent so far (retries, redirects and tokens included).
    pub fn requests(&self) -> u32 {
        self.requests.get()
    }

    fn remaining(&self) -> Result<Duration, HttpError> {
        self.options
            .timeout
            .checked_sub(self.started.elapsed())
            .filter(|d| !d.is_zero())
            .ok_or(HttpError::Deadline(self.options.timeout))
    }

    /// Sends a request, handling auth challenges, retries and redirects, and reads the body
    /// of a 2xx answer up to `limit` bytes.
    pub fn send(
        &self,
        method: Method,
        url: &str,
        scope: &Scope,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        limit: u64,
    ) -> Result<Response, HttpError> {
        let mut url = url.to_owned();
        let mut method = method;
        let mut attempt = 0u32;
        let mut redirects = 0u32;
        let mut authenticated = false;
        loop {
            let host = host_of(&url);
            let authorization = if host == scope.host {
                self.authorization(scope)
            } else {
                None
            };
            let response =
                self.send_once(method, &url, headers, body, authorization.as_deref(), limit);
            let response = match response {
                Ok(r) => r,
                Err(e) if attempt < self.options.retries && is_transient(&e) => {
                    attempt += 1;
                    self.sleep(self.backoff(attempt))?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            match response.status {
                401 if !authenticated && host == scope.host => {
                    let challenges: Vec<Challenge> = response
                        .headers_named("www-authenticate")
                        .filter_map(Challenge::parse)
                        .collect();
                    if challenges.is_empty() {
                        return Ok(response);
                    }
                    self.authenticate(&challenges, scope)?;
                    authenticated = true;
                }
                429 | 502 | 503 | 504 if attempt < self.options.retries => {
                    attempt += 1;
                    let wait = response
                        .header("retry-after")
                        .and_then(parse_retry_after)
                        .map_or_else(|| self.backoff(attempt), |d| d.min(MAX_RETRY_AFTER));
                    if wait >= self.remaining()? {
                        return Ok(response);
                    }
                    self.sleep(wait)?;
                }
                301 | 302 | 303 | 307 | 308 => {
                    redirects += 1;
                    let Some(location) = response.header("location") else {
                        return Err(HttpError::Redirect(url));
                    };
                    if redirects > MAX_REDIRECTS {
                        return Err(HttpError::Redirect(url));
                    }
                    url = resolve_location(&url, location)
                        .ok_or_else(|| HttpError::Redirect(url.clone()))?;
                    if response.status == 303 {
                        method = Method::Get;
                    }
                }
                _ => return Ok(response),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.options
            .backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(6))
    }

    fn sleep(&self, wait: Duration) -> Result<(), HttpError> {
        let remaining = self.remaining()?;
        if wait >= remaining {
            std::thread::sleep(remaining);
            return Err(HttpError::Deadline(self.options.timeout));
        }
        std::thread::sleep(wait);
        Ok(())
    }

    fn send_once(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        authorization: Option<&str>,
        limit: u64,
    ) -> Result<Response, HttpError> {
        let remaining = self.remaining()?;
        self.requests.set(self.requests.get() + 1);
        let mut builder = ureq::http::Request::builder()
            .method(method.as_str())
            .uri(url);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        if let Some(a) = authorization {
            builder = builder.header("authorization", a);
        }
        let transport = |reason: String| HttpError::Transport {
            url: url.to_owned(),
            reason,
        };
        let result = match body {
            Some(bytes) => builder.body(bytes).map(|r| self.run(r, remaining)),
            None => builder.body(()).map(|r| self.run(r, remaining)),
        }
        .map_err(|e| transport(e.to_string()))?;
        let mut response = result.map_err(|e| self.classify(e, url))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let limit = if (200..300).contains(&status) {
            limit
        } else {
            ERROR_BODY_LIMIT
        };
        let body = if method == Method::Head {
            Vec::new()
        } else {
            match response.body_mut().with_config().limit(limit).read_to_vec() {
                Ok(b) => b,
                Err(ureq::Error::BodyExceedsLimit(_)) if (200..300).contains(&status) => {
                    return Err(HttpError::TooLarge {
                        url: url.to_owned(),
                        limit,
                    });
                }
                Err(ureq::Error::BodyExceedsLimit(_)) => Vec::new(),
                Err(e) => return Err(self.classify(e, url)),
            }
        };
        Ok(Response {
            status,
            headers,
            body,
            url: url.to_owned(),
        })
    }

    /// Runs one request within what is left of the deadline.
    fn run(
        &self,
        request: ureq::http::Request<impl ureq::AsSendBody>,
        remaining: Duration,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(Some(remaining))
            .build();
        self.agent.run(request)
    }

    fn classify(&self, e: ureq::Error, url: &str) -> HttpError {
        let host = host_of(url);
        match e {
            ureq::Error::Timeout(_) if self.remaining().is_err() => {
                HttpError::Deadline(self.options.timeout)
            }
            ureq::Error::Timeout(t) => HttpError::Transport {
                url: url.to_owned(),
                reason: format!("timed out ({t})"),
            },
            ureq::Error::HostNotFound => HttpError::UnknownHost(host),
            ureq::Error::ConnectionFailed => HttpError::Connect {
                host,
                reason: "connection refused or unreachable".into(),
            },
            ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
                HttpError::Connect {
                    host,
                    reason: "connection refused".into(),
                }
            }
            // rustls failures reach us as I/O errors wrapping a `rustls::Error`.
            ureq::Error::Io(io) if is_tls_failure(&io) => HttpError::Tls {
                host,
                reason: io.to_string(),
            },
            ureq::Error::Tls(reason) => HttpError::Tls {
                host,
                reason: reason.to_owned(),
            },
            ureq::Error::Rustls(e) => HttpError::Tls {
                host,
                reason: e.to_string(),
            },
            other => HttpError::Transport {
                url: url.to_owned(),
                reason: other.to_string(),
            },
        }
    }

    fn authorization(&self, scope: &Scope) -> Option<String> {
        if let Some(token) = self.tokens.borrow().get(scope) {
            return Some(format!("Bearer {token}"));
        }
        self.basic.borrow().get(&scope.host).cloned()
    }

    fn authenticate(&self, challenges: &[Challenge], scope: &Scope) -> Result<(), HttpError> {
        let secret = self.secrets.get(&scope.host);
        // Prefer Bearer (a token for exactly this scope), then Basic.
        if let Some(Challenge::Bearer {
            realm,
            service,
            scope: challenge_scope,
        }) = challenges
            .iter()
            .find(|c| matches!(c, Challenge::Bearer { .. }))
        {
            let wanted = challenge_scope
                .clone()
                .unwrap_or_else(|| scope.scope.clone());
            let token = match secret {
                Some(Secret::Token(token)) => token.clone(),
                _ => self.fetch_token(realm, service.as_deref(), &wanted, secret, scope)?,
            };
            self.tokens.borrow_mut().insert(scope.clone(), token);
            return Ok(());
        }
        if challenges.iter().any(|c| matches!(c, Challenge::Basic)) {
            return match secret {
                Some(Secret::Basic { username, password }) => {
                    let header =
                        format!("Basic {}", BASE64.encode(format!("{username}:{password}")));
                    self.basic.borrow_mut().insert(scope.host.clone(), header);
                    Ok(())
                }
                Some(_) => Err(HttpError::Auth(format!(
                    "`{}` asks for a username and password (Basic auth); a token was given",
                    scope.host
                ))),
                None => Err(HttpError::Auth(format!(
                    "`{}` requires credentials: log in (docker login, podman login) or pass --registry-username with --registry-password-stdin",
                    scope.host
                ))),
            };
        }
        Err(HttpError::Auth(format!(
            "`{}` asks for an unsupported authentication scheme",
            scope.host
        )))
    }

    fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        wanted: &str,
        secret: Option<&Secret>,
        scope: &Scope,
    ) -> Result<String, HttpError> {
        let mut url = realm.to_owned();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        if let Some(service) = service {
            url.push_str(&format!("{sep}service={}", query_escape(service)));
            sep = '&';
        }
        url.push_str(&format!("{sep}scope={}", query_escape(wanted)));
        let (method, body, auth) = match secret {
            Some(Secret::Basic { username, password }) => (
                Method::Get,
                None,
                Some(format!(
                    "Basic {}",
                    BASE64.encode(format!("{username}:{password}"))
                )),
            ),
            Some(Secret::IdentityToken(token)) => {
                let mut form = format!(
                    "grant_type=refresh_token&client_id=nfd-compat&refresh_token={}&scope={}",
                    query_escape(token),
                    query_escape(wanted)
                );
                if let Some(service) = service {
                    form.push_str(&format!("&service={}", query_escape(service)));
                }
                (Method::Post, Some(form.into_bytes()), None)
            }
            _ => (Method::Get, None, None),
        };
        let headers: &[(&str, &str)] = if body.is_some() {
            &[("content-type", "application/x-www-form-urlencoded")]
        } else {
            &[]
        };
        let response = self.send_once(
            method,
            &url,
            headers,
            body.as_deref(),
            auth.as_deref(),
            1 << 20,
        )?;
        if response.status == 401 || response.status == 403 {
            return Err(HttpError::Auth(format!(
                "`{}` refused the credentials (token request answered {})",
                scope.host, response.status
            )));
        }
        if !(200..300).contains(&response.status) {
            return Err(HttpError::Auth(format!(
                "the token service of `{}` answered {}",
                scope.host, response.status
            )));
        }
        let v: serde_json::Value = serde_json::from_slice(&response.body).map_err(|_| {
            HttpError::Auth(format!(
                "the token service of `{}` sent no JSON",
                scope.host
            ))
        })?;
        v.get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                HttpError::Auth(format!(
                    "the token service of `{}` sent no token",
                    scope.host
                ))
            })
    }
}

/// Whether an I/O error is a failed TLS handshake (a certificate, a protocol mismatch).
fn is_tls_failure(e: &io::Error) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    e.kind() == io::ErrorKind::InvalidData
        && [
            "certificate",
            "handshake",
            "tls",
            "alert",
            "corrupt message",
        ]
        .iter()
        .any(|w| text.contains(w))
}

/// Whether an error is worth retrying (a dropped or reset connection).
fn is_transient(e: &HttpError) -> bool {
    matches!(e, HttpError::Transport { .. })
}

/// `Retry-After`: seconds, or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The `host[:port]` of a URL.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Resolves a `Location` header against the URL it came from.
pub fn resolve_location(base: &str, location: &str) -> Option<String> {
    if location.contains("://") {
        return Some(location.to_owned());
    }
    let (scheme, rest) = base.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    if let Some(path) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{path}"));
    }
    if location.starts_with('/') {
        return Some(format!("{scheme}://{host}{location}"));
    }
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let dir = rest[..path_end]
        .rfind('/')
        .map_or(host.len(), |i| i.max(host.len()));
    Some(format!("{scheme}://{}/{location}", &rest[..dir]))
}

/// Percent-encodes a query value.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl From<io::Error> for HttpError {
    fn from(e: io::Error) -> Self {
        HttpError::Transport {
            url: String::new(),
            reason: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::new(Options::default(), HashMap::new()).expect("client")
    }

    #[test]
    fn an_unresolvable_host_is_named_with_the_fix() {
        let e = client().classify(
            ureq::Error::HostNotFound,
            "https://registry.example.invalid:5000/v2/app/manifests/v1",
        );
        assert!(
            matches!(&e, HttpError::UnknownHost(h) if h == "registry.example.invalid:5000"),
            "{e:?}"
        );
        let message = e.to_string();
        assert!(
            message.starts_with("unknown host `registry.example.invalid:5000`")
                && message.contains("check the registry part of the reference"),
            "{message}"
        );
    }

    #[test]
    fn transport_failures_name_the_host() {
        let c = client();
        let url = "http://127.0.0.1:1/v2/";
        let refused = c.classify(
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused)),
            url,
        );
        assert_eq!(
            refused.to_string(),
            "cannot connect to `127.0.0.1:1`: connection refused"
        );
        let failed = c.classify(ureq::Error::ConnectionFailed, url);
        assert!(
            matches!(&failed, HttpError::Connect { host, .. } if host == "127.0.0.1:1"),
            "{failed:?}"
        );
    }
}
