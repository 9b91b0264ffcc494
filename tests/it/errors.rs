//! Bad input: one clear line on stderr naming the file and place, exit 2, never a panic.

use crate::common::{redact, run, testdata};

/// Runs validate-node on a spec given on stdin against a saved snapshot and returns the
/// error line.
fn spec_error(spec: &[u8]) -> String {
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
    let out = run(
        &["validate-node", "--spec", "-", "--features", &snapshot],
        Some(spec),
    );
    assert_eq!(
        out.code, 2,
        "stdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    assert!(
        out.stdout.is_empty(),
        "stdout must carry only a report: {}",
        out.stdout
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {}", out.stderr);
    lines[0].to_owned()
}

#[test]
fn bad_specs_get_one_line_errors() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "error: spec <stdin>: the spec is empty: expected `version` and `compatibilities`"),
        (b"version: [v1\n", "error: spec <stdin>:2:1: not valid YAML"),
        (b"\xff\xfe\x00", "error: spec <stdin>:1:1: the spec is not valid UTF-8"),
        (b"version: v1alpha1\ncompatibilities:\n- rules:\n  - name: x\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: Equals, value: [Intel]}\n", "error: spec <stdin>:8:25: `compatibilities[0].rules[0].matchFeatures[0].matchExpressions.vendor_id.op`: unknown op `Equals`"),
    ];
    for (spec, want) in cases {
        let line = spec_error(spec);
        assert!(line.starts_with(want), "got:  {line}\nwant: {want}");
    }
}

#[test]
fn hostile_specs_are_refused_without_panic_or_hang() {
    // 10,000 expressions in one rule.
    let mut many = String::from(
        "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: big\n    matchFeatures:\n    - feature: cpu.cpuid\n      matchExpressions:\n",
    );
    for i in 0..10_000 {
        many.push_str(&format!("        F{i}: {{op: Exists}}\n"));
    }
    assert!(
        spec_error(many.as_bytes())
            .contains("`compatibilities[0].rules[0]`: the rule has more than 1000 expressions")
    );
    // A 50 KB regex.
    let regex = format!(
        "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: r\n    matchFeatures:\n    - feature: cpu.cpuid\n      matchName: {{op: InRegexp, value: [\"{}\"]}}\n",
        "x".repeat(50_000)
    );
    assert!(
        spec_error(regex.as_bytes())
            .contains("matchName.value[0]`: value 0 is a regex of 50000 bytes; the limit is 4096")
    );
    // Deep nesting.
    let deep = format!(
        "version: v1alpha1\ncompatibilities: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(spec_error(deep.as_bytes()).contains("nesting deeper than 64 levels"));
    // More than 4 MiB on stdin.
    let big = vec![b'#'; 5 << 20];
    assert!(spec_error(&big).contains("spec on stdin is larger than 4194304 bytes"));
}

#[test]
fn a_huge_spec_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let file = std::fs::File::create(&path).unwrap();
    // A sparse 1 GiB file: refused by its size, not read.
    file.set_len(1 << 30).unwrap();
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
    let out = run(
        &[
            "validate-node",
            "--spec",
            path.to_str().unwrap(),
            "--features",
            &snapshot,
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("is 1073741824 bytes; the limit is 4194304"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_snapshots_get_one_line_errors() {
    let spec = testdata("specs/nfd-example.yaml");
    let cases: &[(&[u8], &str)] = &[
        (
            b"{\"flags\": {",
            "error: snapshot <stdin>: not valid JSON: EOF while parsing an object at line 1 column 11",
        ),
        (
            b"[]",
            "error: snapshot <stdin>: expected a Features object, a NodeFeature or a NodeFeatureList, found a list",
        ),
        (
            b"{\"kind\":\"NodeFeature\",\"apiVersion\":\"v1\",\"spec\":{\"features\":{}}}",
            "error: snapshot <stdin>: `apiVersion`: unsupported apiVersion `v1`",
        ),
        (
            b"{\"kind\":\"List\",\"items\":[]}",
            "error: snapshot <stdin> holds no NodeFeature objects",
        ),
    ];
    for (snapshot, want) in cases {
        let out = run(
            &["validate-node", "--spec", &spec, "--features", "-"],
            Some(snapshot),
        );
        assert_eq!(out.code, 2, "{out:?}");
        assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
        assert!(
            out.stderr.starts_with(want),
            "got:  {}\nwant: {want}",
            out.stderr
        );
    }
}

#[test]
fn a_list_is_a_fleet_and_node_picks_one() {
    let spec = testdata("specs/nfd-example.yaml");
    let list = br#"{"kind":"List","items":[
      {"apiVersion":"nfd.k8s-sigs.io/v1alpha1","kind":"NodeFeature","metadata":{"name":"a"},"spec":{"features":{}}},
      {"apiVersion":"nfd.k8s-sigs.io/v1alpha1","kind":"NodeFeature","metadata":{"name":"b"},"spec":{"features":{}}}]}"#;
    let out = run(
        &["validate-node", "--spec", &spec, "--features", "-"],
        Some(list),
    );
    // Without --node, a list of several nodes is a fleet: one row per node.
    assert_eq!(out.code, 1, "{out:?}");
    let rows: Vec<&str> = out
        .stdout
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .collect();
    assert_eq!(rows, ["a", "b"], "{}", out.stdout);
    let out = run(
        &[
            "validate-node",
            "--spec",
            &spec,
            "--features",
            "-",
            "--node",
            "c",
        ],
        Some(list),
    );
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr.trim(),
        "error: snapshot <stdin> has no node `c`; its nodes are: a, b"
    );
}

#[test]
fn missing_files_and_directories_are_named() {
    let out = run(&["validate-node", "--spec", "/nonexistent/spec.yaml"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with(
            "error: cannot open spec `/nonexistent/spec.yaml`: No such file or directory"
        ),
        "{}",
        out.stderr
    );
    let spec = testdata("specs/nfd-example.yaml");
    let out = run(
        &[
            "validate-node",
            "--spec",
            &spec,
            "--host-root",
            "/nonexistent",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert_eq!(
        redact(out.stderr.trim()),
        "error: host root `/nonexistent` is not a directory"
    );
    let out = run(&["validate-node", "--spec", &testdata("specs")], None);
    assert_eq!(out.code, 2);
    assert!(
        redact(&out.stderr).contains("spec `[TESTDATA]/specs` is a directory"),
        "{}",
        out.stderr
    );
}
