//! End-to-end benchmark: `nfd-compat validate-node --spec` as a process, wall time and peak
//! RSS, against spawning `true` (the cost of a process, measured in the same run).
//!
//! Run with `cargo bench --bench end_to_end`.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: usize = 60;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs a command to completion and returns its wall time and peak RSS in KiB.
fn measure(program: &str, args: &[&str]) -> (Duration, i64, i32) {
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the pid is our own child, reaped
    // here exactly once (the `Child` handle is dropped without waiting).
    #[expect(
        unsafe_code,
        reason = "wait4 is the only way to get one child's peak RSS"
    )]
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let r = libc::wait4(pid, &raw mut status, 0, &raw mut usage);
        assert_eq!(r, pid, "wait4");
        usage
    };
    let elapsed = start.elapsed();
    drop(child);
    (elapsed, usage.ru_maxrss, libc::WEXITSTATUS(status))
}

fn report(label: &str, program: &str, args: &[&str], baseline: Option<Duration>) -> Duration {
    let mut walls = Vec::with_capacity(ROUNDS);
    let mut peak = 0;
    let mut code = 0;
    for _ in 0..ROUNDS {
        let (wall, rss, c) = measure(program, args);
        walls.push(wall);
        peak = peak.max(rss);
        code = c;
    }
    let m = median(walls);
    let ratio = baseline.map_or(String::new(), |b| {
        format!("  {:>6.1}x `true`", m.as_secs_f64() / b.as_secs_f64())
    });
    println!(
        "  {label:<34} {:>8.2} ms  peak RSS {:>6.1} MB  exit {code}{ratio}",
        m.as_secs_f64() * 1e3,
        rss_mb(peak)
    );
    m
}

#[expect(clippy::cast_precision_loss, reason = "a human-readable figure")]
fn rss_mb(kib: i64) -> f64 {
    kib as f64 / 1024.0
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_nfd-compat");
    let data = |rel: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(rel)
            .to_string_lossy()
            .into_owned()
    };
    let spec = data("specs/gpu-node.yaml");
    let host = data("hosts/intel-server");
    let machine = data("machines/intel-icelake-server.txt");
    let snapshot = data("snapshots/example-nodefeature.yaml");
    println!(
        "validate-node end to end (median of {ROUNDS} runs; goal: under 20 ms wall, 15 MB peak RSS)"
    );
    let base = report("`true` (process baseline)", "true", &[], None);
    report(
        "this machine (--host-root /)",
        bin,
        &["validate-node", "--spec", &spec],
        Some(base),
    );
    report(
        "fixture host tree",
        bin,
        &[
            "validate-node",
            "--spec",
            &spec,
            "--host-root",
            &host,
            "--machine",
            &machine,
        ],
        Some(base),
    );
    report(
        "saved snapshot (--features)",
        bin,
        &["validate-node", "--spec", &spec, "--features", &snapshot],
        Some(base),
    );
    report(
        "same, --output-json",
        bin,
        &[
            "validate-node",
            "--spec",
            &spec,
            "--features",
            &snapshot,
            "--output-json",
        ],
        Some(base),
    );
}
