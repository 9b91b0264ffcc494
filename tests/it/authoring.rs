//! attach, list, fetch, detach against real registries, read back by an independent client
//! (oras-py) and by validate-node.

use crate::common::{Output, run, run_with_env, testdata};
use crate::support::registry::{
    Attach, Docker, Registry, oras_read, push_images, tag_schema_index,
};

/// Runs nfd-compat against a plain-HTTP test registry.
pub(crate) fn nfd(args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.push("--plain-http");
    run(&all, None)
}

/// The test image `app:v1` of `registry`.
pub(crate) fn image(registry: &Registry) -> String {
    format!("{}/app:v1", registry.host)
}

fn attach(registry: &Registry, spec: &str, extra: &[&str]) -> String {
    let spec = testdata(spec);
    let image = image(registry);
    let mut args = vec!["attach", "--image", &image, &spec];
    args.extend_from_slice(extra);
    let out = nfd(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let digest = out.stdout.trim().to_owned();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{}",
        out.stdout
    );
    digest
}

fn listed(registry: &Registry) -> serde_json::Value {
    let image = image(registry);
    let out = nfd(&["list", "--image", &image, "-o", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn validate(registry: &Registry) -> serde_json::Value {
    let image = image(registry);
    let snapshot = testdata("snapshots/intel-server.json");
    let out = nfd(&[
        "validate-node",
        "--image",
        &image,
        "--features",
        &snapshot,
        "-o",
        "json",
    ]);
    assert!(out.code <= 1, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn attach_is_read_by_oras_and_validate_node_on_both_registries() {
    for registry in [Registry::ferro(), Registry::docker(None)] {
        let images = push_images(&registry, None);
        let digest = attach(
            &registry,
            "specs/gpu-node.yaml",
            &[
                "--annotation",
                "org.opencontainers.image.source=https://example.invalid/app",
            ],
        );
        // oras-py sees exactly the artifact `oras attach` would write.
        let seen = oras_read(&registry, &images.amd64);
        assert_eq!(seen.as_array().unwrap().len(), 1, "{seen}");
        let a = &seen[0];
        assert_eq!(a["digest"], digest.as_str());
        assert_eq!(
            a["artifactType"],
            "application/vnd.nfd.image-compatibility.v1alpha1"
        );
        assert_eq!(a["configMediaType"], "application/vnd.oci.empty.v1+json");
        assert_eq!(
            a["layerMediaType"],
            "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml"
        );
        assert_eq!(a["subject"], images.amd64.as_str());
        assert!(a["created"].as_str().unwrap().ends_with('Z'));
        assert_eq!(
            a["spec"].as_str().unwrap(),
            std::fs::read_to_string(testdata("specs/gpu-node.yaml")).unwrap()
        );
        // validate-node finds it.
        let v = validate(&registry);
        assert_eq!(v["image"]["artifact"], digest.as_str());
        assert_eq!(v["verdict"], "compatible");
        // fetch prints the spec as stored.
        let image = image(&registry);
        let out = nfd(&["fetch", "--image", &image]);
        assert_eq!(
            out.stdout,
            std::fs::read_to_string(testdata("specs/gpu-node.yaml")).unwrap()
        );
    }
}

#[test]
fn oras_attached_artifacts_are_listed_and_the_newest_wins() {
    let registry = Registry::docker(None);
    let images = push_images(&registry, None);
    let older_spec = testdata("specs/nfd-example.yaml");
    let older = images.attach_to_amd64(
        &registry,
        &Attach {
            spec: Some(&older_spec),
            created: Some("2024-05-01T00:00:00Z"),
            tag_schema: true,
            ..Attach::default()
        },
    );
    let newer = attach(&registry, "specs/gpu-node.yaml", &[]);
    let l = listed(&registry);
    assert_eq!(l["lookup"], "tagSchema");
    let digests: Vec<&str> = l["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap())
        .collect();
    assert_eq!(digests, [newer.as_str(), older.as_str()], "newest first");
    assert_eq!(
        l["artifacts"][1]["sets"][0]["description"],
        "my image requirements"
    );
    assert_eq!(l["artifacts"][0]["sets"][0]["tag"], "gpu");
    assert_eq!(validate(&registry)["image"]["artifact"], newer.as_str());
    // The tag-schema index lists both (read raw, with skopeo).
    let index = tag_schema_index(&registry, &images.amd64).expect("the index");
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    let entries: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["digest"].as_str().unwrap())
        .collect();
    assert_eq!(entries, [older.as_str(), newer.as_str()]);
    assert!(
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["artifactType"] == "application/vnd.nfd.image-compatibility.v1alpha1")
    );
    // Table output.
    let image = image(&registry);
    let out = nfd(&["list", "--image", &image]);
    assert!(
        out.stdout.contains(&newer) && out.stdout.contains("gpu: NVIDIA GPU node"),
        "{}",
        out.stdout
    );
}

#[test]
fn detach_removes_the_manifest_and_the_index_entry() {
    for registry in [Registry::ferro(), Registry::docker(None)] {
        push_images(&registry, None);
        let first = attach(
            &registry,
            "specs/nfd-example.yaml",
            &[
                "--annotation",
                "org.opencontainers.image.created=2025-01-01T00:00:00Z",
                "--force",
            ],
        );
        let second = attach(&registry, "specs/gpu-node.yaml", &[]);
        let image = image(&registry);
        let out = nfd(&["detach", "--image", &image, "--artifact", &second]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let l = listed(&registry);
        let left: Vec<&str> = l["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["digest"].as_str().unwrap())
            .collect();
        assert_eq!(left, [first.as_str()]);
        assert_eq!(validate(&registry)["image"]["artifact"], first.as_str());
        let out = nfd(&["detach", "--image", &image, "--artifact", &second]);
        assert_eq!(out.code, 2);
        assert!(
            out.stderr.contains(&format!(
                "artifact `{second}` is not attached to the image; attached: {first}"
            )),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn a_registry_that_forbids_deletes_keeps_everything_consistent() {
    let mut registry = Registry::docker(None);
    push_images(&registry, None);
    let digest = attach(&registry, "specs/gpu-node.yaml", &[]);
    registry.restart_docker(&Docker {
        credentials: None,
        delete: false,
        readonly: false,
    });
    let image = image(&registry);
    let out = nfd(&["detach", "--image", &image, "--artifact", &digest]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("was not removed") && out.stderr.contains("405"),
        "{}",
        out.stderr
    );
    // The tag-schema entry was put back: the artifact is still found.
    assert_eq!(validate(&registry)["image"]["artifact"], digest.as_str());
}

#[test]
fn bad_attaches_write_nothing() {
    let (user, password) = ("writer", "pw-123456");
    let mut registry = Registry::docker_with(&Docker {
        credentials: Some((user, password)),
        delete: true,
        readonly: false,
    });
    push_images(&registry, Some((user, password)));
    let image = image(&registry);
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("HOME", home.path().to_str().unwrap()),
        ("DOCKER_CONFIG", home.path().to_str().unwrap()),
    ];
    let spec = testdata("specs/gpu-node.yaml");
    let with_creds = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend([
            "--plain-http",
            "--registry-username",
            user,
            "--registry-password-stdin",
        ]);
        run_with_env(&all, &env, Some(password.as_bytes()))
    };
    let count = |out: &Output| -> usize {
        assert_eq!(out.code, 0, "{}", out.stderr);
        serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()["artifacts"]
            .as_array()
            .unwrap()
            .len()
    };

    // No credentials: refused before anything is written.
    let out = run_with_env(
        &["attach", "--image", &image, &spec, "--plain-http"],
        &env,
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("requires credentials") && out.stderr.contains("nothing was attached"),
        "{}",
        out.stderr
    );
    // A spec that fails its checks.
    let bad = home.path().join("bad.yaml");
    std::fs::write(&bad, "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: x\n    matchFeatures:\n    - feature: cpu.model\n      matchExpressions:\n        vendor_id: {op: Equal, value: [Intel]}\n").unwrap();
    let out = with_creds(&["attach", "--image", &image, bad.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown op `Equal`") && out.stderr.contains("nothing was attached"),
        "{}",
        out.stderr
    );
    // An image that does not exist.
    let missing = format!("{}/nothere:v1", registry.host);
    let out = with_creds(&["attach", "--image", &missing, &spec]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("image not found"), "{}", out.stderr);
    assert_eq!(
        count(&with_creds(&["list", "--image", &image, "-o", "json"])),
        0
    );

    // A registry that refuses writes (read-only maintenance mode).
    registry.restart_docker(&Docker {
        credentials: Some((user, password)),
        delete: true,
        readonly: true,
    });
    let out = with_creds(&["attach", "--image", &image, &spec]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("nothing was attached"),
        "{}",
        out.stderr
    );
    assert_eq!(
        count(&with_creds(&["list", "--image", &image, "-o", "json"])),
        0
    );
    assert!(!out.stderr.contains(password));
}

#[test]
fn attach_to_one_platform_of_an_index() {
    let registry = Registry::ferro();
    let images = push_images(&registry, None);
    let spec = testdata("specs/gpu-node.yaml");
    let multi = format!("{}/app:multi", registry.host);
    let out = nfd(&[
        "attach",
        "--image",
        &multi,
        &spec,
        "--platform",
        "linux/arm64",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let digest = out.stdout.trim();
    assert_eq!(oras_read(&registry, &images.arm64)[0]["digest"], digest);
    let snapshot = testdata("snapshots/intel-server.json");
    let out = nfd(&[
        "validate-node",
        "--image",
        &multi,
        "--platform",
        "linux/arm64",
        "--features",
        &snapshot,
        "-o",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["image"]["artifact"], digest);
}
