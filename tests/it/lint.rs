//! `lint`: findings as text and JSON, and the exit status (0 clean or warnings only, 1 errors
//! or warnings with `--strict`, 2 unreadable input).

use crate::common::{redact, run, testdata};

#[test]
fn text_output_lists_every_problem() {
    let spec = testdata("specs/lint-problems.yaml");
    let out = run(&["lint", &spec], None);
    assert_eq!(out.code, 0, "warnings only: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    insta::assert_snapshot!("lint_problems_text", redact(&out.stdout));
}

#[test]
fn json_output_has_file_and_findings() {
    let spec = testdata("specs/lint-problems.yaml");
    let out = run(&["lint", "-o", "json", &spec], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with("}\n]\n"), "{}", out.stdout);
    let json: serde_json::Value = serde_json::from_str(&redact(&out.stdout)).unwrap();
    insta::assert_json_snapshot!("lint_problems_json", json);
}

#[test]
fn exit_status_is_zero_for_warnings_and_one_for_errors() {
    let clean = testdata("specs/gpu-node.yaml");
    let warned = testdata("specs/nfd-example.yaml");
    let broken = testdata("specs/lint-error.yaml");
    let clean_out = run(&["lint", &clean], None);
    assert_eq!(clean_out.code, 0);
    assert_eq!(
        redact(&clean_out.stdout),
        "[TESTDATA]/specs/gpu-node.yaml: 0 errors, 0 warnings\n"
    );
    assert_eq!(run(&["lint", &warned], None).code, 0);
    assert_eq!(run(&["lint", "--strict", &warned], None).code, 1);
    assert_eq!(run(&["lint", "--strict", &clean], None).code, 0);
    let out = run(&["lint", &broken], None);
    assert_eq!(out.code, 1);
    assert_eq!(
        redact(&out.stdout),
        "[TESTDATA]/specs/lint-error.yaml:10:25: error[invalid-spec]: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vendor_id.op`: unknown op `Equals` (expected one of In, NotIn, InRegexp, Exists, DoesNotExist, Gt, Ge, Lt, Le, GtLt, GeLe, IsTrue, IsFalse)\n\
         [TESTDATA]/specs/lint-error.yaml: 1 error, 0 warnings\n"
    );
}

#[test]
fn notes_never_fail_even_with_strict() {
    // No description: a note only.
    let spec = b"version: v1alpha1\ncompatibilities:\n- rules:\n  - name: a\n    matchFeatures:\n    - feature: cpu.model\n";
    let out = run(&["lint", "--strict", "-"], Some(spec));
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        out.stdout,
        "<stdin>:3:3: note[no-description]: `compatibilities[0]`: the set has no `description`; add one saying what it requires (reports show it)\n<stdin>: 0 errors, 0 warnings, 1 note\n"
    );
}

#[test]
fn several_files_are_all_linted_and_the_worst_status_wins() {
    let clean = testdata("specs/gpu-node.yaml");
    let warned = testdata("specs/nfd-example.yaml");
    let broken = testdata("specs/lint-error.yaml");
    let out = run(&["lint", &broken, &clean, &warned], None);
    assert_eq!(out.code, 1);
    let summaries: Vec<String> = out
        .stdout
        .lines()
        .filter(|l| l.contains(" errors, ") || l.contains(" error, "))
        .map(redact)
        .collect();
    assert_eq!(
        summaries,
        [
            "[TESTDATA]/specs/lint-error.yaml: 1 error, 0 warnings",
            "[TESTDATA]/specs/gpu-node.yaml: 0 errors, 0 warnings",
            "[TESTDATA]/specs/nfd-example.yaml: 0 errors, 1 warning",
        ]
    );
    let out = run(&["lint", "-o", "json", &clean, &warned], None);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let counts: Vec<usize> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["findings"].as_array().unwrap().len())
        .collect();
    assert_eq!(counts, [0, 1]);
    assert_eq!(out.code, 0);
}

#[test]
fn an_unreadable_file_is_exit_two_and_the_others_are_still_linted() {
    let warned = testdata("specs/nfd-example.yaml");
    let missing = testdata("specs/no-such-spec.yaml");
    let out = run(&["lint", &missing, &warned], None);
    assert_eq!(out.code, 2);
    assert_eq!(
        redact(&out.stderr),
        "error: cannot open spec `[TESTDATA]/specs/no-such-spec.yaml`: No such file or directory (os error 2)\n"
    );
    assert!(
        out.stdout
            .ends_with("specs/nfd-example.yaml: 0 errors, 1 warning\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn stdin_is_read_for_dash() {
    let spec = std::fs::read(testdata("specs/nfd-example.yaml")).unwrap();
    let out = run(&["lint", "-o", "json", "-"], Some(&spec));
    assert_eq!(out.code, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json[0]["file"], "<stdin>");
    assert_eq!(json[0]["findings"][0]["code"], "module-dash");
    assert_eq!(json[0]["findings"][0]["line"], 9);
    assert_eq!(json[0]["findings"][0]["column"], 19);
    assert_eq!(
        json[0]["findings"][0]["path"],
        "compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vfio-pci"
    );
}

#[test]
fn no_file_is_a_usage_error() {
    let out = run(&["lint"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("SPEC_FILE"), "{}", out.stderr);
}

#[test]
fn every_load_error_is_reported_with_the_warnings() {
    // Three mistakes (a word for a weight, an unknown op, a misspelt field) and a value NFD
    // reads differently, in three rules.
    let spec = b"version: v1alpha1\ncompatibilities:\n- description: three mistakes\n  weight: heavy\n  rules:\n  - name: cpu\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: Equals, value: [Intel]}\n  - name: kernel\n    matchFeatures:\n    - feature: kernel.loadedmodule\n      matchExpresions:\n        vfio_pci: {op: Exists}\n  - name: pci\n    matchFeatures:\n    - feature: pci.device\n      matchExpressions:\n        class: {op: In, value: [0300]}\n";
    let out = run(&["lint", "-"], Some(spec));
    assert_eq!(out.code, 1, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", out.stdout);
    assert!(
        lines[0].starts_with("<stdin>:4:11: error[invalid-spec]: `compatibilities[0].weight`: expected an integer, found `heavy`"),
        "{}",
        out.stdout
    );
    assert!(
        lines[1].starts_with("<stdin>:10:25: error[invalid-spec]: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vendor_id.op`: unknown op `Equals`"),
        "{}",
        out.stdout
    );
    assert!(
        lines[2].starts_with("<stdin>:14:7: error[invalid-spec]: `compatibilities[0].rules[1].matchFeatures[0]`: unknown field `matchExpresions`"),
        "{}",
        out.stdout
    );
    assert!(
        lines[3].starts_with("<stdin>:20:33: warning[yaml11]: ") && lines[3].contains("`0300`"),
        "{}",
        out.stdout
    );
    assert_eq!(lines[4], "<stdin>: 3 errors, 1 warning");

    let json = run(&["lint", "-o", "json", "-"], Some(spec));
    assert_eq!(json.code, 1);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let severities: Vec<&str> = value[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["error", "error", "error", "warning"]);
}

#[test]
fn the_bundled_example_compares_the_kernel_version_whole() {
    // The example used to bound `major` and `minor` separately, which turns 5.4 away.
    let split = b"version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: kernel\n    matchFeatures:\n    - feature: kernel.version\n      matchExpressions:\n        major: {op: Ge, value: [\"4\"]}\n        minor: {op: Ge, value: [\"18\"]}\n";
    let out = run(&["lint", "-"], Some(split));
    assert_eq!(out.code, 0, "a warning: {out:?}");
    assert!(
        out.stdout.starts_with("<stdin>:10:16: warning[split-version]: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.minor`: `major` and `minor` are bounded separately, so a newer version with a smaller minor number fails: 5.4 against 4.18; compare the whole version: `full: {op: Ge, value: [\"X.Y\"], type: version}`"),
        "{}",
        out.stdout
    );
    assert_eq!(run(&["lint", "--strict", "-"], Some(split)).code, 1);

    let example = testdata("specs/gpu-node.yaml");
    let out = run(&["lint", "--strict", &example], None);
    assert_eq!(out.code, 0, "{}", out.stdout);

    // On a 5.4 kernel the GPU set matches (it failed on `minor Ge 18` before); on 4.17 it
    // does not; on RHEL's 4.18 (not readable as a version by NFD) it does.
    let base: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(testdata("snapshots/intel-server.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (full, major, minor, want) in [
        ("5.4.0-150-generic", "5", "4", 0),
        ("4.17.0", "4", "17", 1),
        ("4.18.0-513.5.1.el8_9.x86_64", "4", "18", 0),
    ] {
        let mut features = base.clone();
        features["attributes"]["kernel.version"]["elements"] = serde_json::json!({
            "full": full, "major": major, "minor": minor, "revision": "0"
        });
        let path = dir.path().join(format!("{full}.json"));
        std::fs::write(&path, features.to_string()).unwrap();
        let out = run(
            &[
                "validate-node",
                "--spec",
                &example,
                "--features",
                path.to_str().unwrap(),
                "--tags",
                "gpu",
            ],
            None,
        );
        assert_eq!(out.code, want, "kernel {full}: {}", out.stdout);
    }
}
