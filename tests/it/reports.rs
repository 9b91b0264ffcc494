//! Reports of real validations: NFD's JSON shape exactly, the rich JSON and the table, on
//! fixture hosts and snapshots, with the exit status as the verdict.

use crate::common::{redact, run, testdata};

fn intel(spec: &str, extra: &[&str]) -> crate::common::Output {
    let spec = testdata(spec);
    let host = testdata("hosts/intel-server");
    let machine = testdata("machines/intel-icelake-server.txt");
    let mut args = vec![
        "validate-node",
        "--spec",
        &spec,
        "--host-root",
        &host,
        "--machine",
        &machine,
    ];
    args.extend_from_slice(extra);
    run(&args, None)
}

#[test]
fn nfd_json_shape_matches_nfd_byte_for_byte() {
    // NFD's own node-validator case "fake_7", with its published output (plus the newline).
    let out = run(
        &[
            "validate-node",
            "--spec",
            &testdata("nfd-fake/fake_7.yaml"),
            "--features",
            &testdata("nfd-fake/features.json"),
            "--output-json",
        ],
        None,
    );
    let want = std::fs::read_to_string(testdata("nfd-fake/fake_7.expected.json")).unwrap();
    assert_eq!(out.stdout, want);
    assert_eq!(out.code, 1, "incompatible: {}", out.stderr);
}

#[test]
fn compatible_node_table() {
    let out = intel("specs/gpu-node.yaml", &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!("gpu_node_intel_table", out.stdout);
}

#[test]
fn compatible_node_nfd_json() {
    let out = intel("specs/gpu-node.yaml", &["--output-json"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.ends_with("]\n"));
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    insta::assert_json_snapshot!("gpu_node_intel_nfd_json", value);
}

#[test]
fn compatible_node_rich_json() {
    let out = intel("specs/gpu-node.yaml", &["-o", "json"]);
    assert_eq!(out.code, 0);
    let value: serde_json::Value = serde_json::from_str(&redact(&out.stdout)).unwrap();
    assert_eq!(value["verdict"], "compatible");
    assert_eq!(value["bestSet"]["tag"], "gpu");
    insta::assert_json_snapshot!("gpu_node_intel_rich_json", value);
}

#[test]
fn yaml_report_is_the_same_model() {
    let json: serde_json::Value =
        serde_json::from_str(&intel("specs/gpu-node.yaml", &["-o", "json"]).stdout).unwrap();
    let yaml: serde_json::Value =
        yaml_serde::from_str(&intel("specs/gpu-node.yaml", &["-o", "yaml"]).stdout).unwrap();
    assert_eq!(json, yaml);
}

#[test]
fn incompatible_node_explains_failures() {
    let out = intel("specs/nfd-example.yaml", &[]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("nfd_example_intel_table", out.stdout);
    assert!(out.stdout.contains(
        "hint: kernel.loadedmodule.vfio-pci: the kernel lists module names with underscores: `vfio_pci` is there; write `vfio_pci`"
    ));
}

#[test]
fn amd_host_falls_back_to_the_cpu_set() {
    let out = run(
        &[
            "validate-node",
            "--spec",
            &testdata("specs/gpu-node.yaml"),
            "--host-root",
            &testdata("hosts/amd-host"),
            "--machine",
            &testdata("machines/amd-epyc-milan.txt"),
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["bestSet"]["tag"], "cpu");
    assert_eq!(value["sets"][0]["isMatch"], false);
    assert_eq!(value["sets"][1]["isMatch"], true);
}

#[test]
fn tags_select_sets_and_unknown_tags_are_errors() {
    let out = intel("specs/gpu-node.yaml", &["--tags", "cpu", "--output-json"]);
    assert_eq!(out.code, 0);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 1);
    assert_eq!(value[0]["tag"], "cpu");
    let out = intel("specs/gpu-node.yaml", &["--tags", "tpu,fpga"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    assert_eq!(
        redact(out.stderr.trim()),
        "error: no compatibility set of `[TESTDATA]/specs/gpu-node.yaml` has a tag in tpu, fpga; its tags are: gpu, cpu"
    );
}

#[test]
fn a_container_without_sys_still_gets_a_report_with_warnings() {
    let out = run(
        &[
            "validate-node",
            "--spec",
            &testdata("specs/gpu-node.yaml"),
            "--host-root",
            &testdata("hosts/minimal-container"),
            "--machine",
            &testdata("machines/kvm-guest.txt"),
        ],
        None,
    );
    // No GPU, no PCI at all: only the CPU-only fallback set can match.
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Verdict: COMPATIBLE — set #2 (tag cpu)"),
        "{}",
        out.stdout
    );
    let warnings: Vec<&str> = out.stderr.lines().collect();
    assert!(
        warnings
            .iter()
            .all(|w| w.starts_with("warning: discovery (")),
        "{}",
        out.stderr
    );
    assert!(warnings.iter().any(|w| w.contains("pci")), "{}", out.stderr);
    let quiet = run(
        &[
            "validate-node",
            "--spec",
            &testdata("specs/gpu-node.yaml"),
            "--host-root",
            &testdata("hosts/minimal-container"),
            "--machine",
            &testdata("machines/kvm-guest.txt"),
            "--quiet",
        ],
        None,
    );
    assert_eq!(quiet.stderr, "");
}

#[test]
fn an_expression_that_cannot_be_evaluated_is_reported_and_exits_2() {
    // `Gt` on the PCI class `0b40`-style values and on a non-numeric attribute.
    let spec = br#"version: v1alpha1
compatibilities:
- rules:
  - name: numeric vendor
    matchFeatures:
    - feature: system.osrelease
      matchExpressions:
        ID: {op: Gt, value: ["5"]}
  - name: still evaluated
    matchFeatures:
    - feature: kernel.loadedmodule
      matchExpressions:
        nvidia: {op: Exists}
"#;
    let host = testdata("hosts/intel-server");
    let machine = testdata("machines/intel-icelake-server.txt");
    let out = run(
        &[
            "validate-node",
            "--spec",
            "-",
            "--host-root",
            &host,
            "--machine",
            &machine,
            "-o",
            "json",
        ],
        Some(spec),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["verdict"], "error");
    let rules = &value["sets"][0]["rules"];
    assert_eq!(rules[0]["matchFeatures"][0]["status"], "ERROR");
    assert!(
        rules[0]["matchFeatures"][0]["error"]
            .as_str()
            .unwrap()
            .contains("rhel")
    );
    assert_eq!(rules[1]["isMatch"], true);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = intel("specs/gpu-node.yaml", &[]);
    assert!(!plain.stdout.contains('\x1b'));
    let coloured = intel("specs/gpu-node.yaml", &["--color", "always"]);
    assert!(coloured.stdout.contains("\x1b[32m"), "{}", coloured.stdout);
}

#[test]
fn export_features_warnings_obey_quiet() {
    // A container's tree: no cpufreq, no resctrl, so discovery warns.
    let (host, machine) = (
        testdata("hosts/minimal-container"),
        testdata("machines/intel-icelake-server.txt"),
    );
    let mut args = vec![
        "export",
        "features",
        "--host-root",
        &host,
        "--machine",
        &machine,
    ];
    let out = run(&args, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning: discovery (cpu)"),
        "{}",
        out.stderr
    );
    args.push("--quiet");
    let out = run(&args, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "", "--quiet prints no warnings");
    assert!(out.stdout.starts_with('{'), "{}", out.stdout);
}

#[test]
fn export_features_prints_nfd_shape() {
    let out = run(
        &[
            "export",
            "features",
            "--host-root",
            &testdata("hosts/arm64-host"),
            "--machine",
            &testdata("machines/arm64-neoverse-n1.txt"),
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("{\n    \"flags\": {\n"),
        "4-space indent as NFD"
    );
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    insta::assert_json_snapshot!("export_arm64_host", value);
    // The output is itself a snapshot that validate-node reads back.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("features.json");
    let written = run(
        &[
            "export",
            "features",
            "--host-root",
            &testdata("hosts/arm64-host"),
            "--machine",
            &testdata("machines/arm64-neoverse-n1.txt"),
            "--path",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(written.code, 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), out.stdout);
    let validated = run(
        &[
            "validate-node",
            "--spec",
            &testdata("specs/gpu-node.yaml"),
            "--features",
            path.to_str().unwrap(),
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(
        validated.code, 1,
        "arm64 has no x86-64 levels: {}",
        validated.stderr
    );
}

#[test]
fn junit_report_for_ci() {
    let out = intel("specs/nfd-example.yaml", &["-o", "junit"]);
    assert_eq!(out.code, 1, "the exit status is still the verdict");
    insta::assert_snapshot!("nfd_example_junit", out.stdout);
    // Well-formed XML with one testcase per rule, read by an independent parser.
    let python = crate::support::registry::require("python3", "apt-get install -y python3");
    let mut child = std::process::Command::new(python)
        .args(["-c", "import sys, xml.etree.ElementTree as E; r = E.parse(sys.stdin).getroot(); print(len(r.findall('.//testcase')), len(r.findall('.//failure')), r.get('tests'), r.get('failures'))"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), out.stdout.as_bytes()).unwrap();
    let parsed = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&parsed.stdout).trim(), "2 2 2 2");
    let ok = intel("specs/gpu-node.yaml", &["-o", "junit"]);
    assert_eq!(ok.code, 0);
    assert!(
        !ok.stdout.contains("<failure")
            && ok.stdout.contains(r#"tests="5" failures="0" errors="0""#),
        "{}",
        ok.stdout
    );
}

#[test]
fn github_annotations_point_at_the_failing_rules() {
    let out = intel("specs/nfd-example.yaml", &["-o", "github"]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!("nfd_example_github", redact(&out.stdout));
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("::error file=") && lines[0].contains(",line=5,title="),
        "{}",
        lines[0]
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("::notice title=nfd-compat verdict::test-node is not compatible")
    );
    // A node made compatible by another set gets warnings, not errors.
    let out = intel("specs/gpu-node.yaml", &["-o", "github"]);
    assert_eq!(out.code, 0);
    assert!(!out.stdout.contains("::error"), "{}", out.stdout);
}

#[test]
fn values_nfd_reads_differently_get_a_hint() {
    let spec = b"version: v1alpha1\ncompatibilities:\n- rules:\n  - name: vga\n    matchFeatures:\n    - feature: pci.device\n      matchExpressions:\n        class: {op: In, value: [0300]}\n";
    let host = testdata("hosts/intel-server");
    let machine = testdata("machines/intel-icelake-server.txt");
    let out = run(
        &[
            "validate-node",
            "--spec",
            "-",
            "--host-root",
            &host,
            "--machine",
            &machine,
        ],
        Some(spec),
    );
    assert_eq!(
        out.code, 0,
        "YAML 1.2: the string 0300 matches the VGA device"
    );
    assert!(
        out.stdout
            .contains("hint: pci.device.class: NFD (YAML 1.1) reads unquoted `0300` as `192`"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("NFD (YAML 1.1) reads unquoted `0300` as `192`; nfd-compat reads `0300`"),
        "{}",
        out.stderr
    );
}
