//! OCI image layouts everywhere an image goes: layouts made by skopeo from the test registries
//! and laid out by hand as oras writes them, read by validate-node, list, fetch and export;
//! attach and detach writing them as oras does (skopeo still reads the image afterwards);
//! `copy` between a referrers-API registry, a layout and a tag-schema registry, with the same
//! validate-node answer on every side; the errors of a bad layout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest as _, Sha256};

use crate::common::{Output, run, testdata};
use crate::support::registry::{Attach, Registry, oras_read, push_images, require, stdout_of};

const ARTIFACT_TYPE: &str = "application/vnd.nfd.image-compatibility.v1alpha1";
const SPEC_TYPE: &str = "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const REF_NAME: &str = "org.opencontainers.image.ref.name";

fn nfd(args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.push("--plain-http");
    run(&all, None)
}

fn ok(args: &[&str]) -> String {
    let out = nfd(args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
}

fn skopeo(args: &[&str]) -> Vec<u8> {
    let skopeo = require("skopeo", "apt-get install -y skopeo");
    stdout_of(Command::new(skopeo).args(args))
}

/// `skopeo copy` of `image` (`docker://...` or `oci:...`) to `to`, plain HTTP on registries.
fn skopeo_copy(from: &str, to: &str, all: bool) {
    let mut args = vec![
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
    ];
    if all {
        args.push("--all");
    }
    args.extend([from, to]);
    skopeo(&args);
}

fn snapshot() -> String {
    testdata("snapshots/intel-server.json")
}

/// validate-node's NFD-shaped answer and exit code for `image`.
fn answer(image: &str, extra: &[&str]) -> (i32, String) {
    let snapshot = snapshot();
    let mut args = vec![
        "validate-node",
        "--image",
        image,
        "--features",
        &snapshot,
        "--output-json",
    ];
    args.extend_from_slice(extra);
    let out = nfd(&args);
    assert!(out.code <= 1, "{image}: {}", out.stderr);
    (out.code, out.stdout)
}

fn rich(image: &str) -> serde_json::Value {
    let snapshot = snapshot();
    let out = nfd(&[
        "validate-node",
        "--image",
        image,
        "--features",
        &snapshot,
        "-o",
        "json",
    ]);
    assert!(out.code <= 1, "{image}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn listed(image: &str, extra: &[&str]) -> (String, Vec<String>) {
    let mut args = vec!["list", "--image", image, "-o", "json"];
    args.extend_from_slice(extra);
    let l: serde_json::Value = serde_json::from_str(&ok(&args)).unwrap();
    let digests = l["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap().to_owned())
        .collect();
    (l["lookup"].as_str().unwrap().to_owned(), digests)
}

fn read_index(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap()
}

fn entries(dir: &Path) -> Vec<(String, Option<String>)> {
    read_index(dir)["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["digest"].as_str().unwrap().to_owned(),
                m["annotations"][REF_NAME].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn oci(dir: &Path, tag: &str) -> String {
    format!("oci:{}:{tag}", dir.display())
}

#[test]
fn copy_from_a_referrers_registry_to_a_skopeo_layout_and_on_to_a_tag_schema_registry() {
    let ferro = Registry::ferro();
    let images = push_images(&ferro, None);
    let older_spec = testdata("specs/nfd-example.yaml");
    let older = images.attach_to_amd64(
        &ferro,
        &Attach {
            spec: Some(&older_spec),
            created: Some("2024-05-01T00:00:00Z"),
            ..Attach::default()
        },
    );
    let source = format!("{}/app:v1", ferro.host);
    let newer = ok(&[
        "attach",
        "--image",
        &source,
        &testdata("specs/gpu-node.yaml"),
    ])
    .trim()
    .to_owned();

    // The air gap: skopeo carries the image, copy carries its artifacts.
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("app");
    skopeo_copy(&format!("docker://{source}"), &oci(&dir, "v1"), false);
    let layout = oci(&dir, "v1");
    let out = ok(&["copy", "--image", &source, "--to", &layout]);
    let mut copied: Vec<&str> = out.lines().collect();
    copied.sort_unstable();
    let mut expected = [format!("{older} copied"), format!("{newer} copied")];
    expected.sort();
    assert_eq!(copied, expected);
    // Every tag skopeo wrote is kept; the artifacts are untagged entries, as oras writes them.
    let e = entries(&dir);
    assert_eq!(e.len(), 3, "{e:?}");
    assert_eq!(e[0], (images.amd64.clone(), Some("v1".to_owned())));
    assert!(e[1..].iter().all(|(_, tag)| tag.is_none()));

    // Same digests, same answer, same spec on both sides.
    assert_eq!(
        listed(&layout, &[]),
        ("ociLayout".to_owned(), vec![newer.clone(), older.clone()])
    );
    assert_eq!(listed(&source, &[]).1, vec![newer.clone(), older.clone()]);
    assert_eq!(answer(&layout, &[]), answer(&source, &[]));
    let r = rich(&layout);
    assert_eq!(r["image"]["artifact"], newer.as_str());
    assert_eq!(r["image"]["digest"], images.amd64.as_str());
    assert_eq!(
        ok(&["fetch", "--image", &layout, "--artifact", &older]),
        std::fs::read_to_string(&older_spec).unwrap()
    );
    assert_eq!(
        answer(&layout, &["--artifact", &older]),
        answer(&source, &["--artifact", &older])
    );

    // Re-running copies nothing and leaves index.json as it was.
    let before = std::fs::read(dir.join("index.json")).unwrap();
    let out = ok(&["copy", "--image", &source, "--to", &layout]);
    assert!(out.lines().all(|l| l.ends_with(" present")), "{out}");
    assert_eq!(out.lines().count(), 2);
    assert_eq!(std::fs::read(dir.join("index.json")).unwrap(), before);

    // skopeo still reads and copies the image.
    let inspected: serde_json::Value =
        serde_json::from_slice(&skopeo(&["inspect", &layout])).unwrap();
    assert_eq!(inspected["Digest"], images.amd64.as_str());

    // On to a registry without the referrers API: the image with skopeo, the artifacts with
    // copy (one with --artifact first, then the rest).
    let docker = Registry::docker(None);
    let target = format!("{}/app:v1", docker.host);
    skopeo_copy(&layout, &format!("docker://{target}"), false);
    let out = ok(&[
        "copy",
        "--image",
        &layout,
        "--to",
        &target,
        "--artifact",
        &older,
    ]);
    assert_eq!(out, format!("{older} copied\n"));
    let out = ok(&["copy", "--image", &layout, "--to", &target]);
    assert_eq!(out, format!("{newer} copied\n{older} present\n"));
    assert_eq!(
        listed(&target, &[]),
        ("tagSchema".to_owned(), vec![newer.clone(), older.clone()])
    );
    assert_eq!(answer(&target, &[]), answer(&layout, &[]));
    // An independent client finds them byte for byte.
    let seen = oras_read(&docker, &images.amd64);
    let mut digests: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["digest"].as_str().unwrap())
        .collect();
    digests.sort_unstable();
    let mut want = [older.as_str(), newer.as_str()];
    want.sort_unstable();
    assert_eq!(digests, want);
}

#[test]
fn platform_manifests_of_an_index_in_a_skopeo_layout() {
    let ferro = Registry::ferro();
    let images = push_images(&ferro, None);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("multi");
    skopeo_copy(
        &format!("docker://{}/app:multi", ferro.host),
        &oci(&dir, "multi"),
        true,
    );
    let image = oci(&dir, "multi");
    let spec = testdata("specs/gpu-node.yaml");
    let arm = ok(&[
        "attach",
        "--image",
        &image,
        "--platform",
        "linux/arm64",
        &spec,
    ])
    .trim()
    .to_owned();
    // Only the arm64 manifest has it; the amd64 one has none.
    assert_eq!(
        listed(&image, &["--platform", "linux/arm64"]).1,
        vec![arm.clone()]
    );
    assert!(listed(&image, &["--platform", "linux/amd64"]).1.is_empty());
    let r = {
        let snapshot = snapshot();
        let out = nfd(&[
            "validate-node",
            "--image",
            &image,
            "--platform",
            "linux/arm64",
            "--features",
            &snapshot,
            "-o",
            "json",
        ]);
        assert!(out.code <= 1, "{}", out.stderr);
        serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(r["image"]["artifact"], arm.as_str());
    assert_eq!(r["image"]["digest"], images.index.as_str());
    let out = nfd(&["fetch", "--image", &image, "--platform", "linux/amd64"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no compatibility artifact") && out.stderr.contains("linux/amd64"),
        "{}",
        out.stderr
    );
    let out = nfd(&["fetch", "--image", &image, "--platform", "linux/s390x"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("linux/amd64, linux/arm64"),
        "{}",
        out.stderr
    );
    // The same artifact back into the registry, on the arm64 manifest.
    let registry_image = format!("{}/app:multi", ferro.host);
    let out = ok(&[
        "copy",
        "--image",
        &image,
        "--platform",
        "linux/arm64",
        "--to",
        &registry_image,
    ]);
    assert_eq!(out, format!("{arm} copied\n"));
    let seen = oras_read(&ferro, &images.arm64);
    assert_eq!(seen[0]["digest"], arm.as_str());
    // skopeo still copies the whole index out of the layout.
    let out_dir = work.path().join("again");
    skopeo_copy(&image, &oci(&out_dir, "multi"), true);
    assert_eq!(entries(&out_dir)[0].0, images.index);
    // detach finds it on the platform manifest too.
    let out = nfd(&["detach", "--image", &image, "--artifact", &arm]);
    assert_eq!(out.code, 2, "not on the host's (amd64) manifest");
    assert!(out.stderr.contains("is not attached"), "{}", out.stderr);
    ok(&[
        "detach",
        "--image",
        &image,
        "--platform",
        "linux/arm64",
        "--artifact",
        &arm,
    ]);
    assert!(listed(&image, &["--platform", "linux/arm64"]).1.is_empty());
    assert_eq!(entries(&dir).len(), 1);
}

/// Writes a blob into a layout; returns its descriptor.
fn put(dir: &Path, media_type: &str, bytes: &[u8]) -> serde_json::Value {
    let hex = format!("{:x}", Sha256::digest(bytes));
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
    std::fs::write(dir.join("blobs/sha256").join(&hex), bytes).unwrap();
    serde_json::json!({"mediaType": media_type, "digest": format!("sha256:{hex}"), "size": bytes.len()})
}

/// An artifact manifest as `oras attach` writes it; returns its descriptor.
fn artifact(
    dir: &Path,
    subject: &serde_json::Value,
    artifact_type: &str,
    spec: &[u8],
    created: &str,
) -> serde_json::Value {
    let config = put(dir, "application/vnd.oci.empty.v1+json", b"{}");
    let layer = put(dir, SPEC_TYPE, spec);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "artifactType": artifact_type,
        "config": config,
        "layers": [layer],
        "subject": subject,
        "annotations": {"org.opencontainers.image.created": created},
    });
    put(dir, MANIFEST, &serde_json::to_vec(&manifest).unwrap())
}

fn write_index(dir: &Path, manifests: &[serde_json::Value]) {
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = serde_json::json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": manifests});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

fn with(mut d: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
    d[key] = value;
    d
}

/// A layout laid out by hand as oras's OCI store writes one: the image tagged `v1`, artifacts
/// listed untagged (and one tagged), one of another artifact type, one for another subject,
/// and a `sha256-<hex>` tag-schema index brought by `oras copy` from a registry without the
/// referrers API. Returns (dir guard, dir, image descriptor, artifacts by name).
fn oras_layout() -> (
    tempfile::TempDir,
    PathBuf,
    serde_json::Value,
    BTreeMap<&'static str, String>,
) {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("oras");
    let config = put(
        &dir,
        "application/vnd.oci.image.config.v1+json",
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#,
    );
    let image = put(
        &dir,
        MANIFEST,
        &serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2, "mediaType": MANIFEST, "config": config, "layers": []
        }))
        .unwrap(),
    );
    let other = put(&dir, MANIFEST, br#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#);
    let gpu = std::fs::read(testdata("specs/gpu-node.yaml")).unwrap();
    let example = std::fs::read(testdata("specs/nfd-example.yaml")).unwrap();
    let untagged = artifact(
        &dir,
        &image,
        ARTIFACT_TYPE,
        &example,
        "2025-01-01T00:00:00Z",
    );
    let tagged = artifact(&dir, &image, ARTIFACT_TYPE, &gpu, "2025-06-01T00:00:00Z");
    let foreign = artifact(
        &dir,
        &image,
        "application/vnd.example.sbom",
        &gpu,
        "2027-01-01T00:00:00Z",
    );
    let elsewhere = artifact(&dir, &other, ARTIFACT_TYPE, &gpu, "2027-01-01T00:00:00Z");
    let schema_only = artifact(
        &dir,
        &image,
        ARTIFACT_TYPE,
        &example,
        "2024-01-01T00:00:00Z",
    );
    let schema = put(
        &dir,
        INDEX,
        &serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2, "mediaType": INDEX,
            "manifests": [with(schema_only.clone(), "artifactType", ARTIFACT_TYPE.into())]
        }))
        .unwrap(),
    );
    let schema_tag = image["digest"].as_str().unwrap().replacen(':', "-", 1);
    write_index(
        &dir,
        &[
            with(
                image.clone(),
                "annotations",
                serde_json::json!({REF_NAME: "v1"}),
            ),
            untagged.clone(),
            with(
                tagged.clone(),
                "annotations",
                serde_json::json!({REF_NAME: "gpu-spec"}),
            ),
            foreign.clone(),
            elsewhere.clone(),
            with(
                schema,
                "annotations",
                serde_json::json!({REF_NAME: schema_tag}),
            ),
        ],
    );
    let name = |d: &serde_json::Value| d["digest"].as_str().unwrap().to_owned();
    let artifacts = BTreeMap::from([
        ("untagged", name(&untagged)),
        ("tagged", name(&tagged)),
        ("foreign", name(&foreign)),
        ("elsewhere", name(&elsewhere)),
        ("schema", name(&schema_only)),
    ]);
    (work, dir, image, artifacts)
}

#[test]
fn a_layout_laid_out_as_oras_writes_it() {
    let (_work, dir, image, a) = oras_layout();
    let layout = oci(&dir, "v1");
    // Tagged and untagged entries and the tag-schema index, newest first; the other type and
    // the other subject are not listed.
    assert_eq!(
        listed(&layout, &[]),
        (
            "ociLayout".to_owned(),
            vec![
                a["tagged"].clone(),
                a["untagged"].clone(),
                a["schema"].clone()
            ]
        )
    );
    assert_eq!(
        ok(&["fetch", "--image", &layout]),
        std::fs::read_to_string(testdata("specs/gpu-node.yaml")).unwrap()
    );
    assert_eq!(
        ok(&["fetch", "--image", &layout, "--artifact", &a["schema"]]),
        std::fs::read_to_string(testdata("specs/nfd-example.yaml")).unwrap()
    );
    let out = nfd(&["fetch", "--image", &layout, "--artifact", &a["foreign"]]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is not attached"), "{}", out.stderr);
    // oras's own syntax, and a digest instead of the tag.
    let dir_s = dir.display().to_string();
    assert_eq!(listed(&format!("{dir_s}:v1"), &["--oci-layout"]).1.len(), 3);
    let by_digest = format!("oci:{dir_s}@{}", image["digest"].as_str().unwrap());
    assert_eq!(rich(&by_digest)["image"]["artifact"], a["tagged"].as_str());
    // The human report names the layout and how the artifact was found.
    let snapshot = snapshot();
    let out = nfd(&["validate-node", "--image", &layout, "--features", &snapshot]);
    assert!(
        out.stdout.contains(&format!(
            "Image: {layout}@{}",
            image["digest"].as_str().unwrap()
        )) && out
            .stdout
            .contains("3 attached; found through the OCI layout index)"),
        "{}",
        out.stdout
    );
    // export reads it like validate-node.
    let out = ok(&["export", "nodefeaturegroup", "--image", &layout]);
    assert!(out.contains("kind: NodeFeatureGroup"), "{out}");
    // detach removes the tag-schema one from its index, and the index.json entry of another.
    ok(&["detach", "--image", &layout, "--artifact", &a["schema"]]);
    ok(&["detach", "--image", &layout, "--artifact", &a["untagged"]]);
    assert_eq!(listed(&layout, &[]).1, vec![a["tagged"].clone()]);
    let hex = |d: &str| d.trim_start_matches("sha256:").to_owned();
    assert!(!dir.join("blobs/sha256").join(hex(&a["untagged"])).exists());
    let tags: Vec<Option<String>> = entries(&dir).into_iter().map(|(_, t)| t).collect();
    assert!(tags.contains(&Some("v1".to_owned())) && tags.contains(&Some("gpu-spec".to_owned())));
    assert!(!dir.join(".nfd-compat.lock").exists());
}

#[test]
fn attach_and_detach_write_a_layout_skopeo_still_reads() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    let python = require("python3", "apt-get install -y python3");
    stdout_of(
        Command::new(python)
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/make_layout.py"))
            .arg(&src),
    );
    let dir = work.path().join("app");
    skopeo_copy(&oci(&src, "single"), &oci(&dir, "v1"), false);
    skopeo_copy(&oci(&src, "multi"), &oci(&dir, "multi"), true);
    // A ref name with `:` (as skopeo writes `oci:DIR:example.com/app:v1`) is a tag.
    skopeo_copy(
        &oci(&src, "single"),
        &oci(&work.path().join("named"), "example.com/app:v1"),
        false,
    );
    let named = oci(&work.path().join("named"), "example.com/app:v1");
    ok(&[
        "attach",
        "--image",
        &named,
        &testdata("specs/gpu-node.yaml"),
    ]);
    assert_eq!(listed(&named, &[]).1.len(), 1);
    let before = entries(&dir);
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
    let old_inode = inode(&dir.join("index.json"));
    let image = oci(&dir, "v1");
    let digest = ok(&[
        "attach",
        "--image",
        &image,
        &testdata("specs/gpu-node.yaml"),
    ])
    .trim()
    .to_owned();
    let after = entries(&dir);
    // index.json was replaced (renamed over), not rewritten in place.
    assert_ne!(inode(&dir.join("index.json")), old_inode);
    assert_eq!(after[..2], before[..], "every tag is kept");
    assert_eq!(after[2], (digest.clone(), None));
    let entry = &read_index(&dir)["manifests"][2];
    assert_eq!(entry["artifactType"], ARTIFACT_TYPE);
    assert_eq!(entry["mediaType"], MANIFEST);
    // The manifest is what oras writes.
    let hex = digest.trim_start_matches("sha256:");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("blobs/sha256").join(hex)).unwrap())
            .unwrap();
    assert_eq!(manifest["artifactType"], ARTIFACT_TYPE);
    assert_eq!(manifest["layers"][0]["mediaType"], SPEC_TYPE);
    assert_eq!(manifest["subject"]["digest"], before[0].0.as_str());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // skopeo reads and copies both images.
    for (tag, all) in [("v1", false), ("multi", true)] {
        skopeo(&["inspect", "--raw", &oci(&dir, tag)]);
        skopeo_copy(&oci(&dir, tag), &oci(&work.path().join("out"), tag), all);
    }
    assert_eq!(rich(&image)["verdict"], "compatible");
    ok(&["detach", "--image", &image, "--artifact", &digest]);
    assert_eq!(entries(&dir), before);
    skopeo(&["inspect", &image]);
}

#[test]
fn concurrent_writers_never_lose_an_update() {
    let (_work, dir, _, _) = oras_layout();
    let layout = oci(&dir, "v1");
    let spec = testdata("specs/gpu-node.yaml");
    // Run them truly in parallel.
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let layout = layout.clone();
            let spec = spec.clone();
            std::thread::spawn(move || {
                let created = format!(
                    "org.opencontainers.image.created=2027-02-0{}T00:00:00Z",
                    i + 1
                );
                run(
                    &[
                        "attach",
                        "--image",
                        &layout,
                        "--annotation",
                        &created,
                        "--force",
                        &spec,
                    ],
                    None,
                )
            })
        })
        .collect();
    let mut attached = Vec::new();
    for h in handles {
        let out = h.join().unwrap();
        if out.code == 0 {
            attached.push(out.stdout.trim().to_owned());
        } else {
            assert!(
                out.stderr.contains("is being changed by another process"),
                "{}",
                out.stderr
            );
        }
    }
    assert!(!attached.is_empty());
    let (_, listed) = listed(&layout, &[]);
    for d in &attached {
        assert!(listed.contains(d), "{d} lost: {listed:?}");
    }
    assert!(!dir.join(".nfd-compat.lock").exists());
}

#[test]
fn a_held_lock_is_refused_and_a_stale_one_taken_over() {
    let (_work, dir, _, _) = oras_layout();
    let layout = oci(&dir, "v1");
    let spec = testdata("specs/gpu-node.yaml");
    let before = std::fs::read(dir.join("index.json")).unwrap();
    // Held by a live process (this test).
    std::fs::write(
        dir.join(".nfd-compat.lock"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();
    let out = nfd(&["attach", "--image", &layout, &spec]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is being changed by another process")
            && out.stderr.contains(".nfd-compat.lock"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(dir.join("index.json")).unwrap(), before);
    // Left by a process that is gone.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    std::fs::write(dir.join(".nfd-compat.lock"), format!("{pid}\n")).unwrap();
    let out = nfd(&["attach", "--image", &layout, &spec]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!dir.join(".nfd-compat.lock").exists());
}

#[test]
fn bad_layouts_are_clear_errors() {
    let (work, dir, image, a) = oras_layout();
    let fails = |image: &str, needle: &str| {
        let out = nfd(&["fetch", "--image", image]);
        assert_eq!(out.code, 2, "{image}: {}", out.stdout);
        assert!(
            out.stderr.contains(needle) && !out.stderr.contains("panicked"),
            "{image}: expected `{needle}` in: {}",
            out.stderr
        );
        assert_eq!(out.stderr.trim().lines().count(), 1, "{}", out.stderr);
    };
    let missing = work.path().join("nope");
    fails(&oci(&missing, "v1"), "does not exist");
    std::fs::create_dir(work.path().join("plain")).unwrap();
    fails(
        &oci(&work.path().join("plain"), "v1"),
        "has no `oci-layout` file",
    );
    fails(&oci(&dir, "v9"), "tag `v9` is not in OCI layout");
    fails(&oci(&dir, "v9"), "v1, gpu-spec, sha256-");
    fails(&format!("oci:{}", dir.display()), "holds several images");
    fails("oci::v1", "the layout directory is empty");
    fails(
        &format!("oci:{}@sha256:abc", dir.display()),
        "64 lower-case hex digits",
    );

    // A corrupt spec blob.
    let spec_of = |artifact: &str| -> PathBuf {
        let m: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join("blobs/sha256").join(&artifact[7..])).unwrap(),
        )
        .unwrap();
        dir.join("blobs/sha256")
            .join(&m["layers"][0]["digest"].as_str().unwrap()[7..])
    };
    let layer = spec_of(&a["tagged"]);
    let good = std::fs::read(&layer).unwrap();
    let mut bad = good.clone();
    bad[0] ^= 1;
    std::fs::write(&layer, &bad).unwrap();
    fails(&oci(&dir, "v1"), "does not match its digest");
    std::fs::remove_file(&layer).unwrap();
    fails(&oci(&dir, "v1"), "blob file is missing");
    std::fs::write(&layer, &good).unwrap();

    // Blob files that are symbolic links (to outside the layout) or FIFOs are not read.
    let outside = work.path().join("outside.yaml");
    std::fs::write(&outside, &good).unwrap();
    std::fs::remove_file(&layer).unwrap();
    std::os::unix::fs::symlink(&outside, &layer).unwrap();
    fails(&oci(&dir, "v1"), "is a symbolic link");
    std::fs::remove_file(&layer).unwrap();
    stdout_of(Command::new("mkfifo").arg(&layer));
    fails(&oci(&dir, "v1"), "is not a regular file");
    std::fs::remove_file(&layer).unwrap();
    std::fs::write(&layer, &good).unwrap();
    assert_eq!(nfd(&["fetch", "--image", &oci(&dir, "v1")]).code, 0);

    // index.json entries whose digests would lead outside blobs/ are never opened.
    let outside = work.path().join("secret");
    std::fs::write(&outside, b"{}").unwrap();
    let mut index = read_index(&dir);
    index["manifests"].as_array_mut().unwrap().push(
        serde_json::json!({"mediaType": MANIFEST, "digest": "sha256:../../../secret", "size": 2}),
    );
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    fails(&oci(&dir, "v1"), "invalid digest `sha256:../../../secret`");

    // Oversized entries stop at the 4 MiB limit before anything is read.
    let mut index = read_index(&dir);
    let m = index["manifests"].as_array_mut().unwrap();
    m.pop();
    m[0]["size"] = serde_json::json!(5u64 << 20);
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    fails(&oci(&dir, "v1"), "the limit is 4194304");
    let _ = image;

    // An index.json that is a symbolic link (to a file outside) is not read.
    let saved = std::fs::read(dir.join("index.json")).unwrap();
    let outside_index = work.path().join("outside-index.json");
    std::fs::write(&outside_index, &saved).unwrap();
    std::fs::remove_file(dir.join("index.json")).unwrap();
    std::os::unix::fs::symlink(&outside_index, dir.join("index.json")).unwrap();
    fails(&oci(&dir, "v1"), "is a symbolic link");
    std::fs::remove_file(dir.join("index.json")).unwrap();

    // An index.json past its 16 MiB limit is refused before it is parsed.
    let mut huge = b"{\"schemaVersion\":2,\"manifests\":[]} ".to_vec();
    huge.resize((16 << 20) + 1, b' ');
    std::fs::write(dir.join("index.json"), &huge).unwrap();
    fails(
        &oci(&dir, "v1"),
        "`index.json` is larger than 16777216 bytes",
    );

    // Not JSON.
    std::fs::write(dir.join("index.json"), b"{not json").unwrap();
    fails(&oci(&dir, "v1"), "is not a valid OCI index");
}

#[test]
fn copy_needs_the_image_at_the_destination() {
    let ferro = Registry::ferro();
    let images = push_images(&ferro, None);
    let source = format!("{}/app:v1", ferro.host);
    let none = nfd(&["copy", "--image", &source, "--to", "oci:/nonexistent/x:v1"]);
    assert_eq!(none.code, 2);
    assert!(
        none.stderr
            .contains("OCI layout `/nonexistent/x` does not exist"),
        "{}",
        none.stderr
    );
    let work = tempfile::tempdir().unwrap();
    let amd = work.path().join("amd");
    skopeo_copy(&format!("docker://{source}"), &oci(&amd, "v1"), false);
    let out = nfd(&["copy", "--image", &source, "--to", &oci(&amd, "v1")]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no compatibility artifact"),
        "{}",
        out.stderr
    );
    let digest = ok(&[
        "attach",
        "--image",
        &source,
        &testdata("specs/gpu-node.yaml"),
    ])
    .trim()
    .to_owned();
    // A layout with another image (the arm64 one) under the tag.
    let dir = work.path().join("other");
    skopeo_copy(
        &format!("docker://{}/app@{}", ferro.host, images.arm64),
        &oci(&dir, "v1"),
        false,
    );
    let before = std::fs::read(dir.join("index.json")).unwrap();
    let out = nfd(&["copy", "--image", &source, "--to", &oci(&dir, "v1")]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&images.arm64)
            && out.stderr.contains(&images.amd64)
            && out.stderr.contains("copy the image there first"),
        "{}",
        out.stderr
    );
    // Without a tag: the subject is looked for and is not there.
    let out = nfd(&[
        "copy",
        "--image",
        &source,
        "--to",
        &format!("oci:{}", dir.display()),
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains(&format!("has no manifest {}", images.amd64)),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(dir.join("index.json")).unwrap(), before);
    // An unknown --artifact names what is attached.
    let other = format!("sha256:{}", "1".repeat(64));
    let out = nfd(&[
        "copy",
        "--image",
        &source,
        "--to",
        &oci(&amd, "v1"),
        "--artifact",
        &other,
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(&digest), "{}", out.stderr);
    // The oras spelling of the destination.
    let out = ok(&[
        "copy",
        "--image",
        &source,
        "--to",
        &format!("{}:v1", amd.display()),
        "--to-oci-layout",
    ]);
    assert_eq!(out, format!("{digest} copied\n"));
}
