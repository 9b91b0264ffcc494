//! Details of authoring artifacts against real registries: `created` to the nanosecond, a
//! hand-set `created` refused without `--force`, `attach --strict`, and the empty tag-schema
//! index deleted with the last artifact.

use std::process::Command;

use crate::authoring::{image, nfd};
use crate::common::{Output, testdata};
use crate::support::registry::{Registry, oras_read, push_images, require, tag_schema_index};

/// `list -o json`'s artifacts as `(digest, created)`, newest first.
fn listed(registry: &Registry) -> Vec<(String, String)> {
    let out = nfd(&["list", "--image", &image(registry), "-o", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    value["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["digest"].as_str().unwrap().to_owned(),
                a["created"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn attach(registry: &Registry, spec: &str, extra: &[&str]) -> Output {
    let image = image(registry);
    let mut args = vec!["attach", "--image", &image, spec];
    args.extend_from_slice(extra);
    nfd(&args)
}

/// Whether `s` is `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
fn is_rfc3339_nanos(s: &str) -> bool {
    let b = s.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    b.len() == 30
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .into_iter()
            .chain(20..29)
            .all(digit)
        && [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (29, b'Z'),
        ]
        .iter()
        .all(|&(i, c)| b[i] == c)
}

#[test]
fn created_has_nanoseconds_so_quick_attaches_do_not_tie() {
    for registry in [Registry::ferro(), Registry::docker(None)] {
        let images = push_images(&registry, None);
        let first_spec = testdata("specs/nfd-example.yaml");
        let second_spec = testdata("specs/gpu-node.yaml");
        let first = attach(&registry, &first_spec, &[]);
        assert_eq!(first.code, 0, "{}", first.stderr);
        let second = attach(&registry, &second_spec, &[]);
        assert_eq!(second.code, 0, "{}", second.stderr);
        let (first, second) = (first.stdout.trim(), second.stdout.trim());
        let l = listed(&registry);
        assert_eq!(l.len(), 2, "{l:?}");
        assert_eq!(
            (l[0].0.as_str(), l[1].0.as_str()),
            (second, first),
            "newest first"
        );
        for (_, created) in &l {
            assert!(is_rfc3339_nanos(created), "{created}");
        }
        assert!(l[0].1 > l[1].1, "{l:?}");
        // An independent reader sees the same dates, and reads them as times.
        let seen = oras_read(&registry, &images.amd64);
        let python = require("python3", "apt-get install -y python3");
        for a in seen.as_array().unwrap() {
            let created = a["created"].as_str().unwrap();
            let parsed = Command::new(&python)
                .args([
                    "-c",
                    "import sys, datetime; print(datetime.datetime.fromisoformat(sys.argv[1]).isoformat())",
                    created,
                ])
                .output()
                .unwrap();
            assert!(parsed.status.success(), "{created}: {parsed:?}");
            assert!(
                String::from_utf8_lossy(&parsed.stdout).starts_with(&created[..26]),
                "{created}: {parsed:?}"
            );
        }
        // validate-node takes the newest.
        let snapshot = testdata("snapshots/intel-server.json");
        let out = nfd(&[
            "validate-node",
            "--image",
            &image(&registry),
            "--features",
            &snapshot,
            "-o",
            "json",
        ]);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(report["image"]["artifact"], second, "{}", out.stderr);
    }
}

#[test]
fn a_hand_set_created_is_refused_without_force() {
    let registry = Registry::ferro();
    push_images(&registry, None);
    let spec = testdata("specs/gpu-node.yaml");
    let future = "org.opencontainers.image.created=2030-01-01T00:00:00Z";
    let out = attach(&registry, &spec, &["--annotation", future]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("would decide which artifact is the newest")
            && out.stderr.contains("--force")
            && out.stderr.contains("nothing was attached"),
        "{}",
        out.stderr
    );
    assert!(listed(&registry).is_empty());
    let out = attach(&registry, &spec, &["--annotation", future, "--force"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(listed(&registry)[0].1, "2030-01-01T00:00:00Z");
    // Still checked as a time.
    let out = attach(
        &registry,
        &spec,
        &[
            "--annotation",
            "org.opencontainers.image.created=tomorrow",
            "--force",
        ],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not an RFC 3339 time"),
        "{}",
        out.stderr
    );
}

#[test]
fn strict_attach_refuses_a_spec_with_lint_warnings() {
    let registry = Registry::ferro();
    push_images(&registry, None);
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("warned.yaml");
    std::fs::write(
        &spec,
        "version: v1alpha1\ncompatibilities:\n- description: d\n  rules:\n  - name: vfio\n    matchFeatures:\n    - feature: kernel.loadedmodule\n      matchExpressions:\n        vfio-pci: {op: Exists}\n",
    )
    .unwrap();
    let spec = spec.to_str().unwrap();
    let out = attach(&registry, spec, &["--strict"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("has 1 lint warning and --strict refuses it; nothing was attached")
            && out.stderr.contains("9:19: [module-dash]"),
        "{}",
        out.stderr
    );
    assert!(listed(&registry).is_empty());
    // Without --strict: attached, with the warning.
    let out = attach(&registry, spec, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("[module-dash]"), "{}", out.stderr);
    // A clean spec passes --strict.
    let out = attach(&registry, &testdata("specs/gpu-node.yaml"), &["--strict"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(listed(&registry).len(), 2);
}

#[test]
fn detaching_the_last_artifact_deletes_the_empty_index() {
    // docker-registry (distribution 2.8) has no referrers API: the tag-schema index is used.
    let registry = Registry::docker(None);
    let images = push_images(&registry, None);
    let spec = testdata("specs/gpu-node.yaml");
    let a = attach(&registry, &spec, &[]);
    let b = attach(&registry, &testdata("specs/nfd-example.yaml"), &[]);
    let (a, b) = (a.stdout.trim().to_owned(), b.stdout.trim().to_owned());
    let image = image(&registry);
    let out = nfd(&["detach", "--image", &image, "--artifact", &a]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("index"), "{}", out.stderr);
    let index = tag_schema_index(&registry, &images.amd64).expect("one entry left");
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1, "{index}");
    let out = nfd(&["detach", "--image", &image, "--artifact", &b]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "removed {b} from `{image}`, and the tag-schema index it left empty"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(tag_schema_index(&registry, &images.amd64), None);
    assert!(listed(&registry).is_empty());
    // Attaching again starts a new index.
    let out = attach(&registry, &spec, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(listed(&registry).len(), 1);
}
