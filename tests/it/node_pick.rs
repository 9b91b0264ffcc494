//! `--node NAME` on a big NodeFeatureList streams it as the fleet path does (README, "Fleet
//! details"): no size limit on the list, memory bounded by one item.

use std::io::Write;
use std::process::{Command, Stdio};

/// One NodeFeature with `vfio_pci` loaded or not, plus `filler` (more modules, written once
/// for all items) so that the list is big.
fn item(name: &str, with_vfio: bool, filler: &str) -> String {
    let vfio = if with_vfio { "\"vfio_pci\":{}," } else { "" };
    format!(
        r#"{{"apiVersion":"nfd.k8s-sigs.io/v1alpha1","kind":"NodeFeature","metadata":{{"name":"{name}"}},"spec":{{"features":{{"flags":{{"kernel.loadedmodule":{{"elements":{{{vfio}{filler}}}}}}}}}}}}}"#
    )
}

/// Modules `filler_module_0000000` ... to about `bytes`.
fn filler(bytes: usize) -> String {
    (0..bytes / 24)
        .map(|i| format!("\"filler_module_{i:07}\":{{}}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A list of `nodes` items named `node-00000` ..., `vfio_pci` loaded on `node-{vfio}`.
fn write_list(path: &std::path::Path, nodes: usize, vfio: usize, pad: usize) {
    let filler = filler(pad);
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    write!(file, r#"{{"apiVersion":"v1","kind":"List","items":["#).expect("write");
    for i in 0..nodes {
        if i > 0 {
            file.write_all(b",").expect("write");
        }
        let name = format!("node-{i:05}");
        file.write_all(item(&name, i == vfio, &filler).as_bytes())
            .expect("write");
    }
    file.write_all(b"]}").expect("write");
    file.flush().expect("flush");
}

/// Runs `nfd-compat` under GNU time, returning its exit code, stdout, stderr and peak resident
/// memory in KiB.
fn run_measured(args: &[&str]) -> (i32, String, String, u64) {
    const TIME: &str = "/usr/bin/time";
    assert!(
        std::path::Path::new(TIME).exists(),
        "{TIME} is missing: install it with `apt-get install time` (scripts/install-test-deps.sh does)"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let measured = dir.path().join("rss");
    let out = Command::new(TIME)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&measured)
        .arg(env!("CARGO_BIN_EXE_nfd-compat"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run nfd-compat under time");
    let rss = std::fs::read_to_string(&measured).expect("time's output");
    let max_kib = rss
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in time's output: {rss}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        max_kib,
    )
}

/// `validate-node --spec SPEC --features LIST --node NODE EXTRA...`, measured.
fn pick(spec: &str, list: &str, node: &str, extra: &[&str]) -> (i32, String, String, u64) {
    let mut args = vec![
        "validate-node",
        "--spec",
        spec,
        "--features",
        list,
        "--node",
        node,
    ];
    args.extend_from_slice(extra);
    run_measured(&args)
}

const SPEC: &str = "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: vfio\n    matchFeatures:\n    - feature: kernel.loadedmodule\n      matchExpressions:\n        vfio_pci: {op: Exists}\n";

#[test]
fn node_picks_one_node_of_a_300_mb_list_without_reading_it_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nodes.json");
    write_list(&path, 10_000, 9_998, 30_000);
    let size = std::fs::metadata(&path).expect("size").len();
    assert!(size > 300 << 20, "the list is only {size} bytes");
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, SPEC).expect("spec");
    let (spec, path) = (spec.to_str().unwrap(), path.to_str().unwrap());
    let (code, out, err, max_kib) = pick(spec, path, "node-09998", &["-o", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("json report");
    assert_eq!(report["node"], "node-09998");
    assert_eq!(report["verdict"], "compatible");
    // Reading the list whole would take more than its 300 MB.
    assert!(max_kib < 200 << 10, "peak memory {max_kib} KiB");
}

#[test]
fn node_reads_each_item_of_a_list_and_names_the_nodes_it_has() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nodes.json");
    write_list(&path, 30, 28, 100);
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, SPEC).expect("spec");
    let (spec, path) = (spec.to_str().unwrap(), path.to_str().unwrap());
    let picked = |node: &str| pick(spec, path, node, &[]);
    let (code, out, err, _) = picked("node-00028");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("node-00028"), "{out}");
    let (code, out, err, _) = picked("node-00029");
    assert_eq!(code, 1, "{out}{err}");
    let (code, _, err, _) = picked("node-x");
    assert_eq!(code, 2);
    assert!(
        err.contains("has no node `node-x`; its nodes are: node-00000, node-00001")
            && err.contains("node-00019 and 10 more"),
        "{err}"
    );
}
