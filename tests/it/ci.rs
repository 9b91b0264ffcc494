//! The CI-gate formats (`-o junit`, `-o github`) always give the gate a document: on a fatal
//! error, for a fleet (a testcase per node, an annotation per node that is not compatible),
//! and without `::warning` lines under `-q`.

use std::fs;
use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::{Output, run, testdata};
use crate::support::registry::{free_port, require};

/// JUnit XML read by an independent parser (Python's ElementTree): the root's counts and each
/// testcase as `{name, failure, error}` (the messages, or null).
fn parse_junit(xml: &str) -> Value {
    let python = require("python3", "apt-get install -y python3");
    let program = r#"
import json, sys, xml.etree.ElementTree as E
root = E.parse(sys.stdin).getroot()
def message(case, tag):
    e = case.find(tag)
    return None if e is None else {"message": e.get("message"), "text": e.text}
print(json.dumps({
    "root": root.tag,
    "tests": root.get("tests"), "failures": root.get("failures"), "errors": root.get("errors"),
    "cases": [{"name": c.get("name"), "failure": message(c, "failure"), "error": message(c, "error")}
              for c in root.iter("testcase")],
}))
"#;
    let mut child = Command::new(python)
        .args(["-c", program])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(xml.as_bytes())
        .expect("write the document");
    let out = child.wait_with_output().expect("wait for python3");
    assert!(
        out.status.success(),
        "not well-formed XML ({}):\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("parser output")
}

/// The workflow commands of `stdout`: `(command, message)` per line, each line checked to be
/// one.
fn workflow_commands(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .map(|line| {
            let rest = line
                .strip_prefix("::")
                .unwrap_or_else(|| panic!("not a workflow command: {line:?}\n{stdout}"));
            let (command, message) = rest
                .split_once("::")
                .unwrap_or_else(|| panic!("no message: {line:?}"));
            let name = command.split(' ').next().unwrap_or_default();
            (name.to_owned(), message.to_owned())
        })
        .collect()
}

/// Checks that a run that failed with `expected` in its message printed it as a JUnit error
/// testcase (`-o junit`) or an `::error` line (`-o github`), besides stderr and exit 2.
fn assert_fatal_documents(args: &[&str], expected: &str) {
    let mut junit_args = args.to_vec();
    junit_args.extend(["-o", "junit"]);
    let out = run(&junit_args, None);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains(expected), "{}", out.stderr);
    let doc = parse_junit(&out.stdout);
    assert_eq!(doc["errors"], "1", "{doc}");
    let cases = doc["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 1, "{doc}");
    let message = cases[0]["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(expected), "{doc}");

    let mut github_args = args.to_vec();
    github_args.extend(["-o", "github"]);
    let out = run(&github_args, None);
    assert_eq!(out.code, 2, "{out:?}");
    let commands = workflow_commands(&out.stdout);
    assert!(
        commands
            .iter()
            .any(|(c, m)| c == "error" && m.contains(expected)),
        "{}",
        out.stdout
    );
}

#[test]
fn a_missing_spec_is_a_junit_error_and_a_github_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.yaml");
    let features = testdata("snapshots/intel-server.json");
    assert_fatal_documents(
        &[
            "validate-node",
            "--spec",
            missing.to_str().unwrap(),
            "--features",
            &features,
        ],
        "cannot open spec",
    );
}

#[test]
fn a_spec_that_does_not_load_is_a_junit_error_and_a_github_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    fs::write(&spec, "version: v1alpha1\ncompatibilities: 7\n").unwrap();
    let features = testdata("snapshots/intel-server.json");
    assert_fatal_documents(
        &[
            "validate-node",
            "--spec",
            spec.to_str().unwrap(),
            "--features",
            &features,
        ],
        "compatibilities",
    );
}

#[test]
fn a_registry_that_is_down_is_a_junit_error_and_a_github_error() {
    // A port on 127.0.0.1 where nothing listens: the registry is down.
    let image = format!("127.0.0.1:{}/app:1.0", free_port());
    let features = testdata("snapshots/intel-server.json");
    assert_fatal_documents(
        &[
            "validate-node",
            "--image",
            &image,
            "--plain-http",
            "--timeout",
            "10",
            "--features",
            &features,
        ],
        "cannot connect",
    );
}

fn node_feature(name: &str, modules: &str) -> String {
    format!(
        r#"{{"apiVersion":"nfd.k8s-sigs.io/v1alpha1","kind":"NodeFeature","metadata":{{"name":"{name}"}},"spec":{{"features":{{"flags":{{"kernel.loadedmodule":{{"elements":{{"{modules}":{{}}}}}}}}}}}}}}"#
    )
}

/// A fleet directory: `good` (has vfio_pci), `bad-1` and `bad-2` (do not), and a file that is
/// not a snapshot; with a spec that wants vfio_pci.
fn fleet_dir() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    fs::write(
        &spec,
        "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: vfio\n    matchFeatures:\n    - feature: kernel.loadedmodule\n      matchExpressions:\n        vfio_pci: {op: Exists}\n",
    )
    .unwrap();
    let nodes = dir.path().join("nodes");
    fs::create_dir(&nodes).unwrap();
    fs::write(nodes.join("a.json"), node_feature("good", "vfio_pci")).unwrap();
    fs::write(nodes.join("b.json"), node_feature("bad-1", "ip_tables")).unwrap();
    fs::write(nodes.join("c.json"), node_feature("bad-2", "nf_nat")).unwrap();
    fs::write(nodes.join("d.json"), "{\"flags\": oops").unwrap();
    let spec = spec.to_string_lossy().into_owned();
    let nodes = nodes.to_string_lossy().into_owned();
    (dir, spec, nodes)
}

fn fleet(spec: &str, nodes: &str, extra: &[&str]) -> Output {
    let mut args = vec!["validate-node", "--spec", spec, "--features", nodes];
    args.extend_from_slice(extra);
    run(&args, None)
}

#[test]
fn a_fleet_in_junit_is_one_testcase_per_node() {
    let (_dir, spec, nodes) = fleet_dir();
    let out = fleet(&spec, &nodes, &["-o", "junit"]);
    assert_eq!(out.code, 2, "a node could not be read: {out:?}");
    let doc = parse_junit(&out.stdout);
    assert_eq!(
        (&doc["tests"], &doc["failures"], &doc["errors"]),
        (&Value::from("4"), &Value::from("2"), &Value::from("1")),
        "{doc}"
    );
    let cases = doc["cases"].as_array().unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["good", "bad-1", "bad-2", "d"], "{doc}");
    assert!(
        cases[0]["failure"].is_null() && cases[0]["error"].is_null(),
        "{doc}"
    );
    for bad in &cases[1..3] {
        let message = bad["failure"]["message"].as_str().unwrap();
        assert_eq!(message, "kernel.loadedmodule vfio_pci missing", "{doc}");
    }
    assert!(
        cases[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("d.json"),
        "{doc}"
    );
}

#[test]
fn a_fleet_on_github_is_one_annotation_per_incompatible_node() {
    let (_dir, spec, nodes) = fleet_dir();
    let out = fleet(&spec, &nodes, &["-o", "github"]);
    assert_eq!(out.code, 2, "{out:?}");
    let commands = workflow_commands(&out.stdout);
    let errors: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(
        errors.len(),
        3,
        "bad-1, bad-2 and the unreadable file:\n{}",
        out.stdout
    );
    assert!(
        errors[0].starts_with(
            "::error title=node `bad-1` is not compatible::kernel.loadedmodule vfio_pci missing"
        ),
        "{}",
        out.stdout
    );
    assert!(
        errors[1].contains("node `bad-2` is not compatible"),
        "{}",
        out.stdout
    );
    assert!(
        errors[2].contains("could not be validated"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("`good`"), "{}", out.stdout);
    let (last, message) = commands.last().unwrap();
    assert_eq!(last, "notice");
    assert_eq!(message, "4 nodes: 1 compatible, 2 incompatible, 1 error");
}

#[test]
fn quiet_silences_github_warnings() {
    // Two readable nodes, one compatible: with --any the run passes and the other node is a
    // warning, which -q leaves out.
    let (_dir, spec, nodes) = fleet_dir();
    fs::remove_file(std::path::Path::new(&nodes).join("d.json")).unwrap();
    let loud = fleet(&spec, &nodes, &["-o", "github", "--any"]);
    assert_eq!(loud.code, 0, "{loud:?}");
    assert_eq!(
        loud.stdout
            .lines()
            .filter(|l| l.starts_with("::warning"))
            .count(),
        2,
        "{}",
        loud.stdout
    );
    let quiet = fleet(&spec, &nodes, &["-o", "github", "--any", "-q"]);
    assert_eq!(quiet.code, 0, "{quiet:?}");
    assert!(!quiet.stdout.contains("::warning"), "{}", quiet.stdout);
    assert!(quiet.stdout.contains("::notice"), "{}", quiet.stdout);

    // One node: rules of sets that failed while another set matched, and the spec's warnings.
    let spec = b"version: v1alpha1\ncompatibilities:\n- rules:\n  - name: vga\n    matchFeatures:\n    - feature: pci.device\n      matchExpressions:\n        class: {op: In, value: [0300]}\n- rules:\n  - name: never\n    matchFeatures:\n    - feature: kernel.loadedmodule\n      matchExpressions:\n        no_such_module: {op: Exists}\n";
    let host = testdata("hosts/intel-server");
    let machine = testdata("machines/intel-icelake-server.txt");
    let args = [
        "validate-node",
        "--spec",
        "-",
        "--host-root",
        &host,
        "--machine",
        &machine,
        "-o",
        "github",
    ];
    let loud = run(&args, Some(spec));
    assert_eq!(loud.code, 0, "{loud:?}");
    let warnings = workflow_commands(&loud.stdout)
        .into_iter()
        .filter(|(c, _)| c == "warning")
        .count();
    assert!(
        warnings >= 2,
        "a failed rule and a spec warning:\n{}",
        loud.stdout
    );
    let mut quiet_args = args.to_vec();
    quiet_args.push("-q");
    let quiet = run(&quiet_args, Some(spec));
    assert_eq!(quiet.code, 0, "{quiet:?}");
    assert!(!quiet.stdout.contains("::warning"), "{}", quiet.stdout);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}

#[test]
fn a_usage_error_is_a_junit_error_and_a_github_error() {
    let features = testdata("snapshots/intel-server.json");
    assert_fatal_documents(
        &["validate-node", "--features", &features],
        "the following required arguments were not provided",
    );
    assert_fatal_documents(
        &["validate-node", "--spec", "x.yaml", "--no-such-flag"],
        "unexpected argument '--no-such-flag' found",
    );
    // Other formats keep stdout empty.
    let out = run(
        &["validate-node", "--features", &features, "-o", "json"],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}
