//! Fleet benchmark: `validate-node --features <NodeFeatureList>` on a synthetic fleet of
//! 10,000 nodes (`tests/support/generate.rs`) against a 50-rule spec, wall time and peak
//! RSS, against what merely parsing the same file costs, measured in the same run: serde_json
//! skipping every value (`IgnoredAny`: the least a reader that checks the JSON can do) and
//! into a `serde_json::Value` (both in process, file read included), and `jq -c .` when
//! installed.
//! Then one node: the fleet dispatch of a one-item list against the single-node path
//! (`--node`).
//!
//! Run with `cargo bench --bench fleet` (`FLEET_NODES=N` to change the size).

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::fs;
use std::io::{BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, generate, measure, measure_median, median};

const ROUNDS: usize = 3;
const ONE_NODE_ROUNDS: usize = 40;

#[expect(clippy::cast_precision_loss, reason = "a human-readable figure")]
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn line(label: &str, wall: Duration, run: Option<&Run>, base: Option<(Duration, &str)>) {
    let rss = run.map_or(String::new(), |r| {
        format!("  peak RSS {:>6.1} MB", r.rss_mb())
    });
    let ratio = base.map_or(String::new(), |(b, name)| {
        format!("  {:>5.2}x {name}", wall.as_secs_f64() / b.as_secs_f64())
    });
    println!(
        "  {label:<48} {:>9.1} ms{rss}{ratio}",
        wall.as_secs_f64() * 1e3
    );
}

/// The median time of reading `path` and parsing it into a `T`, in this process.
fn read_and_parse<T: serde::de::DeserializeOwned>(path: &str) -> Duration {
    let mut walls = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let bytes = fs::read(path).expect("read");
        let parsed: T = serde_json::from_slice(&bytes).expect("parse");
        drop((parsed, bytes));
        walls.push(start.elapsed());
    }
    median(walls)
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_nfd-compat");
    let nodes: usize = std::env::var("FLEET_NODES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let (fleet, list1, doc1, spec) = (
        path("fleet.json"),
        path("one-item-list.json"),
        path("nodefeature.json"),
        path("spec.yaml"),
    );
    {
        let mut w = BufWriter::new(fs::File::create(&fleet).expect("create"));
        generate::write_fleet(&mut w, nodes, 1).expect("generate");
        w.flush().expect("flush");
        let mut list = Vec::new();
        generate::write_fleet(&mut list, 1, 1).expect("generate");
        let value: serde_json::Value = serde_json::from_slice(&list).expect("generated JSON");
        fs::write(&doc1, serde_json::to_vec(&value["items"][0]).expect("JSON")).expect("write");
        fs::write(&list1, list).expect("write");
    }
    fs::write(&spec, generate::spec_yaml(50)).expect("spec");
    let size = fs::metadata(&fleet).expect("stat").len();
    println!(
        "fleet validation: {nodes} synthetic nodes ({:.0} MB of JSON, {:.1} KB per node), 50-rule spec, {} cores; median of {ROUNDS} runs",
        mb(size),
        mb(size / u64::try_from(nodes.max(1)).unwrap_or(1)) * 1e3,
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );
    println!("  goals: under 1 s wall, peak RSS under 50 MB");
    // Child processes first: a child's peak RSS starts from this process's RSS at fork time,
    // and parsing the fleet into a Value below takes gigabytes.
    let table = measure_median(
        bin,
        &["validate-node", "--spec", &spec, "--features", &fleet],
        ROUNDS,
    );
    let json = measure_median(
        bin,
        &[
            "validate-node",
            "--spec",
            &spec,
            "--features",
            &fleet,
            "-o",
            "json",
        ],
        ROUNDS,
    );
    // One node, three ways, interleaved so that noise hits them alike: `--node` is the direct
    // single-node path (read the snapshot, evaluate, report), the others go through the fleet
    // reader and fall back to the single-node report.
    let one_node: [(&str, Vec<&str>); 3] = [
        (
            "--node node-00000 (direct single-node path)",
            vec!["--features", &list1, "--node", "node-00000"],
        ),
        ("one NodeFeature document", vec!["--features", &doc1]),
        ("one-item NodeFeatureList", vec!["--features", &list1]),
    ];
    let mut one_walls: Vec<Vec<Duration>> = vec![Vec::new(); one_node.len()];
    for _ in 0..ONE_NODE_ROUNDS {
        for ((_, extra), walls) in one_node.iter().zip(&mut one_walls) {
            let mut args = vec!["validate-node", "--spec", &spec];
            args.extend(extra);
            walls.push(measure(bin, &args).wall);
        }
    }
    let jq = Command::new("jq")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let jq_run = jq.then(|| measure("jq", &["-c", ".", &fleet]));
    let skip = read_and_parse::<serde::de::IgnoredAny>(&fleet);
    line(
        "serde_json -> IgnoredAny (read + parse, 1 core)",
        skip,
        None,
        None,
    );
    let parse = read_and_parse::<serde_json::Value>(&fleet);
    line(
        "serde_json -> Value (read + parse, 1 core)",
        parse,
        None,
        None,
    );
    if let Some(run) = &jq_run {
        line("jq -c . (one run)", run.wall, Some(run), None);
    }
    line(
        &format!("nfd-compat validate-node (table, exit {})", table.code),
        table.wall,
        Some(&table),
        Some((skip, "IgnoredAny")),
    );
    println!(
        "  {:<48} {:>12}  {:>32.2}x Value",
        "",
        "",
        table.wall.as_secs_f64() / parse.as_secs_f64()
    );
    if let Some(j) = &jq_run {
        println!(
            "  {:<48} {:>12}  {:>32.2}x jq",
            "",
            "",
            table.wall.as_secs_f64() / j.wall.as_secs_f64()
        );
    }
    line(
        "nfd-compat validate-node -o json (full reports)",
        json.wall,
        Some(&json),
        Some((skip, "IgnoredAny")),
    );
    println!("one node (median of {ONE_NODE_ROUNDS} interleaved runs):");
    let direct = median(one_walls[0].clone());
    for ((label, _), walls) in one_node.iter().zip(one_walls) {
        let wall = median(walls);
        line(label, wall, None, Some((direct, "--node")));
    }
}
