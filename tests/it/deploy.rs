//! The Kubernetes manifests under `deploy/`: they parse, pass only flags the binary has, take
//! credentials and a CA from a Secret and a ConfigMap, run as non-root, and mount exactly the
//! host paths discovery reads (checked by discovering the fixture hosts through those mounts).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;
use nfd_compat::cli::Cli;
use serde_json::Value;

use crate::common::{run, testdata};

fn deploy(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(name)
}

/// Every document of a manifest file.
fn documents(file: &str) -> Vec<Value> {
    let text = fs::read_to_string(deploy(file)).unwrap();
    text.split("\n---\n")
        .map(|d| {
            let doc: Value = yaml_serde::from_str(d).unwrap_or_else(|e| panic!("{file}: {e}"));
            for key in ["apiVersion", "kind"] {
                assert!(doc[key].is_string(), "{file}: a document without {key}");
            }
            assert!(doc["metadata"]["name"].is_string(), "{file}: no name");
            doc
        })
        .collect()
}

/// The pod spec of a workload.
fn pod_spec(doc: &Value) -> &Value {
    match doc["kind"].as_str().unwrap() {
        "CronJob" => &doc["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        _ => &doc["spec"]["template"]["spec"],
    }
}

/// The containers of a pod (init containers first).
fn containers(pod: &Value) -> Vec<&Value> {
    ["initContainers", "containers"]
        .iter()
        .filter_map(|k| pod[k].as_array())
        .flatten()
        .collect()
}

/// The value of the environment variable `name` the container sets.
fn env_value(container: &Value, name: &str) -> String {
    container["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .and_then(|e| e["value"].as_str())
        .unwrap_or_else(|| panic!("the container does not set ${name}"))
        .to_owned()
}

/// The nfd-compat command lines a container runs: its args, or the `nfd-compat` lines of its
/// shell script (split into words, `"$VAR"` replaced by the container's env value, up to a
/// redirection).
fn command_lines(container: &Value) -> Vec<Vec<String>> {
    let args: Vec<String> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    if container["command"].is_null() {
        return vec![args];
    }
    let script = args.last().unwrap();
    script
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("nfd-compat "))
        .map(|l| {
            l.split_whitespace()
                .skip(1)
                .take_while(|w| !w.starts_with('>') && *w != "||" && *w != "|")
                .map(|w| {
                    let w = w.trim_matches('"');
                    match w.strip_prefix('$') {
                        Some(var) => env_value(container, var),
                        None => w.to_owned(),
                    }
                })
                .collect()
        })
        .collect()
}

/// The mount path of the volume `name` in `container`, and the volume.
fn mount<'a>(pod: &'a Value, container: &'a Value, path: &str) -> (&'a str, &'a Value) {
    let m = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| path.starts_with(m["mountPath"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("nothing is mounted over `{path}`"));
    let name = m["name"].as_str().unwrap();
    let volume = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no volume `{name}`"));
    (m["mountPath"].as_str().unwrap(), volume)
}

#[test]
fn manifests_parse_and_run_nfd_compat_with_flags_it_has() {
    let mut seen = Vec::new();
    for file in ["daemonset.yaml", "job.yaml", "cronjob.yaml"] {
        for doc in documents(file) {
            let kind = doc["kind"].as_str().unwrap();
            if !["DaemonSet", "Job", "CronJob"].contains(&kind) {
                continue;
            }
            seen.push(kind.to_owned());
            let pod = pod_spec(&doc);
            assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{file}");
            let ours: Vec<&Value> = containers(pod)
                .into_iter()
                .filter(|c| c["image"].as_str().unwrap().contains("nfd-compat"))
                .collect();
            assert_eq!(ours.len(), 1, "{file}");
            let c = ours[0];
            assert_eq!(
                c["securityContext"]["readOnlyRootFilesystem"], true,
                "{file}"
            );
            assert_eq!(
                c["securityContext"]["allowPrivilegeEscalation"], false,
                "{file}"
            );
            assert_eq!(
                c["securityContext"]["capabilities"]["drop"][0], "ALL",
                "{file}"
            );
            let lines = command_lines(c);
            assert_eq!(lines.len(), 1, "{file}: {lines:?}");
            let args = &lines[0];
            let parsed = Cli::try_parse_from(
                std::iter::once("nfd-compat").chain(args.iter().map(String::as_str)),
            );
            assert!(parsed.is_ok(), "{file}: {args:?}: {}", parsed.unwrap_err());
            assert!(args.windows(2).any(|w| w[0] == "--image"), "{file}");
            // Registry credentials come from a Secret, the CA from a ConfigMap.
            let auth = env_value(c, "REGISTRY_AUTH_FILE");
            let (_, volume) = mount(pod, c, &auth);
            assert!(volume["secret"]["secretName"].is_string(), "{file}");
            let ca = args
                .windows(2)
                .find(|w| w[0] == "--ca-file")
                .map_or_else(|| panic!("{file}: no --ca-file"), |w| w[1].clone());
            let (_, volume) = mount(pod, c, &ca);
            assert!(volume["configMap"]["name"].is_string(), "{file}");
            if kind == "CronJob" {
                assert!(c["image"].as_str().unwrap().ends_with(":cluster"), "{file}");
            } else {
                assert!(
                    args.windows(2).any(|w| w == ["--host-root", "/host"]),
                    "{file}"
                );
                assert_eq!(
                    c["env"][0]["valueFrom"]["fieldRef"]["fieldPath"], "spec.nodeName",
                    "{file}"
                );
            }
        }
    }
    assert_eq!(seen, ["DaemonSet", "Job", "CronJob"]);
    let containerfile = fs::read_to_string(deploy("Containerfile")).unwrap();
    assert!(containerfile.contains("cargo build --release --locked --bin nfd-compat"));
    assert!(containerfile.contains(" AS cluster\n"));
    assert!(containerfile.ends_with("ENTRYPOINT [\"/usr/local/bin/nfd-compat\"]\n"));
}

#[test]
fn the_cronjob_may_read_nodefeatures_and_write_its_report() {
    let docs = documents("cronjob.yaml");
    let find = |kind: &str| -> Vec<&Value> { docs.iter().filter(|d| d["kind"] == kind).collect() };
    let cronjob = find("CronJob")[0];
    let pod = pod_spec(cronjob);
    let account = pod["serviceAccountName"].as_str().unwrap();
    let namespace = cronjob["metadata"]["namespace"].as_str().unwrap();
    assert_eq!(find("ServiceAccount")[0]["metadata"]["name"], account);
    let c = containers(pod)[0];
    let script = c["args"][0].as_str().unwrap();
    assert!(script.contains("kubectl get nodefeatures -n \"$NFD_NAMESPACE\" -o json"));
    assert!(script.contains("kubectl apply --server-side"));
    // What the script does, each granted to the CronJob's service account.
    let granted = |role_kind: &str,
                   binding_kind: &str,
                   group: &str,
                   resource: &str,
                   verb: &str,
                   name: Option<&str>| {
        find(role_kind).iter().any(|role| {
            let allows = role["rules"].as_array().unwrap().iter().any(|r| {
                let has = |k: &str, v: &str| r[k].as_array().unwrap().iter().any(|x| x == v);
                has("apiGroups", group)
                    && has("resources", resource)
                    && has("verbs", verb)
                    && (r["resourceNames"].is_null()
                        || name.is_some_and(|n| has("resourceNames", n)))
            });
            allows
                && find(binding_kind).iter().any(|b| {
                    b["roleRef"]["name"] == role["metadata"]["name"]
                        && b["subjects"].as_array().unwrap().iter().any(|s| {
                            s["kind"] == "ServiceAccount"
                                && s["name"] == account
                                && s["namespace"] == namespace
                        })
                })
        })
    };
    for verb in ["get", "list"] {
        assert!(
            granted(
                "ClusterRole",
                "ClusterRoleBinding",
                "nfd.k8s-sigs.io",
                "nodefeatures",
                verb,
                None
            ),
            "{verb} nodefeatures"
        );
    }
    let report = env_value(c, "REPORT_CONFIGMAP");
    for verb in ["create", "get", "patch"] {
        assert!(
            granted("Role", "RoleBinding", "", "configmaps", verb, Some(&report)),
            "{verb} configmap {report}"
        );
    }
    // Nothing more: no write access to NodeFeatures, no other ConfigMap.
    assert!(!granted(
        "ClusterRole",
        "ClusterRoleBinding",
        "nfd.k8s-sigs.io",
        "nodefeatures",
        "update",
        None
    ));
    assert!(!granted(
        "Role",
        "RoleBinding",
        "",
        "configmaps",
        "patch",
        Some("kube-root-ca.crt")
    ));
}

/// The host paths (relative to the host root) the DaemonSet and the Job mount under `/host`.
fn host_mounts() -> Vec<String> {
    let mut all: Option<Vec<String>> = None;
    for file in ["daemonset.yaml", "job.yaml"] {
        let doc = &documents(file)[0];
        let pod = pod_spec(doc);
        let c = containers(pod)
            .into_iter()
            .find(|c| c["image"].as_str().unwrap().contains("nfd-compat"))
            .unwrap();
        let mut paths = Vec::new();
        for m in c["volumeMounts"].as_array().unwrap() {
            let Some(rel) = m["mountPath"].as_str().unwrap().strip_prefix("/host/") else {
                continue;
            };
            let (_, volume) = mount(pod, c, m["mountPath"].as_str().unwrap());
            assert_eq!(
                volume["hostPath"]["path"],
                format!("/{rel}"),
                "{file}: {rel}"
            );
            assert_eq!(m["readOnly"], true, "{file}: {rel}");
            paths.push(rel.to_owned());
        }
        if let Some(prev) = &all {
            assert_eq!(prev, &paths, "daemonset.yaml and job.yaml mount the same");
        }
        all = Some(paths);
    }
    all.unwrap()
}

/// `export features` of a host tree (with a fixed CPU capture).
fn discovered(root: &Path, machine: &str) -> String {
    let out = run(
        &[
            "export",
            "features",
            "--host-root",
            root.to_str().unwrap(),
            "--machine",
            &testdata(&format!("machines/{machine}")),
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

/// Copies `rel` (with its parent directories, symlinks as they are) from `from` into `to`.
fn copy(from: &Path, rel: &str, to: &Path) {
    let status = Command::new("cp")
        .args(["-a", "--parents", rel])
        .arg(to)
        .current_dir(from)
        .status()
        .unwrap();
    assert!(status.success(), "cp {rel}");
}

#[test]
fn the_host_mounts_are_exactly_what_discovery_reads() {
    let mounts = host_mounts();
    let hosts = [
        ("intel-server", "intel-icelake-server.txt"),
        ("amd-host", "amd-epyc-milan.txt"),
        ("arm64-host", "arm64-neoverse-n1.txt"),
        ("nfd-local", "kvm-guest.txt"),
    ];
    let mut read = vec![false; mounts.len()];
    for (host, machine) in hosts {
        let fixture = PathBuf::from(testdata(&format!("hosts/{host}")));
        let full = discovered(&fixture, machine);
        // Only what is mounted: discovery finds the same.
        let dir = tempfile::tempdir().unwrap();
        for rel in &mounts {
            if fixture.join(rel).symlink_metadata().is_ok() {
                copy(&fixture, rel, dir.path());
            }
        }
        assert_eq!(
            discovered(dir.path(), machine),
            full,
            "{host}: mounts miss something"
        );
        // Each mount is read: without it, discovery finds less on some host.
        for (i, rel) in mounts.iter().enumerate() {
            if read[i] || fixture.join(rel).symlink_metadata().is_err() {
                continue;
            }
            let dir = tempfile::tempdir().unwrap();
            for other in mounts.iter().filter(|m| *m != rel) {
                if fixture.join(other).symlink_metadata().is_ok() {
                    copy(&fixture, other, dir.path());
                }
            }
            read[i] = discovered(dir.path(), machine) != full;
        }
    }
    let unread: Vec<&String> = mounts
        .iter()
        .zip(&read)
        .filter(|(_, r)| !**r)
        .map(|(m, _)| m)
        .collect();
    assert!(
        unread.is_empty(),
        "mounted but never read on a fixture host: {unread:?}"
    );
}
