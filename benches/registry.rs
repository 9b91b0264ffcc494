//! Registry benchmark: `validate-node --image` against a local docker-registry (tag schema)
//! and ferro-oci-server (referrers API): wall time and requests per validation, side by side
//! with `skopeo inspect --raw` of the same image in the same run (the ratio).
//!
//! Run with `cargo bench --bench registry` (needs the tools of scripts/install-test-deps.sh).

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{median, testdata};

use common::support::registry::{Attach, Registry, push_images, require};

const ROUNDS: usize = 30;

fn time(mut cmd: impl FnMut() -> Command) -> (Duration, String) {
    let mut walls = Vec::with_capacity(ROUNDS);
    let mut last = String::new();
    for _ in 0..ROUNDS {
        let mut c = cmd();
        let start = Instant::now();
        let out = c.output().expect("run");
        walls.push(start.elapsed());
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        last = String::from_utf8_lossy(&out.stdout).into_owned();
    }
    (median(walls), last)
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_nfd-compat");
    let snapshot = testdata("snapshots/intel-server.json");
    let spec = testdata("specs/gpu-node.yaml");
    let skopeo = require("skopeo", "apt-get install -y skopeo");
    println!(
        "validate-node --image on loopback (median of {ROUNDS}; goal: under 30 ms, at most 4 requests with the referrers API and 6 with the tag schema, without auth)"
    );
    println!(
        "  {:<34} {:>10} {:>9} {:>14} {:>7}",
        "registry", "nfd-compat", "requests", "skopeo inspect", "ratio"
    );
    for (name, registry, tag_schema) in [
        ("ferro-oci-server (referrers API)", Registry::ferro(), false),
        (
            "docker-registry 2.8.2 (tag schema)",
            Registry::docker(None),
            true,
        ),
    ] {
        let images = push_images(&registry, None);
        images.attach_to_amd64(
            &registry,
            &Attach {
                spec: Some(&spec),
                tag_schema,
                ..Attach::default()
            },
        );
        let image = format!("{}/app:v1", registry.host);
        let (ours, out) = time(|| {
            let mut c = Command::new(bin);
            c.args([
                "validate-node",
                "--image",
                &image,
                "--plain-http",
                "--features",
            ])
            .arg(&snapshot)
            .args(["-o", "json"]);
            c
        });
        let report: serde_json::Value = serde_json::from_str(&out).expect("report");
        let (theirs, _) = time(|| {
            let mut c = Command::new(&skopeo);
            c.args([
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{image}"),
            ]);
            c
        });
        println!(
            "  {name:<34} {:>8.2} ms {:>9} {:>11.2} ms {:>6.2}x",
            ours.as_secs_f64() * 1e3,
            report["image"]["requests"],
            theirs.as_secs_f64() * 1e3,
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    }
}
