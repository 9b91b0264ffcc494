//! A small, careful OCI distribution HTTP client.
//!
//! It does what a validation needs and what general clients leave out: one overall deadline
//! plus connect and read timeouts, retries with backoff on 429/502/503/504 and dropped
//! connections (honouring `Retry-After`), Basic and Bearer challenges with token caching, a
//! size limit on every body, redirects followed by hand so that credentials never go to another
//! host, proxies chosen as Go's net/http chooses them, an optional trace of every request
//! (`--debug`, secrets redacted), and a count of every request sent (reported, and used by the
//! benchmarks).
//!
//! Credentials belong to the registry's API host (`registry-1.docker.io` for Docker Hub):
//! they answer its challenges, go to the token service its Bearer challenge names (never to a
//! plain-HTTP token service on another host), and never follow a redirect to another host.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::auth::{Challenge, Found, Secret};
use super::proxy::{Chosen, Proxies, redact_userinfo};
use crate::timestamp::Timestamp;

/// How the client talks to a registry.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Use `http://` instead of `https://`.
    pub plain_http: bool,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trust: a PEM file of CA certificates to verify the registry with (instead of the
    /// system's).
    pub ca_file: Option<PathBuf>,
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
    /// The proxies of the environment.
    pub proxies: Proxies,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            plain_http: false,
            insecure: false,
            ca_file: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(200),
            proxies: Proxies::default(),
        }
    }
}

/// An HTTP method the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
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
pub(crate) struct Response {
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
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every header of this (lower-case) name.
    pub(crate) fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The entries of an OCI error body (`{"errors": [{"code": ..., "message": ...}]}`) as
    /// (code, message), in order; a field that is not a string reads as empty. `None` when the
    /// body is not one.
    fn errors(&self) -> Option<Vec<(String, String)>> {
        let body: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        let text = |entry: &serde_json::Value, field: &str| {
            entry
                .get(field)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let entries = body.get("errors")?.as_array()?;
        Some(
            entries
                .iter()
                .map(|e| (text(e, "code"), text(e, "message")))
                .collect(),
        )
    }

    /// The codes of an OCI error body (`DIGEST_INVALID`, `MANIFEST_BLOB_UNKNOWN`...), in order;
    /// empty when the body is not one.
    pub(crate) fn error_codes(&self) -> Vec<String> {
        self.errors()
            .unwrap_or_default()
            .into_iter()
            .map(|(code, _)| code)
            .collect()
    }

    /// The registry's error message from an OCI error body (its first entry), when there is
    /// one.
    pub(crate) fn error_message(&self) -> Option<String> {
        let (code, message) = self.errors()?.into_iter().next()?;
        Some(match (code.is_empty(), message.is_empty()) {
            (false, false) => format!("{code}: {message}"),
            (false, true) => code,
            _ => message,
        })
    }
}

/// A failure below the HTTP status level, or a status the client gave up on.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    /// The overall deadline passed.
    #[error("timed out after {0:?} (--timeout)")]
    Deadline(Duration),
    /// The host name does not resolve.
    #[error(
        "unknown host `{host}`: the name does not resolve ({reason}; check the registry part of the reference; a registry on this machine is `localhost:PORT`)"
    )]
    UnknownHost {
        /// The host.
        host: String,
        /// What the resolver said.
        reason: String,
    },
    /// The proxy could not be reached, or refused to connect to the registry.
    #[error("proxy {proxy} {reason} (check HTTPS_PROXY/HTTP_PROXY, or list `{host}` in NO_PROXY)")]
    Proxy {
        /// The proxy and the variable it came from (credentials redacted).
        proxy: String,
        /// The registry host.
        host: String,
        /// What went wrong.
        reason: String,
    },
    /// `--plain-http` to a port that speaks TLS.
    #[error("`{0}` speaks HTTPS, not plain HTTP: drop --plain-http")]
    PlainHttpToTls(String),
    /// HTTPS to a port that speaks plain HTTP.
    #[error("`{0}` answered in plain HTTP, not TLS: add --plain-http for a registry without TLS")]
    TlsToPlainHttp(String),
    /// `--ca-file` cannot be used.
    #[error("cannot use --ca-file `{}`: {reason}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No connection could be made.
    #[error("cannot connect to `{host}`: {reason}")]
    Connect {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
    /// TLS failed (certificate, protocol).
    #[error("TLS with `{host}` failed: {reason} ({hint})")]
    Tls {
        /// The host.
        host: String,
        /// Why.
        reason: String,
        /// What to do about it.
        hint: String,
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
    /// The credentials were accepted but do not give the access asked for.
    #[error(
        "access denied (401): the credentials from {origin} do not grant `{scope}` on `{host}` (check the repository name and your access to it)"
    )]
    NotGranted {
        /// The registry's API host.
        host: String,
        /// Where the credentials came from.
        origin: String,
        /// The scope asked for.
        scope: String,
    },
    /// The registry still answered 401 after the credentials were sent.
    #[error(
        "access denied ({status}): `{host}` rejected the credentials from {origin}{}",
        message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
    )]
    Rejected {
        /// The status.
        status: u16,
        /// The registry's API host.
        host: String,
        /// Where the credentials came from.
        origin: String,
        /// The registry's error message.
        message: Option<String>,
    },
}

/// What a request is for, so that the right token scope is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Scope {
    /// The registry's API host (`host[:port]`, `registry-1.docker.io` for Docker Hub) whose
    /// credentials apply.
    pub host: String,
    /// The token scope (`repository:app:pull`).
    pub scope: String,
}

/// Where `--debug` lines go.
pub(crate) type Trace = Box<dyn Fn(&str)>;

/// The client.
pub(crate) struct Client {
    agent: ureq::Agent,
    options: Options,
    started: Instant,
    requests: Cell<u32>,
    secrets: HashMap<String, Found>,
    tokens: RefCell<HashMap<Scope, String>>,
    basic: RefCell<HashMap<String, String>>,
    trace: Option<Trace>,
}

/// The most redirects followed for one request.
const MAX_REDIRECTS: u32 = 5;
/// The most bytes read of an error body.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

impl Client {
    /// A client with these options and the credentials to use per registry API host.
    pub(crate) fn new(
        options: Options,
        secrets: HashMap<String, Found>,
    ) -> Result<Client, HttpError> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if options.insecure {
            tls = tls.disable_verification(true);
        } else if let Some(path) = &options.ca_file {
            let ca_error = |reason: String| HttpError::CaFile {
                path: path.clone(),
                reason,
            };
            // A regular file of at most 1 MiB: a FIFO or a device is refused, never waited on.
            let pem = crate::input::read_regular(path, 1024 * 1024)
                .map_err(|e| ca_error(e.to_string()))?;
            let certs = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ca_error(format!("it is not valid PEM ({e})")))?;
            if certs.is_empty() {
                return Err(ca_error(
                    "it holds no certificate (give the CA certificate in PEM: `-----BEGIN CERTIFICATE-----`)".into(),
                ));
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
            // The proxy is chosen per request (see `proxy`), not from ureq's reading of the
            // environment.
            .proxy(None)
            .build();
        Ok(Client {
            agent: config.new_agent(),
            options,
            started: Instant::now(),
            requests: Cell::new(0),
            secrets,
            tokens: RefCell::new(HashMap::new()),
            basic: RefCell::new(HashMap::new()),
            trace: None,
        })
    }

    /// Sends a line per request (and per retry, wait and token) to `trace` (`--debug`).
    #[must_use]
    pub(crate) fn with_trace(mut self, trace: Trace) -> Client {
        self.trace = Some(trace);
        self
    }

    /// Adds a line to the `--debug` trace, when there is one.
    pub(crate) fn debug(&self, line: impl FnOnce() -> String) {
        if let Some(trace) = &self.trace {
            trace(&line());
        }
    }

    /// `https` or `http`.
    pub(crate) fn scheme(&self) -> &'static str {
        if self.options.plain_http {
            "http"
        } else {
            "https"
        }
    }

    /// How many HTTP requests were sent so far (retries, redirects and tokens included).
    pub(crate) fn requests(&self) -> u32 {
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
    pub(crate) fn send(
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
                    let wait = self.backoff(attempt);
                    self.debug(|| {
                        format!(
                            "retry {attempt}/{} of {} {} in {wait:?} after: {e}",
                            self.options.retries,
                            method.as_str(),
                            redact_url(&url)
                        )
                    });
                    self.sleep(wait)?;
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
                401 if host == scope.host && self.secrets.contains_key(&scope.host) => {
                    let origin = self
                        .secrets
                        .get(&scope.host)
                        .map(|f| f.origin.clone())
                        .unwrap_or_default();
                    return Err(if is_insufficient_scope(&response) {
                        HttpError::NotGranted {
                            host: scope.host.clone(),
                            origin,
                            scope: scope.scope.clone(),
                        }
                    } else {
                        HttpError::Rejected {
                            status: response.status,
                            host: scope.host.clone(),
                            origin,
                            message: response.error_message(),
                        }
                    });
                }
                400 if self.options.plain_http && speaks_tls(&response) => {
                    return Err(HttpError::PlainHttpToTls(host));
                }
                429 | 502 | 503 | 504 if attempt < self.options.retries => {
                    attempt += 1;
                    let retry_after = response.header("retry-after").and_then(parse_retry_after);
                    let wait = retry_after
                        .map_or_else(|| self.backoff(attempt), |d| d.min(MAX_RETRY_AFTER));
                    if wait >= self.remaining()? {
                        self.debug(|| {
                            format!(
                                "not retrying {} {}: waiting {wait:?} would pass the --timeout deadline",
                                method.as_str(),
                                redact_url(&url)
                            )
                        });
                        return Ok(response);
                    }
                    self.debug(|| {
                        format!(
                            "retry {attempt}/{} of {} {} in {wait:?} after {}{}",
                            self.options.retries,
                            method.as_str(),
                            redact_url(&url),
                            response.status,
                            if retry_after.is_some() {
                                " (Retry-After)"
                            } else {
                                ""
                            }
                        )
                    });
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
                    self.debug(|| {
                        let to = host_of(&url);
                        format!(
                            "redirected to {}{}",
                            redact_url(&url),
                            if to == scope.host {
                                ""
                            } else {
                                " (another host: no credentials sent there)"
                            }
                        )
                    });
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
        let proxy = self.proxy(url)?;
        let started = Instant::now();
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
        let via = proxy.as_ref().map(|(c, _)| c.clone());
        let proxy = proxy.map(|(_, p)| p);
        let result = match body {
            Some(bytes) => builder.body(bytes).map(|r| self.run(r, remaining, proxy)),
            None => builder.body(()).map(|r| self.run(r, remaining, proxy)),
        }
        .map_err(|e| transport(e.to_string()))?;
        let trace_line = |outcome: &str| {
            self.debug(|| {
                format!(
                    "{} {} -> {outcome} ({} ms{}{})",
                    method.as_str(),
                    redact_url(url),
                    started.elapsed().as_millis(),
                    via.as_ref()
                        .map(|c| format!(", via proxy {}", c.display()))
                        .unwrap_or_default(),
                    match authorization.and_then(|a| a.split_once(' ')) {
                        Some((scheme, _)) => format!(", {scheme} authorization"),
                        None => String::new(),
                    }
                )
            });
        };
        let mut response = match result {
            Ok(r) => r,
            Err(e) => {
                let e = self.classify(e, url, via.as_ref());
                trace_line(&format!("failed: {e}"));
                return Err(e);
            }
        };
        let status = response.status().as_u16();
        trace_line(&status.to_string());
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
                Err(e) => return Err(self.classify(e, url, via.as_ref())),
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
        proxy: Option<ureq::Proxy>,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(Some(remaining))
            .proxy(proxy)
            .build();
        self.agent.run(request)
    }

    /// The proxy for `url` (see [`Proxies`]).
    fn proxy(&self, url: &str) -> Result<Option<(Chosen, ureq::Proxy)>, HttpError> {
        let (scheme, _) = url.split_once("://").unwrap_or(("https", url));
        let Some(chosen) = self.options.proxies.choose(scheme, &host_of(url)) else {
            return Ok(None);
        };
        let proxy_scheme = chosen.url.split_once("://").map_or("http", |(s, _)| s);
        if !matches!(proxy_scheme.to_ascii_lowercase().as_str(), "http" | "https") {
            return Err(HttpError::Proxy {
                proxy: chosen.display(),
                host: host_of(url),
                reason: format!(
                    "uses `{proxy_scheme}://`, which nfd-compat does not speak (give an `http://` or `https://` proxy)"
                ),
            });
        }
        let proxy = ureq::Proxy::new(&chosen.url).map_err(|e| HttpError::Proxy {
            proxy: chosen.display(),
            host: host_of(url),
            reason: format!("is not a usable proxy URL ({e}; write `http://host:port`)"),
        })?;
        Ok(Some((chosen, proxy)))
    }

    fn classify(&self, e: ureq::Error, url: &str, via: Option<&Chosen>) -> HttpError {
        let host = host_of(url);
        if let Some(chosen) = via {
            let reason = match &e {
                ureq::Error::ConnectionFailed => Some("cannot be reached".to_owned()),
                ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
                    Some("refused the connection".to_owned())
                }
                ureq::Error::Io(io) if is_resolver_failure(io) => {
                    Some(format!("does not resolve ({io})"))
                }
                ureq::Error::HostNotFound => Some("does not resolve".to_owned()),
                ureq::Error::ConnectProxyFailed(why) => {
                    Some(format!("refused to connect to `{host}`: {why}"))
                }
                _ => None,
            };
            if let Some(reason) = reason {
                return HttpError::Proxy {
                    proxy: chosen.display(),
                    host,
                    reason,
                };
            }
        }
        let tls_hint = || {
            match &self.options.ca_file {
            Some(path) => format!(
                "the certificate is not trusted by --ca-file `{}`: give the CA that signed it, or --insecure to skip verification",
                path.display()
            ),
            None => "--ca-file to trust a private CA, --insecure to skip verification, --plain-http for HTTP".to_owned(),
        }
        };
        match e {
            ureq::Error::Timeout(_) if self.remaining().is_err() => {
                HttpError::Deadline(self.options.timeout)
            }
            ureq::Error::Timeout(t) => HttpError::Transport {
                url: url.to_owned(),
                reason: format!("timed out ({t})"),
            },
            ureq::Error::HostNotFound => HttpError::UnknownHost {
                host,
                reason: "no address found".into(),
            },
            ureq::Error::Io(io) if is_resolver_failure(&io) => HttpError::UnknownHost {
                host,
                reason: io
                    .to_string()
                    .trim_start_matches("failed to lookup address information: ")
                    .to_owned(),
            },
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
            ureq::Error::Io(io) if is_tls_failure(&io) && is_plain_http_answer(&io.to_string()) => {
                HttpError::TlsToPlainHttp(host)
            }
            ureq::Error::Io(io) if is_tls_failure(&io) => HttpError::Tls {
                host,
                reason: io.to_string(),
                hint: tls_hint(),
            },
            ureq::Error::Tls(reason) => HttpError::Tls {
                host,
                reason: reason.to_owned(),
                hint: tls_hint(),
            },
            ureq::Error::Rustls(e) if is_plain_http_answer(&e.to_string()) => {
                HttpError::TlsToPlainHttp(host)
            }
            ureq::Error::Rustls(e) => HttpError::Tls {
                host,
                reason: e.to_string(),
                hint: tls_hint(),
            },
            other if self.options.plain_http => HttpError::Transport {
                url: url.to_owned(),
                reason: format!("{other} (if `{host}` serves HTTPS, drop --plain-http)"),
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
        let found = self.secrets.get(&scope.host);
        let secret = found.map(|f| &f.secret);
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
            let token = match found {
                Some(Found {
                    secret: Secret::Token(token),
                    origin,
                }) => {
                    self.debug(|| {
                        format!(
                            "`{}` asks for a Bearer token; using the token from {origin}",
                            scope.host
                        )
                    });
                    token.clone()
                }
                _ => self.fetch_token(realm, service.as_deref(), &wanted, found, scope)?,
            };
            self.tokens.borrow_mut().insert(scope.clone(), token);
            return Ok(());
        }
        if challenges.iter().any(|c| matches!(c, Challenge::Basic)) {
            return match secret {
                Some(Secret::Basic { username, password }) => {
                    self.debug(|| {
                        format!(
                            "`{}` asks for Basic auth; sending the credentials from {}",
                            scope.host,
                            found.map(|f| f.origin.as_str()).unwrap_or_default()
                        )
                    });
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
        found: Option<&Found>,
        scope: &Scope,
    ) -> Result<String, HttpError> {
        let secret = found.map(|f| &f.secret);
        let origin = found.map_or("", |f| f.origin.as_str());
        // Credentials go to the token service the registry names, but never in clear text to
        // a host other than the registry.
        if secret.is_some() && !realm.starts_with("https://") && host_of(realm) != scope.host {
            return Err(HttpError::Auth(format!(
                "`{}` names the token service `{}`, which is plain HTTP on another host: the credentials from {origin} are not sent there",
                scope.host,
                redact_url(realm)
            )));
        }
        self.debug(|| {
            format!(
                "token for scope `{wanted}` from {}{}",
                redact_url(realm),
                if secret.is_some() {
                    format!(" with the credentials from {origin}")
                } else {
                    " (anonymous)".to_owned()
                }
            )
        });
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
            return Err(HttpError::Auth(if secret.is_some() {
                format!(
                    "`{}` refused the credentials from {origin} (token request answered {})",
                    scope.host, response.status
                )
            } else {
                format!(
                    "`{}` refused the credentials (token request answered {}): log in (docker login, podman login) or pass --registry-username with --registry-password-stdin",
                    scope.host, response.status
                )
            }));
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

/// Whether an I/O error is the resolver's (`getaddrinfo`) failure to find the host.
fn is_resolver_failure(e: &io::Error) -> bool {
    e.to_string()
        .contains("failed to lookup address information")
}

/// Whether a TLS failure is what a plain-HTTP server's answer looks like to rustls.
fn is_plain_http_answer(reason: &str) -> bool {
    reason.contains("InvalidContentType") || reason.contains("corrupt message of type")
}

/// Whether a 400 is a TLS server's answer to plain HTTP (Go's servers, docker-registry among
/// them, say so in the body; nginx says "plain HTTP request was sent to HTTPS port").
fn speaks_tls(r: &Response) -> bool {
    let body = String::from_utf8_lossy(&r.body);
    body.contains("HTTP request to an HTTPS server")
        || body.contains("plain HTTP request was sent to HTTPS port")
}

/// Whether a 401 says the token lacks the access asked for (rather than bad credentials).
fn is_insufficient_scope(r: &Response) -> bool {
    r.headers_named("www-authenticate")
        .any(|h| h.contains("insufficient_scope"))
}

/// Whether an error is worth retrying (a dropped or reset connection).
fn is_transient(e: &HttpError) -> bool {
    matches!(e, HttpError::Transport { .. })
}

/// `Retry-After`: seconds, or an HTTP date (a date in the past means now).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    Timestamp::parse_http_date(value).map(|at| Duration::from_secs(Timestamp::now().secs_until(at)))
}

/// The `host[:port]` of a URL.
pub(crate) fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Resolves a `Location` header against the URL it came from.
pub(crate) fn resolve_location(base: &str, location: &str) -> Option<String> {
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
    // Only a query (`?n=2&last=x`): the same path with that query (RFC 3986, 5.2.2).
    if location.starts_with('?') {
        return Some(format!("{scheme}://{}{location}", &rest[..path_end]));
    }
    let dir = rest[..path_end]
        .rfind('/')
        .map_or(host.len(), |i| i.max(host.len()));
    Some(format!("{scheme}://{}/{location}", &rest[..dir]))
}

/// A URL as `--debug` and messages show it: no `user:password@`, and the values of query
/// parameters that carry access (a CDN's signed URL: `sig`, `X-Amz-Signature`, `token`, ...)
/// replaced by `***`.
pub(crate) fn redact_url(url: &str) -> String {
    let url = redact_userinfo(url);
    let Some((base, query)) = url.split_once('?') else {
        return url;
    };
    let (query, fragment) = query
        .split_once('#')
        .map_or((query, None), |(q, f)| (q, Some(f)));
    let secret_name = |name: &str| {
        let name = name.to_ascii_lowercase();
        [
            "sig",
            "token",
            "credential",
            "key",
            "policy",
            "auth",
            "secret",
            "password",
        ]
        .iter()
        .any(|w| name.contains(w))
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if secret_name(name) => format!("{name}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    let mut out = format!("{base}?{}", query.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Percent-encodes a query value.
pub(crate) fn query_escape(s: &str) -> String {
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
            None,
        );
        assert!(
            matches!(&e, HttpError::UnknownHost { host, .. } if host == "registry.example.invalid:5000"),
            "{e:?}"
        );
        let message = e.to_string();
        assert!(
            message.starts_with("unknown host `registry.example.invalid:5000`")
                && message.contains("check the registry part of the reference"),
            "{message}"
        );
        // What std's resolver gives ureq: an I/O error, which must not be retried.
        let e = client().classify(
            ureq::Error::Io(io::Error::other(
                "failed to lookup address information: Name or service not known",
            )),
            "https://nowhere.test/v2/",
            None,
        );
        assert_eq!(
            e.to_string(),
            "unknown host `nowhere.test`: the name does not resolve (Name or service not known; check the registry part of the reference; a registry on this machine is `localhost:PORT`)"
        );
        assert!(!is_transient(&e));
    }

    #[test]
    fn transport_failures_name_the_host() {
        let c = client();
        let url = "http://127.0.0.1:1/v2/";
        let refused = c.classify(
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused)),
            url,
            None,
        );
        assert_eq!(
            refused.to_string(),
            "cannot connect to `127.0.0.1:1`: connection refused"
        );
        let failed = c.classify(ureq::Error::ConnectionFailed, url, None);
        assert!(
            matches!(&failed, HttpError::Connect { host, .. } if host == "127.0.0.1:1"),
            "{failed:?}"
        );
    }

    #[test]
    fn a_refused_proxy_is_named_as_the_proxy() {
        let c = client();
        let via = Chosen {
            url: "http://user:pw@127.0.0.1:9".into(),
            var: "HTTPS_PROXY",
        };
        let e = c.classify(
            ureq::Error::Io(io::Error::from(io::ErrorKind::ConnectionRefused)),
            "https://ghcr.io/v2/",
            Some(&via),
        );
        assert_eq!(
            e.to_string(),
            "proxy `http://***@127.0.0.1:9` (from HTTPS_PROXY) refused the connection (check HTTPS_PROXY/HTTP_PROXY, or list `ghcr.io` in NO_PROXY)"
        );
        let e = c.classify(
            ureq::Error::ConnectProxyFailed("proxy server responded 403/Forbidden".into()),
            "https://ghcr.io/v2/",
            Some(&via),
        );
        assert!(
            e.to_string()
                .contains("refused to connect to `ghcr.io`: proxy server responded 403"),
            "{e}"
        );
    }

    #[test]
    fn proxies_nfd_compat_cannot_speak_are_refused_before_anything_is_sent() {
        let options = Options {
            proxies: Proxies::from_vars(|k| {
                (k == "HTTPS_PROXY").then(|| "socks5://user:pw@127.0.0.1:1080".to_owned())
            }),
            ..Options::default()
        };
        let c = Client::new(options, HashMap::new()).expect("client");
        let e = c
            .proxy("https://ghcr.io/v2/")
            .expect_err("socks5 is refused")
            .to_string();
        assert!(
            e.starts_with(
                "proxy `socks5://***@127.0.0.1:1080` (from HTTPS_PROXY) uses `socks5://`"
            ),
            "{e}"
        );
        assert!(c.proxy("https://localhost:5000/v2/").unwrap().is_none());
    }

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later =
            Timestamp::from_system_time(std::time::SystemTime::now() + Duration::from_secs(20));
        let header = http_date(later);
        let wait = parse_retry_after(&header).unwrap();
        assert!(
            (Duration::from_secs(18)..=Duration::from_secs(20)).contains(&wait),
            "{header}: {wait:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    /// An IMF-fixdate for a test.
    fn http_date(t: Timestamp) -> String {
        let rfc = t.to_rfc3339();
        let (date, time) = rfc.trim_end_matches('Z').split_once('T').unwrap();
        let mut parts = date.split('-');
        let (y, m, d) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let months = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = months[m.parse::<usize>().unwrap() - 1];
        format!("Mon, {d} {month} {y} {time} GMT")
    }

    #[test]
    fn locations_resolve_against_the_request() {
        let base = "https://r.io/v2/app/referrers/sha256:1?n=1";
        assert_eq!(
            resolve_location(base, "?n=2&last=x").as_deref(),
            Some("https://r.io/v2/app/referrers/sha256:1?n=2&last=x")
        );
        assert_eq!(
            resolve_location(base, "/v2/app/referrers/sha256:1?last=y").as_deref(),
            Some("https://r.io/v2/app/referrers/sha256:1?last=y")
        );
        assert_eq!(
            resolve_location("http://r.io/v2/app/blobs/uploads/", "abc?state=1").as_deref(),
            Some("http://r.io/v2/app/blobs/uploads/abc?state=1")
        );
        assert_eq!(
            resolve_location(base, "//cdn.io/x").as_deref(),
            Some("https://cdn.io/x")
        );
    }

    #[test]
    fn traced_urls_hide_what_grants_access() {
        assert_eq!(
            redact_url("https://cdn.io/blob?X-Amz-Signature=abc&X-Amz-Credential=k&expires=1"),
            "https://cdn.io/blob?X-Amz-Signature=***&X-Amz-Credential=***&expires=1"
        );
        assert_eq!(
            redact_url("https://u:p@auth.io/token?service=r&scope=repository%3Aa%3Apull"),
            "https://***@auth.io/token?service=r&scope=repository%3Aa%3Apull"
        );
        assert_eq!(
            redact_url("http://r.io/v2/a/referrers/sha256:1?n=2&last=x"),
            "http://r.io/v2/a/referrers/sha256:1?n=2&last=x"
        );
    }

    #[test]
    fn credentials_never_go_to_a_plain_http_token_service_elsewhere() {
        let secrets = HashMap::from([(
            "registry.io".to_owned(),
            Found {
                secret: Secret::Basic {
                    username: "u".into(),
                    password: "pw-secret".into(),
                },
                origin: "--registry-username and --registry-password-stdin".into(),
            },
        )]);
        let c = Client::new(Options::default(), secrets).expect("client");
        let scope = Scope {
            host: "registry.io".into(),
            scope: "repository:a:pull".into(),
        };
        let found = c.secrets.get("registry.io");
        // Refused before anything is sent: no request is counted.
        let e = c
            .fetch_token(
                "http://auth.elsewhere.io/token",
                None,
                "repository:a:pull",
                found,
                &scope,
            )
            .unwrap_err();
        assert_eq!(c.requests(), 0);
        let message = e.to_string();
        assert!(
            message.contains("names the token service `http://auth.elsewhere.io/token`, which is plain HTTP on another host")
                && message.contains("are not sent there")
                && !message.contains("pw-secret"),
            "{message}"
        );
    }
}
