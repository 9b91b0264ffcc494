//! Discovery benchmark: full discovery of a fixture host tree, against the time to just read
//! the same files (the baseline, measured in the same run).
//!
//! Run with `cargo bench --bench discovery`.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use common::{median, testdata};

use nfd_compat::sources::{self, Context, HostRoot, Machine};

const ROUNDS: usize = 300;

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        // Follow directory links only inside the tree's own /sys/devices (as sysfs does), so
        // that `/sys/bus/*/devices/*` links are not read twice.
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        if meta.is_dir() && !is_link {
            files_under(&path, out);
        } else if meta.is_file() {
            out.push(path);
        }
    }
}

fn main() {
    let root_dir = PathBuf::from(testdata("hosts/intel-server"));
    let machine_file = testdata("machines/intel-icelake-server.txt");
    let machine = Machine::load(&machine_file).expect("machine capture");
    let ctx = Context {
        root: HostRoot::new(&root_dir),
        machine,
        node_name: Some("bench".into()),
        now: SystemTime::now(),
        wanted: sources::Wanted::All,
    };
    let mut files = Vec::new();
    files_under(&root_dir, &mut files);

    let mut discover = Vec::with_capacity(ROUNDS);
    let mut read = Vec::with_capacity(ROUNDS);
    let mut bytes = 0usize;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let found = sources::discover_all(&ctx);
        discover.push(t.elapsed());
        std::hint::black_box(found);
        let t = Instant::now();
        bytes = 0;
        for f in &files {
            bytes += fs::read(f).map_or(0, |b| b.len());
        }
        read.push(t.elapsed());
    }
    let (d, r) = (median(discover), median(read));
    println!(
        "discovery of testdata/hosts/intel-server ({} files, {bytes} bytes)",
        files.len()
    );
    println!(
        "  full discovery      {:>9.3} ms (median of {ROUNDS})",
        d.as_secs_f64() * 1e3
    );
    println!(
        "  read the same files {:>9.3} ms (baseline)",
        r.as_secs_f64() * 1e3
    );
    println!(
        "  ratio               {:>9.2}x (goal: <= 2x, and under 10 ms)",
        d.as_secs_f64() / r.as_secs_f64()
    );
}
