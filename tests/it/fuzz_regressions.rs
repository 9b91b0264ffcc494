//! Every input the fuzzers found failing (`fuzz/regressions/<target>/`, kept with a name that
//! says what broke) and every seed (`fuzz/seeds/<target>/`) goes through its fuzz target's body
//! again (`nfd_compat::fuzzing`, what `scripts/fuzz.sh` runs): a finding stays fixed.

use std::path::{Path, PathBuf};

use nfd_compat::fuzzing::{TARGETS, run};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Replays each file under `fuzz/<kind>/<target>/`; returns how many there were.
fn replay(kind: &str) -> usize {
    let bytes = std::fs::read(crate::common::testdata("nfd-fake/features.json")).unwrap();
    let node = nfd_compat::snapshot::parse(&bytes)
        .unwrap()
        .remove(0)
        .features;
    let mut count = 0;
    for target in std::fs::read_dir(fuzz_dir().join(kind)).unwrap() {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            TARGETS.contains(&name.as_str()),
            "fuzz/{kind}/{name}: no fuzz target of that name"
        );
        for input in std::fs::read_dir(&target).unwrap() {
            let input = input.unwrap().path();
            let data = std::fs::read(&input).unwrap();
            let result = std::panic::catch_unwind(|| run(&name, &data, &node));
            assert!(result.is_ok(), "{} fails again", input.display());
            count += 1;
        }
    }
    count
}

#[test]
fn fuzz_findings_stay_fixed() {
    assert!(replay("regressions") >= 1);
}

#[test]
fn fuzz_seeds_pass_their_targets() {
    assert!(replay("seeds") >= TARGETS.len());
}
