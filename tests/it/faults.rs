//! Faults a real registry will not produce on demand, from a small in-process HTTP server on
//! 127.0.0.1: Bearer challenges, 401 then success, 429 with Retry-After, 500s, a blob that does
//! not match its digest, an oversized manifest, a redirect to another host, a manifest push
//! refused while its blobs settle, a `Link`-paginated referrers list, a server that ignores
//! `artifactType`, and a connection that hangs.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use crate::common::{Output, run_with_env, testdata};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: HashMap<String, String>,
}

/// What to answer.
pub(crate) enum Reply {
    /// Status, headers, body.
    With(u16, Vec<(String, String)>, Vec<u8>),
    /// Accept and never answer.
    Hang,
}

pub(crate) fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
    Reply::With(
        status,
        headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body.into(),
    )
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// A fake registry: a thread per connection, a log of requests.
pub(crate) struct Fake {
    pub(crate) host: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    pub(crate) fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &*handler, &log));
            }
        });
        Fake { host, seen }
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let seen = Seen {
            method,
            path,
            headers,
        };
        let n = {
            let mut log = log.lock().unwrap();
            log.push(seen.clone());
            log.iter().filter(|s| s.path == seen.path).count()
        };
        match handler(&seen, n) {
            Reply::Hang => {
                std::thread::sleep(Duration::from_secs(30));
                return;
            }
            Reply::With(status, headers, body) => {
                let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                if stream.write_all(out.as_bytes()).is_err() || stream.write_all(&body).is_err() {
                    return;
                }
            }
        }
    }
}

pub(crate) fn digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// An image, and a compatibility artifact attached to it, as the fake serves them.
pub(crate) struct Content {
    pub(crate) image: Vec<u8>,
    pub(crate) image_digest: String,
    pub(crate) artifact: Vec<u8>,
    pub(crate) artifact_digest: String,
    pub(crate) spec: Vec<u8>,
    pub(crate) spec_digest: String,
}

pub(crate) const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const ARTIFACT_TYPE: &str = "application/vnd.nfd.image-compatibility.v1alpha1";

pub(crate) fn content() -> Content {
    let spec = std::fs::read(testdata("specs/gpu-node.yaml")).unwrap();
    let spec_digest = digest(&spec);
    let image = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#.to_vec();
    let image_digest = digest(&image);
    let artifact = format!(
        r#"{{"schemaVersion":2,"mediaType":"{MANIFEST}","artifactType":"{ARTIFACT_TYPE}","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}},"layers":[{{"mediaType":"application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml","digest":"{spec_digest}","size":{}}}],"subject":{{"mediaType":"{MANIFEST}","digest":"{image_digest}","size":{}}}}}"#,
        spec.len(),
        image.len()
    )
    .into_bytes();
    let artifact_digest = digest(&artifact);
    Content {
        image,
        image_digest,
        artifact,
        artifact_digest,
        spec,
        spec_digest,
    }
}

impl Content {
    pub(crate) fn referrer(&self, created: &str, artifact_type: &str, digest: &str) -> String {
        format!(
            r#"{{"mediaType":"{MANIFEST}","digest":"{digest}","size":{},"artifactType":"{artifact_type}","annotations":{{"org.opencontainers.image.created":"{created}"}}}}"#,
            self.artifact.len()
        )
    }

    pub(crate) fn referrers(entries: &[String]) -> Vec<u8> {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{INDEX}","manifests":[{}]}}"#,
            entries.join(",")
        )
        .into_bytes()
    }

    /// The standard answers; `None` for paths it does not know.
    pub(crate) fn answer(&self, path: &str) -> Option<Reply> {
        if path == "/v2/app/manifests/v1"
            || path == format!("/v2/app/manifests/{}", self.image_digest)
        {
            return Some(reply(
                200,
                &[("content-type", MANIFEST)],
                self.image.clone(),
            ));
        }
        if path.starts_with(&format!("/v2/app/referrers/{}", self.image_digest)) {
            let body = Self::referrers(&[self.referrer(
                "2026-01-01T00:00:00Z",
                ARTIFACT_TYPE,
                &self.artifact_digest,
            )]);
            return Some(reply(
                200,
                &[
                    ("content-type", INDEX),
                    ("oci-filters-applied", "artifactType"),
                ],
                body,
            ));
        }
        if path == format!("/v2/app/manifests/{}", self.artifact_digest) {
            return Some(reply(
                200,
                &[("content-type", MANIFEST)],
                self.artifact.clone(),
            ));
        }
        if path == format!("/v2/app/blobs/{}", self.spec_digest) {
            return Some(reply(200, &[], self.spec.clone()));
        }
        None
    }
}

pub(crate) fn validate(host: &str, extra: &[&str], stdin: Option<&[u8]>) -> Output {
    let snapshot = testdata("snapshots/intel-server.json");
    let image = format!("{host}/app:v1");
    let mut args = vec![
        "validate-node",
        "--image",
        &image,
        "--plain-http",
        "--features",
        &snapshot,
        "-o",
        "json",
    ];
    args.extend_from_slice(extra);
    let home = tempfile::tempdir().unwrap();
    let home = home.path().to_str().unwrap().to_owned();
    run_with_env(&args, &[("HOME", &home), ("DOCKER_CONFIG", &home)], stdin)
}

fn requests(out: &Output) -> u64 {
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    v["image"]["requests"].as_u64().unwrap()
}

#[test]
fn bearer_challenge_token_then_success() {
    let c = Arc::new(content());
    let token_host = Arc::new(Mutex::new(String::new()));
    let th = Arc::clone(&token_host);
    let fake = Fake::start(move |req, _| {
        if req.path.starts_with("/token") {
            // The token service sees the Basic credentials and the scope.
            let ok = req
                .headers
                .get("authorization")
                .is_some_and(|a| a == "Basic dXNlcjpwYXNz");
            return if ok && req.path.contains("scope=repository%3Aapp%3Apull") {
                reply(
                    200,
                    &[("content-type", "application/json")],
                    r#"{"token":"t0k3n"}"#,
                )
            } else {
                reply(401, &[], "")
            };
        }
        if req.headers.get("authorization").map(String::as_str) != Some("Bearer t0k3n") {
            let realm = format!(
                "Bearer realm=\"http://{}/token\",service=\"fake\",scope=\"repository:app:pull\"",
                th.lock().unwrap()
            );
            return Reply::With(401, vec![("www-authenticate".into(), realm)], Vec::new());
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    *token_host.lock().unwrap() = fake.host.clone();
    let out = validate(
        &fake.host,
        &["--registry-username", "user", "--registry-password-stdin"],
        Some(b"pass\n"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // 401 + token + retry, then referrers, manifest and blob carry the cached token.
    assert_eq!(requests(&out), 6);
    assert_eq!(
        fake.seen()
            .iter()
            .filter(|s| s.path.starts_with("/token"))
            .count(),
        1
    );
    assert!(!out.stdout.contains("t0k3n") && !out.stderr.contains("t0k3n"));
    // Anonymous: the token service refuses, and the error says so without a secret.
    let out = validate(&fake.host, &[], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("refused the credentials (token request answered 401)"),
        "{}",
        out.stderr
    );
}

#[test]
fn retries_429_with_retry_after_and_gives_up_on_500s() {
    let c = content();
    let fake = Fake::start(move |req, n| {
        if req.path.contains("/referrers/") && n == 1 {
            return reply(429, &[("retry-after", "1")], "slow down");
        }
        if req.path.contains("/blobs/") && n <= 2 {
            return reply(503, &[], "");
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let start = Instant::now();
    let out = validate(&fake.host, &[], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(requests(&out), 7);

    let always = Fake::start(|_, _| {
        reply(
            500,
            &[("content-type", "application/json")],
            r#"{"errors":[{"code":"UNKNOWN","message":"boom"}]}"#,
        )
    });
    let out = validate(&always.host, &[], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("the image manifest: the registry answered 500 (UNKNOWN: boom)"),
        "{}",
        out.stderr
    );
    // 500 is not retried (only 429/502/503/504 are).
    assert_eq!(always.seen().len(), 1);
}

#[test]
fn corrupt_and_oversized_content_is_refused() {
    let c = content();
    let spec_digest = c.spec_digest.clone();
    let fake = Fake::start(move |req, _| {
        if req.path == format!("/v2/app/blobs/{spec_digest}") {
            let mut tampered = c.spec.clone();
            tampered[0] ^= 1;
            return reply(200, &[], tampered);
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let out = validate(&fake.host, &[], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("the spec layer does not match its digest"),
        "{}",
        out.stderr
    );

    let big = Fake::start(|req, _| {
        if req.path.contains("/manifests/") {
            return reply(200, &[("content-type", MANIFEST)], vec![b' '; 5 << 20]);
        }
        reply(404, &[], "")
    });
    let out = validate(&big.host, &[], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("the image manifest is 4194305 bytes; the limit is 4194304 (4 MiB)"),
        "{}",
        out.stderr
    );
}

#[test]
fn redirects_never_carry_credentials_to_another_host() {
    let c = Arc::new(content());
    let elsewhere = {
        let c = Arc::clone(&c);
        Fake::start(move |req, _| {
            c.answer(&req.path.replace("/storage", ""))
                .unwrap_or_else(|| reply(404, &[], ""))
        })
    };
    let other = elsewhere.host.clone();
    let fake = Fake::start(move |req, _| {
        if !req.headers.contains_key("authorization") {
            return reply(401, &[("www-authenticate", "Basic realm=\"fake\"")], "");
        }
        if req.path.contains("/blobs/") {
            let location = format!("http://{other}/storage{}", req.path);
            return Reply::With(307, vec![("location".into(), location)], Vec::new());
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let out = validate(
        &fake.host,
        &["--registry-username", "user", "--registry-password-stdin"],
        Some(b"secret"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let blob = elsewhere.seen();
    assert_eq!(blob.len(), 1);
    assert!(
        !blob[0].headers.contains_key("authorization"),
        "credentials leaked: {:?}",
        blob[0].headers
    );
    assert!(fake.seen().iter().any(|s| {
        s.headers
            .get("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    }));
}

#[test]
fn paginated_and_unfiltered_referrers() {
    let c = content();
    let host = Arc::new(Mutex::new(String::new()));
    let h = Arc::clone(&host);
    let signature = format!("sha256:{}", "5".repeat(64));
    let fake = Fake::start(move |req, _| {
        if req.path.contains("/referrers/") && !req.path.contains("page=2") {
            // Page 1 ignores the filter: a newer signature that must not be chosen.
            let body = Content::referrers(&[c.referrer(
                "2027-01-01T00:00:00Z",
                "application/vnd.dev.cosign.signature",
                &signature,
            )]);
            let link = format!(
                "<http://{}/v2/app/referrers/{}?page=2>; rel=\"next\"",
                h.lock().unwrap(),
                c.image_digest
            );
            return Reply::With(
                200,
                vec![("content-type".into(), INDEX.into()), ("link".into(), link)],
                body,
            );
        }
        if req.path.contains("page=2") {
            let body = Content::referrers(&[c.referrer(
                "2026-01-01T00:00:00Z",
                ARTIFACT_TYPE,
                &c.artifact_digest,
            )]);
            return reply(200, &[("content-type", INDEX)], body);
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    *host.lock().unwrap() = fake.host.clone();
    let out = validate(&fake.host, &[], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["image"]["artifactsAttached"], 1);
    assert_eq!(v["image"]["requests"], 5);
    // A validation only reads.
    assert!(fake.seen().iter().all(|s| s.method == "GET"));
}

#[test]
fn a_hanging_connection_ends_at_the_timeout() {
    let fake = Fake::start(|_, _| Reply::Hang);
    let start = Instant::now();
    let out = validate(&fake.host, &["--timeout", "1.5"], None);
    let elapsed = start.elapsed();
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("timed out after 1.5s (--timeout)"),
        "{}",
        out.stderr
    );
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
}

#[test]
fn retry_after_dates_query_only_links_and_the_debug_trace() {
    let c = content();
    let fake = Fake::start(move |req, n| {
        if req.path.contains("/referrers/") && n == 1 {
            // An HTTP date in the past: retry at once (the backoff is not used either).
            return reply(503, &[("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")], "");
        }
        if req.path.contains("/referrers/") && !req.path.contains("last=x") {
            // The next page named by its query alone.
            let body = Content::referrers(&[]);
            return reply(
                200,
                &[
                    ("content-type", INDEX),
                    ("link", "<?n=1&last=x>; rel=\"next\""),
                ],
                body,
            );
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let out = validate(&fake.host, &["--debug"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let image_digest = content().image_digest;
    assert!(
        out.stderr.contains(&format!(
            "debug: retry 1/3 of GET http://{}/v2/app/referrers/{image_digest}?artifactType=",
            fake.host
        )) && out.stderr.contains("in 0ns after 503 (Retry-After)"),
        "{}",
        out.stderr
    );
    assert!(
        fake.seen()
            .iter()
            .any(|s| s.path == format!("/v2/app/referrers/{image_digest}?n=1&last=x")),
        "{:?}",
        fake.seen().iter().map(|s| &s.path).collect::<Vec<_>>()
    );
    assert!(
        out.stderr.contains(&format!(
            "debug: GET http://{}/v2/app/manifests/v1 -> 200 (",
            fake.host
        )),
        "{}",
        out.stderr
    );
}

/// Attaches `spec-gpu-node` to the fake's `app:v1` with `--debug`.
fn attach(host: &str) -> Output {
    let image = format!("{host}/app:v1");
    let spec = testdata("specs/gpu-node.yaml");
    let home = tempfile::tempdir().unwrap();
    let home = home.path().to_str().unwrap().to_owned();
    run_with_env(
        &[
            "attach",
            "--plain-http",
            "--debug",
            "--image",
            &image,
            &spec,
        ],
        &[("HOME", &home), ("DOCKER_CONFIG", &home)],
        None,
    )
}

/// A registry that has the blobs, answers the artifact manifest's PUT with `refusal` the first
/// `refusals` times and then takes it (processing `subject`, so no tag schema is involved).
fn refusing_manifest_puts(refusals: usize, refusal: &'static str) -> Fake {
    let c = content();
    Fake::start(move |req, n| {
        if req.method == "HEAD" && req.path.contains("/blobs/") {
            return reply(200, &[], "");
        }
        if req.method == "PUT" && req.path.starts_with("/v2/app/manifests/sha256:") {
            if n <= refusals {
                return reply(400, &[("content-type", "application/json")], refusal);
            }
            return reply(201, &[("oci-subject", &c.image_digest)], "");
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    })
}

const DIGEST_INVALID: &str = r#"{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"},{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#;

fn manifest_puts(fake: &Fake) -> usize {
    fake.seen()
        .iter()
        .filter(|s| s.method == "PUT" && s.path.starts_with("/v2/app/manifests/sha256:"))
        .count()
}

#[test]
fn a_manifest_pushed_while_its_blobs_settle_is_pushed_again() {
    // distribution answers DIGEST_INVALID to a manifest whose blob link another client is
    // rewriting in that moment (concurrent attaches share the empty config blob).
    let fake = refusing_manifest_puts(2, DIGEST_INVALID);
    let out = attach(&fake.host);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(manifest_puts(&fake), 3);
    assert!(
        out.stderr.contains("push 1/4 of manifest sha256:")
            && out.stderr.contains(
                "the registry could not read what it references yet (DIGEST_INVALID: provided digest did not match uploaded content); trying again"
            ),
        "{}",
        out.stderr
    );

    // A registry that never settles: four pushes, then its own words.
    let fake = refusing_manifest_puts(usize::MAX, DIGEST_INVALID);
    let out = attach(&fake.host);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(manifest_puts(&fake), 4);
    assert!(
        out.stderr
            .contains("the registry answered 400 (DIGEST_INVALID"),
        "{}",
        out.stderr
    );

    // Any other refusal is about the manifest itself: pushed once.
    let fake = refusing_manifest_puts(
        usize::MAX,
        r#"{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}"#,
    );
    let out = attach(&fake.host);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(manifest_puts(&fake), 1, "{}", out.stderr);
}
