//! Whole-process benchmarks, one row per case of the performance goals: start-up alone
//! (`--version`), a typical node, the stress input (1,000 rules x 2,000 PCI instances x 5,000
//! cpuid flags) with `--output-json` and with `-o json`, `lint` of the 1,000-rule spec, and
//! validate-node on this host with discovery. Every row is timed against `/bin/true` in the
//! same run, in turn (A B A B ...), and reported as the median of the pair-by-pair ratios:
//! on a loaded machine the ratio and the difference hold where absolute times drift.
//!
//! Run with `cargo bench --bench process` (`PROCESS_ROUNDS=N` for more pairs,
//! `NFD_COMPAT_STRESS_DIR=dir` to keep the stress files, e.g. for `valgrind --tool=callgrind`,
//! `NFD_COMPAT_BASELINE_BIN=path` to time another build against this one, pair by pair).
//!
//! Both builds are timed as installed copies (`cargo install` copies the binary), not where the
//! linker wrote them: on this project's machines a freshly linked binary started 0.1 ms slower
//! than a copy of itself, with 8 more page faults, until its file was read again from disk
//! (after `echo 1 > /proc/sys/vm/drop_caches` the two were equal). That is the page cache's
//! state from the link, not the program.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::path::PathBuf;
use std::time::Instant;

use common::{median, paired, testdata, write_stress};

const TRUE: &str = "/bin/true";

fn row(label: &str, goal: &str, bin: &str, baseline: Option<&str>, args: &[&str], rounds: usize) {
    let p = paired((bin, args), (TRUE, &[]), rounds);
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "  {label:<44} {:>8.2} ms  true {:>5.2} ms  {:>6.2}x true  +{:>7.2} ms  peak RSS {:>5.1} MB  exit {}  (goal {goal})",
        ms(p.a.wall),
        ms(p.b),
        p.ratio,
        ms(p.a.wall.saturating_sub(p.b)),
        p.a.rss_mb(),
        p.a.code,
    );
    // Another build of the program (an older commit) on the same input, in turn with this one.
    if let Some(other) = baseline {
        let q = paired((bin, args), (other, args), rounds);
        println!(
            "  {:<44} {:>8.2} ms  baseline build {:.2} ms: {:.3}x",
            "",
            ms(q.a.wall),
            ms(q.b),
            q.ratio
        );
    }
}

/// An installed copy (see the module's documentation) of the binary at `from`, in `dir`.
fn installed(dir: &std::path::Path, from: &std::ffi::OsStr, name: &str) -> String {
    let to = dir.join(name);
    std::fs::copy(from, &to).unwrap_or_else(|e| {
        panic!(
            "cannot copy {} to {}: {e}",
            from.to_string_lossy(),
            to.display()
        )
    });
    to.to_string_lossy().into_owned()
}

fn main() {
    let bins = tempfile::tempdir().expect("temp dir");
    let bin = &*installed(
        bins.path(),
        env!("CARGO_BIN_EXE_nfd-compat").as_ref(),
        "nfd-compat",
    );
    let baseline = std::env::var_os("NFD_COMPAT_BASELINE_BIN")
        .map(|other| installed(bins.path(), &other, "baseline"));
    let row = |label: &str, goal: &str, bin: &str, args: &[&str], rounds: usize| {
        row(label, goal, bin, baseline.as_deref(), args, rounds);
    };
    let rounds: usize = std::env::var("PROCESS_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = std::env::var_os("NFD_COMPAT_STRESS_DIR")
        .map_or_else(|| temp.path().to_owned(), PathBuf::from);
    let (spec, features) = write_stress(&dir);
    let (spec, features) = (spec.to_string_lossy(), features.to_string_lossy());
    let typical_spec = testdata("specs/nfd-example.yaml");
    let typical_node = testdata("snapshots/example-nodefeature.yaml");

    println!(
        "whole process, {rounds} pairs against {TRUE} (medians; ratio = median of pair-by-pair ratios)"
    );
    row(
        "--version (start-up alone)",
        "within 0.5 ms of true",
        bin,
        &["--version"],
        rounds,
    );
    row(
        "typical node: 2 rules, --features, --output-json",
        "< 2 ms",
        bin,
        &[
            "validate-node",
            "--spec",
            &typical_spec,
            "--features",
            &typical_node,
            "--output-json",
        ],
        rounds,
    );
    for (label, goal, format) in [
        ("stress, --output-json", "< 20 ms", &["--output-json"][..]),
        ("stress, -o json", "< 40 ms", &["-o", "json"][..]),
    ] {
        let mut args = vec!["validate-node", "--spec", &spec, "--features", &features];
        args.extend(format);
        row(label, goal, bin, &args, rounds);
    }
    row(
        "lint of the 1,000-rule spec",
        "< 10 ms",
        bin,
        &["lint", &spec],
        rounds,
    );
    row(
        "this host, discovery, 2 rules (table)",
        "< 5 ms, < 10 MB",
        bin,
        &["validate-node", "--spec", &typical_spec],
        rounds,
    );

    // An in-process yardstick for the stress rows: reading and parsing the node file alone.
    let parse = median(
        (0..rounds.min(20))
            .map(|_| {
                let start = Instant::now();
                let bytes = std::fs::read(&*features).expect("read");
                let value: serde_json::Value = serde_json::from_slice(&bytes).expect("parse");
                drop(std::hint::black_box(value));
                start.elapsed()
            })
            .collect(),
    );
    println!(
        "  yardstick: serde_json read + parse of the stress node into a Value: {:.2} ms",
        parse.as_secs_f64() * 1e3
    );
}
