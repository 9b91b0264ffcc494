//! Fleet benchmark: `validate-node --features <NodeFeatureList>` on a synthetic fleet of
//! 10,000 nodes (`nfd_compat::fleet::generate`) against a 50-rule spec, wall time and peak
//! RSS, against what merely parsing the same file costs, measured in the same run: serde_json
//! into a `serde_json::Value` (in process, file read included) and `jq -c .` when installed.
//! Then one node: the fleet dispatch of a one-item list against the single-node path
//! (`--node`).
//!
//! Run with `cargo bench --bench fleet` (`FLEET_NODES=N` to change the size).

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::fs;
use std::io::{BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nfd_compat::fleet::generate;

const ROUNDS: usize = 3;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs a command to completion and returns its wall time, peak RSS in KiB and exit code.
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

#[expect(clippy::cast_precision_loss, reason = "a human-readable figure")]
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn line(label: &str, wall: Duration, rss_kib: Option<i64>, base: Option<(Duration, &str)>) {
    let rss = rss_kib.map_or(String::new(), |k| {
        format!(
            "  peak RSS {:>6.1} MB",
            mb(u64::try_from(k).unwrap_or(0) * 1024)
        )
    });
    let ratio = base.map_or(String::new(), |(b, name)| {
        format!("  {:>5.2}x {name}", wall.as_secs_f64() / b.as_secs_f64())
    });
    println!(
        "  {label:<44} {:>9.1} ms{rss}{ratio}",
        wall.as_secs_f64() * 1e3
    );
}

fn run(program: &str, args: &[&str]) -> (Duration, i64, i32) {
    let mut walls = Vec::new();
    let mut peak = 0;
    let mut code = 0;
    for _ in 0..ROUNDS {
        let (w, rss, c) = measure(program, args);
        walls.push(w);
        peak = peak.max(rss);
        code = c;
    }
    (median(walls), peak, code)
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_nfd-compat");
    let nodes: usize = std::env::var("FLEET_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let fleet = dir.path().join("fleet.json");
    let one = dir.path().join("one.json");
    let spec = dir.path().join("spec.yaml");
    {
        let mut w = BufWriter::new(fs::File::create(&fleet).expect("create"));
        generate::write_fleet(&mut w, nodes, 1).expect("generate");
        w.flush().expect("flush");
        let mut w = BufWriter::new(fs::File::create(&one).expect("create"));
        generate::write_fleet(&mut w, 1, 1).expect("generate");
        w.flush().expect("flush");
    }
    fs::write(&spec, generate::spec_yaml(50)).expect("spec");
    let size = fs::metadata(&fleet).expect("stat").len();
    let (fleet_s, one_s, spec_s) = (
        fleet.to_string_lossy().into_owned(),
        one.to_string_lossy().into_owned(),
        spec.to_string_lossy().into_owned(),
    );
    println!(
        "fleet validation: {nodes} synthetic nodes ({:.0} MB of JSON, {:.1} KB per node), 50-rule spec, {} cores; median of {ROUNDS} runs",
        mb(size),
        mb(size / u64::try_from(nodes.max(1)).unwrap_or(1)) * 1e3,
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );
    println!("  goals: under 2 s wall, peak RSS under 300 MB, within 3x of parsing the input");
    // Child processes first: a child's peak RSS on Linux starts from this process's RSS at
    // fork time, and parsing the fleet into a Value below takes gigabytes.
    let args = ["validate-node", "--spec", &spec_s, "--features", &fleet_s];
    let (wall, rss, code) = run(bin, &args);
    let json_args = [
        "validate-node",
        "--spec",
        &spec_s,
        "--features",
        &fleet_s,
        "-o",
        "json",
    ];
    let (wall_json, rss_json, _) = run(bin, &json_args);
    let mut single = Vec::new();
    let mut legacy = Vec::new();
    for _ in 0..20 {
        single.push(
            measure(
                bin,
                &["validate-node", "--spec", &spec_s, "--features", &one_s],
            )
            .0,
        );
        legacy.push(
            measure(
                bin,
                &[
                    "validate-node",
                    "--spec",
                    &spec_s,
                    "--features",
                    &one_s,
                    "--node",
                    "node-00000",
                ],
            )
            .0,
        );
    }
    let jq = Command::new("jq")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let jq_run = jq.then(|| measure("jq", &["-c", ".", &fleet_s]));
    let mut parse = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let bytes = fs::read(&fleet).expect("read");
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("parse");
        drop(value);
        parse.push(start.elapsed());
    }
    let parse = median(parse);
    line(
        "serde_json -> Value (read + parse, 1 core)",
        parse,
        None,
        None,
    );
    if let Some((w, rss, _)) = jq_run {
        line("jq -c . (one run)", w, Some(rss), None);
    }
    line(
        &format!("nfd-compat validate-node (table, exit {code})"),
        wall,
        Some(rss),
        Some((parse, "serde_json")),
    );
    if let Some((j, _, _)) = jq_run {
        println!(
            "  {:<44} {:>12}  {:>32.2}x jq",
            "",
            "",
            wall.as_secs_f64() / j.as_secs_f64()
        );
    }
    line(
        "nfd-compat validate-node -o json (full reports)",
        wall_json,
        Some(rss_json),
        Some((parse, "serde_json")),
    );
    println!("one node (median of 20 runs):");
    let legacy = median(legacy);
    line("single-node path (--node node-00000)", legacy, None, None);
    line(
        "one-item list (fleet dispatch)",
        median(single),
        None,
        Some((legacy, "single-node path")),
    );
}
