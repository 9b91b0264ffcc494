//! `init`: the starter spec loads without warnings, passes the JSON Schema, and validates
//! compatible on the host it was made from.

use serde_json::Value;

use crate::common::{Output, run, testdata};

/// The fixture hosts with the machine capture of their CPU.
const HOSTS: [(&str, &str); 4] = [
    ("intel-server", "intel-icelake-server"),
    ("amd-host", "amd-epyc-milan"),
    ("arm64-host", "arm64-neoverse-n1"),
    ("minimal-container", "kvm-guest"),
];

fn host_args(host: &str, machine: &str) -> [String; 4] {
    [
        "--host-root".to_owned(),
        testdata(&format!("hosts/{host}")),
        "--machine".to_owned(),
        testdata(&format!("machines/{machine}.txt")),
    ]
}

fn init(host: &str, machine: &str) -> Output {
    let args = host_args(host, machine);
    let mut all = vec!["init"];
    all.extend(args.iter().map(String::as_str));
    let out = run(&all, None);
    assert_eq!(out.code, 0, "{host}: {}", out.stderr);
    out
}

#[test]
fn init_spec_is_clean_and_compatible_on_its_host() {
    let schema: Value = serde_json::from_str(&run(&["schema"], None).stdout).expect("schema");
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    for (host, machine) in HOSTS {
        let spec = init(host, machine).stdout;
        let loaded = nfd_compat::spec::load(spec.as_bytes())
            .unwrap_or_else(|e| panic!("{host}: {e}\n{spec}"));
        assert!(
            loaded.warnings.is_empty(),
            "{host}: {:?}\n{spec}",
            loaded.warnings
        );
        let rules = loaded.spec.compatibilities[0]
            .rules
            .as_ref()
            .map_or(0, Vec::len);
        assert!(rules >= 3, "{host}: only {rules} rules\n{spec}");
        let json: Value = yaml_serde::from_str(&spec).expect("YAML");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{host}: {errors:?}\n{spec}");

        // It lints clean, warnings included.
        let lint = run(&["lint", "--strict", "-"], Some(spec.as_bytes()));
        assert_eq!(lint.code, 0, "{host}: lint\n{}{}", lint.stdout, lint.stderr);
        assert!(
            lint.stdout.ends_with("0 errors, 0 warnings\n"),
            "{host}: {}",
            lint.stdout
        );

        let args = host_args(host, machine);
        let mut validate = vec!["validate-node", "--spec", "-", "-o", "json"];
        validate.extend(args.iter().map(String::as_str));
        let out = run(&validate, Some(spec.as_bytes()));
        assert_eq!(
            out.code, 0,
            "{host}: not compatible\n{}\n{}",
            out.stdout, out.stderr
        );
    }
}

#[test]
fn init_spec_for_intel_server() {
    let out = init("intel-server", "intel-icelake-server");
    insta::assert_snapshot!("init_intel_server", out.stdout);
}

#[test]
fn init_spec_is_incompatible_elsewhere() {
    // Made on the Intel server, the spec asks for what the AMD host lacks.
    let spec = init("intel-server", "intel-icelake-server").stdout;
    let args = host_args("amd-host", "amd-epyc-milan");
    let mut validate = vec!["validate-node", "--spec", "-"];
    validate.extend(args.iter().map(String::as_str));
    let out = run(&validate, Some(spec.as_bytes()));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
}

#[test]
fn init_from_a_snapshot_and_into_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let features = dir.path().join("features.json");
    let args = host_args("arm64-host", "arm64-neoverse-n1");
    let mut export = vec![
        "export",
        "features",
        "--path",
        features.to_str().expect("utf-8"),
    ];
    export.extend(args.iter().map(String::as_str));
    assert_eq!(run(&export, None).code, 0);

    let spec_path = dir.path().join("spec.yaml");
    let spec_arg = spec_path.to_str().expect("utf-8");
    let features_arg = features.to_str().expect("utf-8");
    let out = run(
        &["init", "--features", features_arg, "--path", spec_arg],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let written = std::fs::read_to_string(&spec_path).expect("spec written");
    let discovered = init("arm64-host", "arm64-neoverse-n1").stdout;
    // The snapshot has no node name, so only the header and description differ.
    let tail = |s: &str| s.split_once("  tag:").map(|(_, t)| t.to_owned());
    assert!(tail(&written).is_some());
    assert_eq!(tail(&written), tail(&discovered));

    let again = run(
        &["init", "--features", features_arg, "--path", spec_arg],
        None,
    );
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("exists; pass --force"),
        "{}",
        again.stderr
    );
    let forced = run(
        &[
            "init",
            "--features",
            features_arg,
            "--path",
            spec_arg,
            "--force",
        ],
        None,
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
}
