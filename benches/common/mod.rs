//! Measuring helpers shared by the benchmarks (each bench is its own crate and includes this
//! module).

#![allow(dead_code, reason = "each benchmark uses a part of these helpers")]

#[path = "../../tests/support/mod.rs"]
pub(crate) mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nfd_compat::features::Features;
pub(crate) use support::generate;

/// The path of a file under the project's `testdata/`.
pub(crate) fn testdata(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// The median of `samples` (which must not be empty).
pub(crate) fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// One run of a child process.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Run {
    /// Wall time from spawn to exit.
    pub(crate) wall: Duration,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub(crate) peak_rss_kib: i64,
    /// The exit code (0 when killed by a signal).
    pub(crate) code: i32,
}

impl Run {
    /// The peak RSS in megabytes (10^6 bytes).
    #[expect(clippy::cast_precision_loss, reason = "a human-readable figure")]
    pub(crate) fn rss_mb(&self) -> f64 {
        self.peak_rss_kib as f64 * 1024.0 / 1e6
    }
}

/// Runs `program args` to completion, output discarded, and returns its wall time, peak RSS and
/// exit code.
///
/// A child's peak RSS on Linux starts from the parent's RSS at fork time: measure children
/// before the benchmark itself holds much memory.
pub(crate) fn measure(program: &str, args: &[&str]) -> Run {
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
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
    let wall = start.elapsed();
    drop(child);
    Run {
        wall,
        peak_rss_kib: usage.ru_maxrss,
        code: libc::WEXITSTATUS(status),
    }
}

/// Runs `program args` `rounds` times: the median wall time, the highest peak RSS and the last
/// exit code.
pub(crate) fn measure_median(program: &str, args: &[&str], rounds: usize) -> Run {
    let runs: Vec<Run> = (0..rounds).map(|_| measure(program, args)).collect();
    Run {
        wall: median(runs.iter().map(|r| r.wall).collect()),
        peak_rss_kib: runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0),
        code: runs.last().map_or(0, |r| r.code),
    }
}

/// Two commands timed in turn (A B A B ...), so that a drift in the machine's speed hits both
/// alike: the medians of each and the median of the pair-by-pair ratio A/B.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paired {
    /// A's median run (the highest peak RSS of A's runs).
    pub(crate) a: Run,
    /// B's median wall time.
    pub(crate) b: Duration,
    /// The median of A/B over the pairs.
    pub(crate) ratio: f64,
}

/// Runs `a` and `b` in turn `rounds` times (after one warm-up each).
pub(crate) fn paired(a: (&str, &[&str]), b: (&str, &[&str]), rounds: usize) -> Paired {
    measure(a.0, a.1);
    measure(b.0, b.1);
    let mut runs = Vec::with_capacity(rounds);
    let mut b_walls = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let ra = measure(a.0, a.1);
        let rb = measure(b.0, b.1);
        ratios.push(ra.wall.as_secs_f64() / rb.wall.as_secs_f64());
        runs.push(ra);
        b_walls.push(rb.wall);
    }
    ratios.sort_by(f64::total_cmp);
    Paired {
        a: Run {
            wall: median(runs.iter().map(|r| r.wall).collect()),
            peak_rss_kib: runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0),
            code: runs.last().map_or(0, |r| r.code),
        },
        b: median(b_walls),
        ratio: ratios[ratios.len() / 2],
    }
}

/// The stress node (`generate::stress_features`) as `Features`.
pub(crate) fn stress_features() -> Features {
    serde_json::from_value(generate::stress_features())
        .unwrap_or_else(|e| panic!("the stress node is not NFD's Features: {e}"))
}

/// Writes the stress spec and node into `dir` (`stress-spec.yaml`, `stress-features.json`)
/// and returns their paths.
pub(crate) fn write_stress(dir: &Path) -> (PathBuf, PathBuf) {
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let spec = dir.join("stress-spec.yaml");
    let features = dir.join("stress-features.json");
    fs::write(&spec, generate::stress_spec_yaml())
        .unwrap_or_else(|e| panic!("cannot write spec: {e}"));
    let json = serde_json::to_vec(&stress_features()).unwrap_or_else(|e| panic!("json: {e}"));
    fs::write(&features, json).unwrap_or_else(|e| panic!("cannot write features: {e}"));
    (spec, features)
}
