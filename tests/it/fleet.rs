//! Fleet validation (many nodes from snapshots).

use std::fs;
use std::path::Path;

use nfd_compat::features::Features;
use nfd_compat::snapshot;
use serde_json::Value;

use crate::common::{Output, run, testdata};
use crate::support::generate;

const API: &str = "nfd.k8s-sigs.io/v1alpha1";

/// A generated fleet of `n` nodes as JSON bytes.
fn fleet(n: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    generate::write_fleet(&mut out, n, seed).unwrap();
    out
}

/// A temp dir holding the generated 12-rule spec as `spec.yaml`.
fn spec_dir() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    fs::write(&spec, generate::spec_yaml(12)).unwrap();
    let spec = spec.to_string_lossy().into_owned();
    (dir, spec)
}

fn node_feature(name: &str, features: &str) -> String {
    format!(
        r#"{{"apiVersion":"{API}","kind":"NodeFeature","metadata":{{"name":"{name}"}},"spec":{{"features":{features}}}}}"#
    )
}

fn list(items: &[String]) -> String {
    format!(
        r#"{{"apiVersion":"v1","items":[{}],"kind":"List"}}"#,
        items.join(",")
    )
}

/// A spec with one rule: the node has `vfio_pci` loaded.
const VFIO_SPEC: &str = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: vfio\n    matchFeatures:\n    - feature: kernel.loadedmodule\n      matchExpressions:\n        vfio_pci: {op: Exists}\n";

fn with_vfio(name: &str) -> String {
    node_feature(
        name,
        r#"{"flags":{"kernel.loadedmodule":{"elements":{"vfio_pci":{}}}}}"#,
    )
}

fn without_vfio(name: &str) -> String {
    node_feature(
        name,
        r#"{"flags":{"kernel.loadedmodule":{"elements":{"ip_tables":{}}}}}"#,
    )
}

/// Runs validate-node on `VFIO_SPEC` with the given extra args and stdin.
fn vfio(extra: &[&str], stdin: Option<&[u8]>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    fs::write(&spec, VFIO_SPEC).unwrap();
    let mut args = vec!["validate-node", "--spec", spec.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args, stdin)
}

/// The node names of the table's rows.
fn rows(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
        .collect()
}

fn redact_dir(s: &str, dir: &Path) -> String {
    s.replace(&dir.to_string_lossy().into_owned(), "[DIR]")
}

#[test]
fn a_list_on_stdin_gets_one_row_per_node_and_causes_grouped() {
    let (_dir, spec) = spec_dir();
    let out = run(
        &["validate-node", "--spec", &spec, "--features", "-"],
        Some(&fleet(8, 3)),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    insta::assert_snapshot!("fleet_table", out.stdout);
}

#[test]
fn json_output_is_one_document_of_per_node_reports_and_a_summary() {
    let (_dir, spec) = spec_dir();
    let out = run(
        &[
            "validate-node",
            "--spec",
            &spec,
            "--features",
            "-",
            "-o",
            "json",
        ],
        Some(&fleet(8, 3)),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let nodes = doc["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 8);
    // Each entry is the rich single-node report, in input order.
    for (i, n) in nodes.iter().enumerate() {
        assert_eq!(n["node"], format!("node-{i:05}"));
        assert!(n["sets"].as_array().is_some_and(|s| s.len() == 3), "{n}");
    }
    let compatible = nodes
        .iter()
        .filter(|n| n["verdict"] == "compatible")
        .count();
    assert_eq!(doc["summary"]["nodes"], 8);
    assert_eq!(doc["summary"]["compatible"], compatible);
    // One report per line, so that `grep node-00003` finds a node's report.
    assert_eq!(out.stdout.lines().count(), 8 + 3);
    // The table of the same fleet agrees node by node.
    let table = run(
        &["validate-node", "--spec", &spec, "--features", "-"],
        Some(&fleet(8, 3)),
    );
    for (line, n) in table.stdout.lines().skip(1).zip(nodes) {
        let verdict = line.split_whitespace().nth(1).unwrap();
        assert_eq!(verdict, n["verdict"], "{line}");
    }
}

#[test]
fn a_directory_and_repeated_features_are_fleets_named_from_the_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes");
    fs::create_dir(&nodes).unwrap();
    // A bare Features object is named after its file; NodeFeatures by metadata.name.
    fs::copy(
        testdata("snapshots/intel-server.json"),
        nodes.join("rack1-host7.json"),
    )
    .unwrap();
    fs::copy(
        testdata("snapshots/example-nodefeature.yaml"),
        nodes.join("example.yaml"),
    )
    .unwrap();
    fs::write(
        nodes.join("pair.json"),
        list(&[with_vfio("gpu-1"), without_vfio("gpu-2")]),
    )
    .unwrap();
    fs::write(nodes.join(".hidden.json"), "not read").unwrap();
    let out = vfio(&["--features", nodes.to_str().unwrap()], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        rows(&out.stdout),
        ["example-node", "gpu-1", "gpu-2", "rack1-host7"]
    );
    let one = dir.path().join("one.json");
    fs::write(&one, with_vfio("single")).unwrap();
    let out = vfio(
        &[
            "--features",
            one.to_str().unwrap(),
            "--features",
            nodes.join("pair.json").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(rows(&out.stdout), ["single", "gpu-1", "gpu-2"]);
    assert!(
        out.stdout
            .contains("3 nodes: 2 compatible, 1 incompatible, 0 errors"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  1 node: kernel.loadedmodule vfio_pci missing"),
        "{}",
        out.stdout
    );
}

#[test]
fn exit_status_is_all_compatible_or_with_any_at_least_one() {
    let all = list(&[with_vfio("a"), with_vfio("b")]);
    let some = list(&[with_vfio("a"), without_vfio("b")]);
    let none = list(&[without_vfio("a"), without_vfio("b")]);
    let cases: [(&str, &[&str], i32); 6] = [
        (&all, &[], 0),
        (&some, &[], 1),
        (&none, &[], 1),
        (&all, &["--any"], 0),
        (&some, &["--any"], 0),
        (&none, &["--any"], 1),
    ];
    for (input, extra, want) in cases {
        let mut args = vec!["--features", "-"];
        args.extend_from_slice(extra);
        let out = vfio(&args, Some(input.as_bytes()));
        assert_eq!(out.code, want, "{extra:?} {input}\n{}", out.stdout);
    }
}

#[test]
fn nfd_json_and_yaml_are_refused_for_several_nodes() {
    let two = list(&[with_vfio("a"), with_vfio("b")]);
    for flag in [&["--output-json"][..], &["-o", "yaml"]] {
        let mut args = vec!["--features", "-"];
        args.extend_from_slice(flag);
        let out = vfio(&args, Some(two.as_bytes()));
        assert_eq!(out.code, 2, "{out:?}");
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
        assert!(out.stderr.contains("several"), "{}", out.stderr);
    }
    // One node keeps NFD's shape.
    let one = list(&[with_vfio("a")]);
    let out = vfio(&["--features", "-", "--output-json"], Some(one.as_bytes()));
    assert_eq!(out.code, 0, "{out:?}");
    let value: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(value.is_array(), "{value}");
}

#[test]
fn a_refusal_found_after_the_first_nodes_of_a_large_list_ends_the_run() {
    // Over 1 MiB, so nodes are validated on several threads and results queue up while the
    // refusal (known only at the second node) stops the run; it used to wait forever.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.json");
    fs::write(&file, fleet(60, 3)).unwrap();
    let (_spec_dir, spec) = spec_dir();
    for extra in [&["--output-json"][..], &["--tags", "no-such-tag"]] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_nfd-compat"));
        cmd.args(["validate-node", "--spec", &spec, "--features"])
            .arg(&file)
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("{extra:?}: still running after 60 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(2), "{extra:?}");
    }
}

#[test]
fn a_one_item_list_gets_exactly_the_single_node_report() {
    let spec = testdata("specs/gpu-node.yaml");
    let features: Value =
        serde_json::from_str(&fs::read_to_string(testdata("snapshots/intel-server.json")).unwrap())
            .unwrap();
    let item = node_feature("intel-1", &features.to_string());
    let input = list(&[item]);
    for format in ["table", "json"] {
        let via_list = run(
            &[
                "validate-node",
                "--spec",
                &spec,
                "--features",
                "-",
                "-o",
                format,
            ],
            Some(input.as_bytes()),
        );
        let picked = run(
            &[
                "validate-node",
                "--spec",
                &spec,
                "--features",
                "-",
                "--node",
                "intel-1",
                "-o",
                format,
            ],
            Some(input.as_bytes()),
        );
        assert_eq!(via_list.code, picked.code);
        assert_eq!(via_list.stdout, picked.stdout);
        assert!(via_list.stdout.contains("intel-1"), "{}", via_list.stdout);
    }
}

#[test]
fn bad_inputs_are_per_node_errors_and_the_rest_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("nodes");
    fs::create_dir(&nodes).unwrap();
    fs::write(nodes.join("a-good.json"), with_vfio("good")).unwrap();
    fs::write(nodes.join("b-not-json.json"), "{\"flags\": oops").unwrap();
    fs::write(nodes.join("c-yaml-garbage.yaml"), "- [unclosed").unwrap();
    fs::write(
        nodes.join("d-other-api.json"),
        list(&[
            with_vfio("before"),
            with_vfio("other").replace(API, "nfd.k8s-sigs.io/v1beta9"),
            without_vfio("after"),
        ]),
    )
    .unwrap();
    fs::write(nodes.join("e-dup.json"), with_vfio("good")).unwrap();
    let truncated = list(&[with_vfio("t1"), with_vfio("t2"), with_vfio("t3")]);
    let cut = &truncated[..truncated.len() - 40];
    fs::write(nodes.join("f-truncated.json"), cut).unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let out = vfio(
        &[
            "--features",
            nodes.to_str().unwrap(),
            "--features",
            empty.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.code, 2, "{out:?}");
    insta::assert_snapshot!("fleet_bad_inputs", redact_dir(&out.stdout, dir.path()));
}

#[test]
fn a_truncated_list_on_stdin_reports_the_nodes_before_the_fault() {
    let all = list(&[with_vfio("t1"), without_vfio("t2"), with_vfio("t3")]);
    let cut = &all[..all.len() - 30];
    let out = vfio(&["--features", "-"], Some(cut.as_bytes()));
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(rows(&out.stdout), ["t1", "t2", "<stdin>[2..]"]);
    assert!(
        out.stdout.contains(
            "<stdin>[2..]: snapshot <stdin>: the input ends inside `items[2]`: truncated after 2 complete items"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn a_thousand_generated_nodes_end_to_end() {
    let (_dir, spec) = spec_dir();
    let out = run(
        &["validate-node", "--spec", &spec, "--features", "-"],
        Some(&fleet(1000, 11)),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let names = rows(&out.stdout);
    assert_eq!(names.len(), 1000);
    assert_eq!(names[999], "node-00999");
    let summary = out
        .stdout
        .lines()
        .find(|l| l.starts_with("1000 nodes: "))
        .unwrap();
    assert!(summary.ends_with(", 0 errors"), "{summary}");
}

#[test]
fn rows_read_only_what_rules_need_and_agree_with_full_reports() {
    let (dir, spec) = spec_dir();
    let input = fleet(150, 5);
    let out = run(
        &["validate-node", "--spec", &spec, "--features", "-"],
        Some(&input),
    );
    // From a file: the harness writes all of stdin before reading stdout, and `-o json`
    // streams its output while it reads.
    let file = dir.path().join("fleet.json");
    fs::write(&file, &input).unwrap();
    let json = run(
        &[
            "validate-node",
            "--spec",
            &spec,
            "--features",
            file.to_str().unwrap(),
            "-o",
            "json",
        ],
        None,
    );
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let verdicts: Vec<&str> = out
        .stdout
        .lines()
        .skip(1)
        .take(150)
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    let nodes = doc["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 150);
    for (n, v) in nodes.iter().zip(&verdicts) {
        assert_eq!(n["verdict"], *v, "{}", n["node"]);
    }
    let s = &doc["summary"];
    assert!(s["compatible"].as_u64().unwrap() > 20, "{s}");
    assert!(s["incompatible"].as_u64().unwrap() > 20, "{s}");
}

#[test]
fn generated_fleets_are_deterministic_and_realistic() {
    let (a, b) = (fleet(5, 7), fleet(5, 7));
    assert_eq!(a, b);
    let nodes = snapshot::parse(&a).unwrap();
    assert_eq!(nodes.len(), 5);
    assert_eq!(nodes[3].name.as_deref(), Some("node-00003"));
    for n in &nodes {
        let pci = n.features.instances["pci.device"]
            .elements
            .as_ref()
            .unwrap()
            .len();
        assert!((100..=300).contains(&pci), "{pci} PCI devices");
        let cpuid = n.features.flags["cpu.cpuid"]
            .elements
            .as_ref()
            .unwrap()
            .len();
        assert!((150..=250).contains(&cpuid), "{cpuid} cpuid flags");
    }
    let per_node = a.len() / 5;
    assert!(
        (20_000..80_000).contains(&per_node),
        "{per_node} bytes per node"
    );
}

/// The number of rules in a spec.
fn rule_count(yaml: &str) -> usize {
    let loaded = nfd_compat::spec::load(yaml.as_bytes()).unwrap();
    loaded
        .spec
        .compatibilities
        .iter()
        .map(|c| c.rules.as_ref().map_or(0, Vec::len))
        .sum()
}

#[test]
fn the_generated_spec_loads_with_the_asked_number_of_rules() {
    assert_eq!(rule_count(&generate::spec_yaml(50)), 50);
}

#[test]
fn the_stress_input_has_its_announced_size() {
    assert_eq!(
        rule_count(&generate::stress_spec_yaml()),
        generate::STRESS_RULES
    );
    assert_eq!(generate::stress_spec_yaml(), generate::stress_spec_yaml());
    let features: Features = serde_json::from_value(generate::stress_features()).unwrap();
    assert_eq!(
        features.instances["pci.device"]
            .elements
            .as_ref()
            .map(Vec::len),
        Some(generate::STRESS_PCI_INSTANCES)
    );
    assert_eq!(
        features.flags["cpu.cpuid"]
            .elements
            .as_ref()
            .map(std::collections::BTreeSet::len),
        Some(generate::STRESS_CPUID_FLAGS)
    );
    assert_eq!(generate::stress_features(), generate::stress_features());
}
