//! A registry cannot lose data, hang a command or steer requests: referrers pages are
//! de-duplicated, `Link` loops and over-long lists fail loudly within `--timeout`, a digest that
//! is not one never reaches a request, and concurrent attaches on a registry without the
//! referrers API lose nothing that was reported attached (README.md "Registries without the
//! referrers API"). Faults a real registry will not produce come from the fake server of
//! `faults.rs`; the concurrency runs against real registries.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{Output, run, run_with_env, testdata};
use crate::faults::{
    ARTIFACT_TYPE, Content, Fake, INDEX, MANIFEST, Reply, content, reply, validate,
};
use crate::support::registry::{Registry, push_images};

/// A referrers page of `entries`, with a `Link` to `next` when given.
fn page(entries: &[String], next: Option<String>) -> Reply {
    let mut headers = vec![("content-type".to_owned(), INDEX.to_owned())];
    if let Some(next) = next {
        headers.push(("link".to_owned(), format!("<{next}>; rel=\"next\"")));
    }
    Reply::With(200, headers, Content::referrers(entries))
}

/// A compatibility artifact entry with this digest.
fn entry(c: &Content, digest: &str) -> String {
    c.referrer("2026-01-01T00:00:00Z", ARTIFACT_TYPE, digest)
}

/// Asserts that a run failed (exit 2) saying `message`.
fn fails_with(out: &Output, message: &str) {
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(message), "{}", out.stderr);
}

/// How many referrers pages the fake served.
fn referrers_pages(fake: &Fake) -> usize {
    fake.seen()
        .iter()
        .filter(|s| s.path.contains("/referrers/"))
        .count()
}

/// The `page=N` of a request path.
fn page_number(path: &str) -> Option<usize> {
    path.split("page=").nth(1).and_then(|p| p.parse().ok())
}

/// A distinct, well-formed digest.
fn nth_digest(n: usize) -> String {
    format!("sha256:{n:064x}")
}

/// `nfd-compat list` of the fake's image, as JSON.
fn list_fake(host: &str, extra: &[&str]) -> Output {
    let image = format!("{host}/app:v1");
    let home = tempfile::tempdir().unwrap();
    let home = home.path().to_str().unwrap().to_owned();
    let mut args = vec!["list", "--image", &image, "--plain-http", "-o", "json"];
    args.extend_from_slice(extra);
    run_with_env(&args, &[("HOME", &home), ("DOCKER_CONFIG", &home)], None)
}

#[test]
fn a_link_back_to_an_earlier_page_is_a_loop() {
    let c = content();
    let host = Arc::new(Mutex::new(String::new()));
    let h = Arc::clone(&host);
    let fake = Fake::start(move |req, _| {
        if req.path.contains("/referrers/") {
            // Page 2 links back to page 1 (as the first URL was asked, with its filter).
            let next = if req.path.contains("page=2") {
                format!(
                    "http://{}/v2/app/referrers/{}?artifactType={}",
                    h.lock().unwrap(),
                    c.image_digest,
                    ARTIFACT_TYPE.replace('/', "%2F")
                )
            } else {
                format!("/v2/app/referrers/{}?page=2", c.image_digest)
            };
            let n = if req.path.contains("page=2") { 2 } else { 1 };
            return page(&[entry(&c, &nth_digest(n))], Some(next));
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    *host.lock().unwrap() = fake.host.clone();
    let out = validate(&fake.host, &[], None);
    fails_with(&out, "loops: the `Link` of page 2 leads back to page 1");
    assert_eq!(referrers_pages(&fake), 2, "each page is read once");
}

#[test]
fn a_link_that_only_repeats_entries_is_a_loop_and_duplicates_count_once() {
    let c = content();
    // Every page lists the same artifact twice and links to a new URL, for ever.
    let fake = Fake::start(move |req, _| {
        if req.path.contains("/referrers/") {
            let n = page_number(&req.path).unwrap_or(1);
            let next = format!("/v2/app/referrers/{}?page={}", c.image_digest, n + 1);
            let e = entry(&c, &c.artifact_digest);
            return page(&[e.clone(), e], Some(next));
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let out = validate(&fake.host, &[], None);
    fails_with(&out, "loops: page 2 repeats only entries of earlier pages");

    // Duplicates across pages of a list that ends are counted once.
    let c = content();
    let fake = Fake::start(move |req, _| {
        if req.path.contains("/referrers/") {
            let e = entry(&c, &c.artifact_digest);
            if req.path.contains("page=2") {
                return page(&[e, entry(&c, &nth_digest(7))], None);
            }
            let next = format!("/v2/app/referrers/{}?page=2", c.image_digest);
            return page(&[e.clone(), e], Some(next));
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let out = list_fake(&fake.host, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let digests: Vec<&str> = v["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap())
        .collect();
    assert_eq!(digests.len(), 2, "{v}");
    assert_eq!(
        digests.iter().collect::<BTreeSet<_>>().len(),
        2,
        "each artifact once: {v}"
    );
}

#[test]
fn a_huge_looping_referrers_list_fails_loudly_within_bounds() {
    // 13,000 entries a page, each page linking to the next with new entries: the entry limit
    // stops it on the first page, in well under the timeout and without gigabytes.
    let c = content();
    let fake = Fake::start(move |req, _| {
        if req.path.contains("/referrers/") {
            let n = page_number(&req.path).unwrap_or(0);
            let entries: Vec<String> = (0..13_000)
                .map(|i| entry(&c, &nth_digest(n * 13_000 + i)))
                .collect();
            let next = format!("/v2/app/referrers/{}?page={}", c.image_digest, n + 1);
            return page(&entries, Some(next));
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let image = format!("{}/app:v1", fake.host);
    let snapshot = testdata("snapshots/intel-server.json");
    for command in [
        &["validate-node", "--features", &snapshot][..],
        &["list", "-o", "json"][..],
    ] {
        let mut args = command.to_vec();
        args.extend(["--image", &image, "--plain-http", "--timeout", "60"]);
        let (out, elapsed, peak) = measured(&args);
        fails_with(&out, "has more than 10000 entries (the limit)");
        assert!(
            elapsed < Duration::from_secs(60),
            "{command:?} took {elapsed:?}"
        );
        assert!(peak < 300 << 20, "{command:?} peaked at {} MiB", peak >> 20);
    }
}

/// Runs the binary, measuring its wall time and peak resident memory (VmHWM, polled).
fn measured(args: &[&str]) -> (Output, Duration, u64) {
    let home = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nfd-compat"))
        .args(args)
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nfd-compat");
    let status = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).unwrap();
        s
    });
    let mut peak = 0;
    let code = loop {
        if let Some(line) = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        }) {
            let kib: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            peak = peak.max(kib << 10);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let out = Output {
        code,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    assert!(peak > 0, "no memory reading of the run");
    (out, elapsed, peak)
}

#[test]
fn more_than_the_page_limit_fails_loudly() {
    // Small pages of new entries, a new URL each time: the page limit ends it.
    let c = content();
    let fake = Fake::start(move |req, _| {
        if req.path.contains("/referrers/") {
            let n = page_number(&req.path).unwrap_or(0);
            let next = format!("/v2/app/referrers/{}?page={}", c.image_digest, n + 1);
            return page(&[entry(&c, &nth_digest(n + 1))], Some(next));
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let out = list_fake(&fake.host, &[]);
    fails_with(&out, "has more than 100 pages (the limit)");
    assert_eq!(referrers_pages(&fake), 100);
}

#[test]
fn a_looping_tag_list_fails_loudly() {
    // No referrers API and no tag-schema index: the artifact tags are looked for in the tag
    // list, whose `Link` leads back to itself.
    let c = content();
    let fake = Fake::start(move |req, _| {
        if req.path.contains("/referrers/") || req.path.contains("/manifests/sha256-") {
            return reply(404, &[("content-type", "text/plain")], "404 page not found");
        }
        if req.path.starts_with("/v2/app/tags/list") {
            return Reply::With(
                200,
                vec![
                    ("content-type".into(), "application/json".into()),
                    ("link".into(), "</v2/app/tags/list>; rel=\"next\"".into()),
                ],
                br#"{"name":"app","tags":["v1"]}"#.to_vec(),
            );
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let out = validate(&fake.host, &[], None);
    fails_with(
        &out,
        "the tag list loops: the `Link` of page 1 leads back to page 1",
    );
}

#[test]
fn list_ends_at_the_timeout() {
    // Forty artifacts whose manifests each take 400 ms: listing them all would take 16 s.
    let c = content();
    let fake = Fake::start(move |req, _| {
        if req.path.contains("/referrers/") {
            let entries: Vec<String> = (1..=40).map(|i| entry(&c, &nth_digest(i))).collect();
            return page(&entries, None);
        }
        if req.path.contains("/manifests/sha256:0000") {
            std::thread::sleep(Duration::from_millis(400));
            return reply(404, &[], "");
        }
        c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
    });
    let start = Instant::now();
    let out = list_fake(&fake.host, &["--timeout", "2"]);
    let elapsed = start.elapsed();
    fails_with(&out, "timed out after 2s (--timeout)");
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
}

#[test]
fn a_digest_that_is_not_one_never_reaches_a_request() {
    let hostile = [
        "sha256:../../../../v2/_catalog?",
        "sha256:abc",
        "md5:0123456789abcdef0123456789abcdef",
        "sha256:0000000000000000000000000000000000000000000000000000000000000000/../x",
        "sha512:00",
        "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ];
    for bad in hostile {
        // As a referrer.
        let c = content();
        let b = bad.to_owned();
        let fake = Fake::start(move |req, _| {
            if req.path.contains("/referrers/") {
                return page(&[entry(&c, &b)], None);
            }
            c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
        });
        let out = validate(&fake.host, &[], None);
        fails_with(&out, "which is not a digest");
        let list = list_fake(&fake.host, &[]);
        fails_with(&list, "which is not a digest");
        for s in fake.seen() {
            assert!(
                !s.path.contains("_catalog")
                    && !s.path.contains("/manifests/sha256:..")
                    && !s.path.contains("md5")
                    && !s.path.contains("/x"),
                "{bad} reached a request: {}",
                s.path
            );
        }

        // As an entry of the tag-schema index of a registry without the referrers API.
        let c = content();
        let b = bad.to_owned();
        let schema = format!("/v2/app/manifests/{}", c.image_digest.replacen(':', "-", 1));
        let fake = Fake::start(move |req, _| {
            if req.path.contains("/referrers/") {
                return reply(404, &[("content-type", "text/plain")], "404 page not found");
            }
            if req.path == schema {
                return page(&[entry(&c, &b)], None);
            }
            c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
        });
        fails_with(&validate(&fake.host, &[], None), "which is not a digest");
        assert!(
            fake.seen().iter().all(|s| !s.path.contains("_catalog")),
            "{bad} reached a request"
        );

        // As the spec layer of the artifact.
        let c = content();
        let artifact = String::from_utf8(c.artifact.clone())
            .unwrap()
            .replace(&c.spec_digest, bad)
            .into_bytes();
        let artifact_digest = crate::faults::digest(&artifact);
        let ad = artifact_digest.clone();
        let fake = Fake::start(move |req, _| {
            if req.path.contains("/referrers/") {
                let e = format!(
                    r#"{{"mediaType":"{MANIFEST}","digest":"{ad}","size":{},"artifactType":"{ARTIFACT_TYPE}"}}"#,
                    artifact.len()
                );
                return page(&[e], None);
            }
            if req.path == format!("/v2/app/manifests/{ad}") {
                return reply(200, &[("content-type", MANIFEST)], artifact.clone());
            }
            c.answer(&req.path).unwrap_or_else(|| reply(404, &[], ""))
        });
        let out = validate(&fake.host, &[], None);
        fails_with(&out, "which is not a digest");
        assert!(
            fake.seen().iter().all(|s| !s.path.contains("/blobs/")),
            "{bad}: a blob was asked for"
        );
    }
}

/// Runs `count` attaches at once, of specs distinct from each other and from other rounds';
/// returns the digests of those that exited 0, and the errors of the others.
fn attach_concurrently(
    registry: &Registry,
    round: usize,
    count: usize,
) -> (Vec<String>, Vec<String>) {
    let image = format!("{}/app:v1", registry.host);
    let base = std::fs::read_to_string(testdata("specs/gpu-node.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..count)
        .map(|i| {
            // A distinct spec each, so that every attach pushes its own artifact (two rounds
            // within the same second would otherwise push the same ones).
            let spec = dir.path().join(format!("spec-{i}.yaml"));
            std::fs::write(&spec, format!("{base}\n# round {round}, attach {i}\n")).unwrap();
            Command::new(env!("CARGO_BIN_EXE_nfd-compat"))
                .args(["attach", "--plain-http", "--image", &image])
                .arg(&spec)
                .env("HOME", dir.path())
                .env("DOCKER_CONFIG", dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn nfd-compat")
        })
        .collect();
    let mut attached = Vec::new();
    let mut failed = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        if out.status.code() == Some(0) {
            attached.push(String::from_utf8(out.stdout).unwrap().trim().to_owned());
        } else {
            failed.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
    }
    (attached, failed)
}

/// The digests `nfd-compat list` shows.
fn listed(registry: &Registry) -> BTreeSet<String> {
    let image = format!("{}/app:v1", registry.host);
    let out = run(
        &["list", "--plain-http", "--image", &image, "-o", "json"],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap().to_owned())
        .collect()
}

/// GETs a path of the registry: status and body.
fn get(registry: &Registry, path: &str, accept: &str) -> (u16, Vec<u8>) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut r = agent
        .get(format!("http://{}{path}", registry.host))
        .header("accept", accept)
        .call()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_vec().unwrap())
}

#[test]
fn concurrent_attaches_lose_nothing_without_the_referrers_api() {
    let registry = Registry::docker(None);
    let images = push_images(&registry, None);
    let schema_tag = images.amd64.replacen(':', "-", 1);
    let mut reported = BTreeSet::new();
    let mut in_index_after_round = Vec::new();
    for round in 0..3 {
        let (attached, failed) = attach_concurrently(&registry, round, 10);
        assert!(
            failed.is_empty(),
            "round {round}: {} attaches failed: {failed:?}",
            failed.len()
        );
        reported.extend(attached);
        // Every artifact reported attached is found.
        let found = listed(&registry);
        let missing: Vec<_> = reported.difference(&found).collect();
        assert!(missing.is_empty(), "round {round}: lost {missing:?}");
        assert_eq!(found, reported, "round {round}: nothing else is listed");
        // No index entry points at a missing manifest.
        let (status, body) = get(&registry, &format!("/v2/app/manifests/{schema_tag}"), INDEX);
        assert_eq!(status, 200);
        let index: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let entries: Vec<String> = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["digest"].as_str().unwrap().to_owned())
            .collect();
        for d in &entries {
            let (status, _) = get(&registry, &format!("/v2/app/manifests/{d}"), MANIFEST);
            assert_eq!(status, 200, "round {round}: index entry {d} is dangling");
        }
        in_index_after_round.push(reported.iter().filter(|d| entries.contains(d)).count());
    }
    assert_eq!(reported.len(), 30);
    // The index itself (what NFD and oras read) is repaired by every write: after the last
    // attach of each round has settled, it holds everything attached so far.
    assert_eq!(
        in_index_after_round,
        [10, 20, 30],
        "entries in the tag-schema index"
    );

    // validate-node finds the newest; detach removes an artifact from both the index and the
    // listing, leaving no dangling entry.
    let gone = reported.iter().next().unwrap().clone();
    let image = format!("{}/app:v1", registry.host);
    let out = run(
        &[
            "detach",
            "--plain-http",
            "--image",
            &image,
            "--artifact",
            &gone,
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let found = listed(&registry);
    assert!(!found.contains(&gone));
    assert_eq!(found.len(), 29);
}

#[test]
fn concurrent_attaches_lose_nothing_with_the_referrers_api() {
    let registry = Registry::ferro();
    push_images(&registry, None);
    let mut reported = BTreeSet::new();
    for round in 0..2 {
        let (attached, failed) = attach_concurrently(&registry, round, 10);
        assert!(failed.is_empty(), "round {round}: {failed:?}");
        reported.extend(attached);
        assert_eq!(listed(&registry), reported, "round {round}");
    }
    assert_eq!(reported.len(), 20);
}
