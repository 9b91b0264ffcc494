//! "Cannot tell" is not "incompatible": a rule that fails only because its feature's source
//! could not be read makes the verdict `error` (exit 2) naming the source and the path, unless
//! another set decides the verdict for certain (README, "Cannot tell").

use crate::common::{run, testdata};

/// A container without `/proc/modules` nor `/sys/bus/pci`.
fn container() -> String {
    testdata("hosts/minimal-container")
}

fn machine() -> String {
    testdata("machines/intel-icelake-server.txt")
}

fn validate(spec: &str, extra: &[&str]) -> crate::common::Output {
    let host = container();
    let machine = machine();
    let mut args = vec![
        "validate-node",
        "--spec",
        "-",
        "--host-root",
        &host,
        "--machine",
        &machine,
    ];
    args.extend_from_slice(extra);
    run(&args, Some(spec.as_bytes()))
}

const NEEDS_VFIO: &str = r"version: v1alpha1
compatibilities:
- rules:
  - name: vfio loaded
    matchFeatures:
    - feature: kernel.loadedmodule
      matchExpressions:
        vfio_pci: {op: Exists}
";

#[test]
fn a_rule_on_a_source_that_could_not_be_read_cannot_tell() {
    let out = validate(NEEDS_VFIO, &["-o", "table"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("CANNOT TELL"), "{}", out.stdout);
    assert!(!out.stdout.contains("INCOMPATIBLE"), "{}", out.stdout);
    // The rule and its expression are marked UNKNOWN, not FAIL.
    assert!(
        out.stdout.contains("│ UNKNOWN ┆ vfio loaded"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("│ UNKNOWN ┆   kernel.loadedmodule.vfio_pci ┆"),
        "{}",
        out.stdout
    );
    // The source and the path it could not read are named.
    assert!(
        out.stdout.contains("`kernel` source") && out.stdout.contains("proc/modules"),
        "{}",
        out.stdout
    );
    let json = validate(NEEDS_VFIO, &["-o", "json"]);
    assert_eq!(json.code, 2);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["verdict"], "error");
    let rule = &value["sets"][0]["rules"][0];
    assert_eq!(rule["isMatch"], false);
    assert_eq!(rule["cannotTell"], true);
    assert!(
        rule["matchFeatures"][0]["unavailable"]
            .as_str()
            .unwrap()
            .contains("proc/modules"),
        "{rule}"
    );
}

#[test]
fn nfd_json_keeps_nfds_per_rule_results() {
    let out = validate(NEEDS_VFIO, &["--output-json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // The same spec on a snapshot that simply has no `kernel.loadedmodule`: NFD's report is
    // the same, only the verdict differs.
    let features = r#"{"flags": {}, "attributes": {}, "instances": {}}"#;
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, NEEDS_VFIO).unwrap();
    let snapshot = run(
        &[
            "validate-node",
            "--spec",
            spec.to_str().unwrap(),
            "--features",
            "-",
            "--output-json",
        ],
        Some(features.as_bytes()),
    );
    assert_eq!(snapshot.code, 1, "{}", snapshot.stderr);
    assert_eq!(out.stdout, snapshot.stdout);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value[0]["rules"][0]["isMatch"], false);
    assert_eq!(
        value[0]["rules"][0]["matchedExpressions"][0]["isMatch"],
        false
    );
}

#[test]
fn a_set_compatible_for_certain_decides() {
    let spec = format!(
        "{NEEDS_VFIO}- rules:
  - name: rhel
    matchFeatures:
    - feature: system.osrelease
      matchExpressions:
        ID: {{op: In, value: [rhel]}}
"
    );
    let out = validate(&spec, &["-o", "table"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("COMPATIBLE"), "{}", out.stdout);
}

#[test]
fn a_set_that_fails_for_certain_on_another_rule_stays_incompatible() {
    let spec = format!(
        "{NEEDS_VFIO}  - name: ubuntu
    matchFeatures:
    - feature: system.osrelease
      matchExpressions:
        ID: {{op: In, value: [ubuntu]}}
"
    );
    let out = validate(&spec, &["-o", "table"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("INCOMPATIBLE"), "{}", out.stdout);
    // A second set that cannot tell leaves the verdict open again.
    let spec = format!(
        "{spec}{}",
        NEEDS_VFIO.replace("version: v1alpha1\ncompatibilities:\n", "")
    );
    let out = validate(&spec, &["-o", "table"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
}

#[test]
fn an_expression_that_cannot_be_evaluated_does_not_open_a_set_that_fails_for_certain() {
    // `Gt 8` on `VERSION_ID` `9.4` cannot be evaluated; `ID In [ubuntu]` fails for certain.
    let spec = r"version: v1alpha1
compatibilities:
- rules:
  - name: ubuntu newer than 8
    matchFeatures:
    - feature: system.osrelease
      matchExpressions:
        VERSION_ID: {op: Gt, value: ['8']}
  - name: ubuntu
    matchFeatures:
    - feature: system.osrelease
      matchExpressions:
        ID: {op: In, value: [ubuntu]}
";
    let out = validate(spec, &["-o", "json"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(value["verdict"], "incompatible");
    // The error is still reported.
    assert_eq!(
        value["sets"][0]["rules"][0]["matchFeatures"][0]["status"],
        "ERROR"
    );
    // Alone, the same expression leaves the verdict open.
    let alone = spec.split("  - name: ubuntu\n").next().unwrap();
    let out = validate(alone, &["-o", "json"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
}

#[test]
fn host_root_of_another_machine_without_machine_warns_about_the_cpu() {
    let host = testdata("hosts/intel-server");
    let args = |machine: Option<&str>| {
        let mut a = vec![
            "validate-node".to_owned(),
            "--spec".to_owned(),
            "-".to_owned(),
            "--host-root".to_owned(),
            host.clone(),
            "-o".to_owned(),
            "json".to_owned(),
        ];
        if let Some(m) = machine {
            a.extend(["--machine".to_owned(), m.to_owned()]);
        }
        a
    };
    let spec = NEEDS_VFIO.as_bytes();
    let without: Vec<String> = args(None);
    let out = run(
        &without.iter().map(String::as_str).collect::<Vec<_>>(),
        Some(spec),
    );
    assert!(
        out.stderr.contains("CPU running nfd-compat") && out.stderr.contains("--machine"),
        "{}",
        out.stderr
    );
    let with: Vec<String> = args(Some(&machine()));
    let out = run(
        &with.iter().map(String::as_str).collect::<Vec<_>>(),
        Some(spec),
    );
    assert!(!out.stderr.contains("CPU running"), "{}", out.stderr);
}

/// Only the features the rules read are discovered: a source that fails on a feature no rule
/// reads neither warns nor changes the verdict, and one the rules read still does.
#[test]
fn only_the_features_the_rules_read_are_discovered() {
    let needs_os = r"version: v1alpha1
compatibilities:
- rules:
  - name: some os
    matchFeatures:
    - feature: system.osrelease
      matchExpressions:
        ID: {op: Exists}
";
    let out = validate(needs_os, &["-o", "table"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    // Nothing about the kernel modules, config or PCI devices the container lacks.
    for absent in ["kernel", "pci", "/proc/modules", "config"] {
        assert!(!out.stderr.contains(absent), "{absent}: {}", out.stderr);
    }
    // The same container with a rule on the kernel config: its warning is back.
    let needs_config = needs_os
        .replace("system.osrelease", "kernel.config")
        .replace("ID:", "NUMA:");
    let out = validate(&needs_config, &["-o", "table"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("no readable kernel config"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("/proc/modules"), "{}", out.stderr);
    // `export features` discovers everything.
    let host = container();
    let all = run(&["export", "features", "--host-root", &host], None);
    assert!(all.stderr.contains("/proc/modules"), "{}", all.stderr);
}
