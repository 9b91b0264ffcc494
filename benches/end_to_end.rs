//! End-to-end benchmark: `nfd-compat validate-node --spec` as a process, wall time and peak
//! RSS, against spawning `true` (the cost of a process, measured in the same run).
//!
//! Run with `cargo bench --bench end_to_end`.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::time::Duration;

use common::{measure_median, testdata};

const ROUNDS: usize = 60;

fn report(label: &str, program: &str, args: &[&str], baseline: Option<Duration>) -> Duration {
    let run = measure_median(program, args, ROUNDS);
    let ratio = baseline.map_or(String::new(), |b| {
        format!(
            "  {:>6.1}x `true`",
            run.wall.as_secs_f64() / b.as_secs_f64()
        )
    });
    println!(
        "  {label:<34} {:>8.2} ms  peak RSS {:>6.1} MB  exit {}{ratio}",
        run.wall.as_secs_f64() * 1e3,
        run.rss_mb(),
        run.code
    );
    run.wall
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_nfd-compat");
    let spec = testdata("specs/gpu-node.yaml");
    let host = testdata("hosts/intel-server");
    let machine = testdata("machines/intel-icelake-server.txt");
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
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
