//! Reports as data: JSON and YAML fields hold plain values (no Markdown backticks around a
//! path or a node's value); only the human renderers decorate.

use std::fs;

use serde_json::Value;

use crate::common::{run, testdata};

/// A spec whose expressions see a value (`vendor_id`), a flag and an absent element.
const SPEC: &str = "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: cpu\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: In, value: [AMD, Intel]}\n        family: {op: In, value: [\"1\", \"2\"]}\n    - feature: cpu.cpuid\n      matchExpressions:\n        AVX2: {op: Exists}\n        NOPE: {op: Exists}\n";

/// Every `nodeHas` of a report, in order.
fn node_has(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for set in report["sets"].as_array().expect("sets") {
        for rule in set["rules"].as_array().expect("rules") {
            for e in rule["matchFeatures"].as_array().expect("matchFeatures") {
                out.push(e["nodeHas"].as_str().expect("nodeHas").to_owned());
            }
        }
    }
    out
}

#[test]
fn json_and_yaml_reports_hold_plain_values_and_the_table_decorates() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    fs::write(&spec, SPEC).unwrap();
    let spec = spec.to_str().unwrap();
    let snapshot = testdata("snapshots/intel-server.json");
    let args = ["validate-node", "--spec", spec, "--features", &snapshot];
    let json = run(&[&args[..], &["-o", "json"]].concat(), None);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["spec"], spec);
    assert_eq!(report["features"], format!("snapshot {snapshot}"));
    assert_eq!(node_has(&report), ["6", "Intel", "present", "absent"]);
    // YAML is the same model.
    let yaml = run(&[&args[..], &["-o", "yaml"]].concat(), None);
    assert_eq!(yaml.code, 1, "{}", yaml.stderr);
    let from_yaml: Value = yaml_serde::from_str(&yaml.stdout).unwrap();
    assert_eq!(from_yaml["spec"], report["spec"]);
    assert_eq!(node_has(&from_yaml), node_has(&report));
    // No value of the model is wrapped in backticks; prose (hints, errors) may quote names.
    let text = json.stdout.replace("\\\"", "");
    assert!(!text.contains("\"`"), "{}", json.stdout);
    // The table still marks a value apart from words.
    let table = run(&args, None);
    assert!(table.stdout.contains("`Intel`"), "{}", table.stdout);
    // Messages show an expression's values with commas (NFD's own table form has none).
    let github = run(&[&args[..], &["-o", "github"]].concat(), None);
    assert!(
        github
            .stdout
            .contains(r#"cpu.model.family {op: "In", value: ["1", "2"]} FAIL: `6`"#),
        "{}",
        github.stdout
    );
}

#[test]
fn fleet_json_names_inputs_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    fs::write(&spec, SPEC).unwrap();
    let bad = dir.path().join("bad.json");
    fs::write(&bad, "{").unwrap();
    let snapshot = testdata("snapshots/intel-server.json");
    let out = run(
        &[
            "validate-node",
            "--spec",
            spec.to_str().unwrap(),
            "--features",
            &snapshot,
            "--features",
            bad.to_str().unwrap(),
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let nodes = doc["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 2, "{doc}");
    assert_eq!(nodes[0]["spec"], spec.to_str().unwrap());
    assert_eq!(nodes[0]["features"], format!("snapshot {snapshot}"));
    assert_eq!(nodes[1]["features"], format!("snapshot {}", bad.display()));
    // The error message, prose, still quotes the path.
    let error = nodes[1]["errors"][0].as_str().expect("an error");
    assert!(
        error.starts_with(&format!("snapshot `{}`", bad.display())),
        "{error}"
    );
}
