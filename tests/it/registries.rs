//! Real registries on 127.0.0.1, started by the tests: Debian's `docker-registry`
//! (distribution 2.8.2: no referrers API, so the tag schema; htpasswd Basic auth) and
//! `ferro-oci-server` (the native referrers API). Images are pushed with skopeo from an OCI
//! layout the tests write, and artifacts attached with oras-py: what the ecosystem writes.

use crate::common::{Output, run_with_env, testdata};
use crate::support::registry::{Attach, Registry, free_port, oras_attach, push_images};

/// `validate-node --image` against a saved snapshot, so that only the registry varies.
pub(crate) fn validate(image: &str, extra: &[&str]) -> Output {
    validate_env(image, extra, &[], None)
}

/// As [`validate`], with environment variables and stdin.
pub(crate) fn validate_env(
    image: &str,
    extra: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&[u8]>,
) -> Output {
    let snapshot = testdata("snapshots/intel-server.json");
    let mut args = vec![
        "validate-node",
        "--image",
        image,
        "--plain-http",
        "--features",
        &snapshot,
    ];
    args.extend_from_slice(extra);
    run_with_env(&args, env, stdin)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\nstderr: {}", out.stdout, out.stderr))
}

const SPEC_OK: &str = "specs/gpu-node.yaml";
const SPEC_FAIL: &str = "specs/nfd-example.yaml";

#[test]
fn referrers_api_on_ferro() {
    let registry = Registry::ferro();
    let images = push_images(&registry, None);
    let spec = testdata(SPEC_OK);
    let artifact = images.attach_to_amd64(
        &registry,
        &Attach {
            spec: Some(&spec),
            created: Some("2026-03-01T10:00:00Z"),
            ..Attach::default()
        },
    );
    let out = validate(&format!("{}/app:v1", registry.host), &["-o", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(v["verdict"], "compatible");
    assert_eq!(v["image"]["lookup"], "referrersApi");
    assert_eq!(v["image"]["digest"], images.amd64.as_str());
    assert_eq!(v["image"]["artifact"], artifact.as_str());
    assert_eq!(v["image"]["created"], "2026-03-01T10:00:00Z");
    // resolve + referrers + artifact manifest + spec blob.
    assert_eq!(v["image"]["requests"], 4);
    // By digest: no resolve needed.
    let out = validate(
        &format!("{}/app@{}", registry.host, images.amd64),
        &["-o", "json"],
    );
    assert_eq!(json(&out)["image"]["requests"], 3, "{}", out.stderr);
    // The human report says where the spec came from.
    let out = validate(&format!("{}/app:v1", registry.host), &[]);
    assert!(
        out.stdout.contains(&format!(
            "Artifact: {artifact} created 2026-03-01T10:00:00Z"
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("referrers API in 4 requests"),
        "{}",
        out.stdout
    );
    // --output-json stays NFD's shape.
    let out = validate(&format!("{}/app:v1", registry.host), &["--output-json"]);
    assert!(json(&out).is_array());
}

#[test]
fn tag_schema_on_docker_registry() {
    let registry = Registry::docker(None);
    let images = push_images(&registry, None);
    let spec = testdata(SPEC_FAIL);
    let artifact = images.attach_to_amd64(
        &registry,
        &Attach {
            spec: Some(&spec),
            tag_schema: true,
            ..Attach::default()
        },
    );
    let out = validate(&format!("{}/app:v1", registry.host), &["-o", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(v["image"]["lookup"], "tagSchema");
    assert_eq!(v["image"]["artifact"], artifact.as_str());
    // resolve + referrers (404) + tag-schema index + tag list (artifact tags) + artifact
    // manifest + spec blob.
    assert_eq!(v["image"]["requests"], 6);
}

#[test]
fn the_newest_artifact_wins_and_artifact_pins_one() {
    let registry = Registry::ferro();
    let images = push_images(&registry, None);
    let (ok, fail) = (testdata(SPEC_OK), testdata(SPEC_FAIL));
    let older = images.attach_to_amd64(
        &registry,
        &Attach {
            spec: Some(&fail),
            created: Some("2025-12-31T23:00:00Z"),
            ..Attach::default()
        },
    );
    let newer = images.attach_to_amd64(
        &registry,
        &Attach {
            spec: Some(&ok),
            created: Some("2026-01-01T00:30:00+01:00"),
            ..Attach::default()
        },
    );
    let image = format!("{}/app:v1", registry.host);
    let v = json(&validate(&image, &["-o", "json"]));
    assert_eq!(v["image"]["artifact"], newer.as_str());
    assert_eq!(v["image"]["artifactsAttached"], 2);
    assert_eq!(v["verdict"], "compatible");
    let out = validate(&image, &["-o", "json", "--artifact", &older]);
    assert_eq!(out.code, 1);
    assert_eq!(json(&out)["image"]["artifact"], older.as_str());
    let missing = format!("sha256:{}", "0".repeat(64));
    let out = validate(&image, &["--artifact", &missing]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!(
            "artifact `{missing}` is not attached to the image; attached: "
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn platforms_of_an_index() {
    let registry = Registry::docker(None);
    let images = push_images(&registry, None);
    let (ok, fail) = (testdata(SPEC_OK), testdata(SPEC_FAIL));
    oras_attach(
        &registry,
        &images.arm64,
        images.arm64_size,
        &Attach {
            spec: Some(&fail),
            tag_schema: true,
            ..Attach::default()
        },
    );
    let image = format!("{}/app:multi", registry.host);
    let out = validate(&image, &["-o", "json", "--platform", "linux/arm64"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(v["image"]["digest"], images.index.as_str());
    assert_eq!(v["image"]["platformManifest"], images.arm64.as_str());
    assert_eq!(v["image"]["platform"], "linux/arm64");
    let out = validate(&image, &["--platform", "linux/s390x"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no manifest for platform linux/s390x in the image index (it has: linux/amd64, linux/arm64)"), "{}", out.stderr);
    // A single-platform image is checked against its config.
    let single = format!("{}/app:v1", registry.host);
    let out = validate(&single, &["--platform", "linux/arm64"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the image is for linux/amd64, not linux/arm64"),
        "{}",
        out.stderr
    );
    let out = validate(&image, &["--platform", "linux/"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("invalid --platform `linux/`: architecture cannot be empty"),
        "{}",
        out.stderr
    );
    // Without --platform: nothing on the index itself, so the manifest of this host's
    // platform is tried (the tests run on linux/amd64 or linux/arm64).
    // On an arm64 host the arm64 manifest already carries the failing spec; on amd64, attach
    // the passing one to the amd64 manifest.
    let (host_manifest, expected) = if cfg!(target_arch = "aarch64") {
        (&images.arm64, 1)
    } else {
        images.attach_to_amd64(
            &registry,
            &Attach {
                spec: Some(&ok),
                tag_schema: true,
                ..Attach::default()
            },
        );
        (&images.amd64, 0)
    };
    let out = validate(&image, &["-o", "json"]);
    assert_eq!(out.code, expected, "{}", out.stderr);
    assert_eq!(
        json(&out)["image"]["platformManifest"],
        host_manifest.as_str()
    );
    // An artifact on the index itself is preferred.
    let index_artifact = oras_attach(
        &registry,
        &images.index,
        images.index_size,
        &Attach {
            spec: Some(&ok),
            tag_schema: true,
            subject_media_type: Some("application/vnd.oci.image.index.v1+json"),
            ..Attach::default()
        },
    );
    let v = json(&validate(&image, &["-o", "json"]));
    assert_eq!(v["image"]["artifact"], index_artifact.as_str());
    assert!(v["image"].get("platformManifest").is_none());
}

#[test]
fn basic_auth_with_nfd_flags_and_docker_config() {
    let (user, password) = ("ci-user", "s3cr3t-Passw0rd");
    let registry = Registry::docker(Some((user, password)));
    let images = push_images(&registry, Some((user, password)));
    let spec = testdata(SPEC_OK);
    images.attach_to_amd64(
        &registry,
        &Attach {
            spec: Some(&spec),
            tag_schema: true,
            credentials: Some((user, password)),
            ..Attach::default()
        },
    );
    let image = format!("{}/app:v1", registry.host);
    let home = tempfile::tempdir().unwrap();
    let empty_env = [
        ("HOME", home.path().to_str().unwrap()),
        ("DOCKER_CONFIG", home.path().to_str().unwrap()),
    ];

    let out = validate_env(&image, &[], &empty_env, None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains(&format!("`{}` requires credentials", registry.host)),
        "{}",
        out.stderr
    );

    let out = validate_env(
        &image,
        &[
            "--registry-username",
            user,
            "--registry-password-stdin",
            "-o",
            "json",
        ],
        &empty_env,
        Some(format!("{password}\n").as_bytes()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(password) && !out.stderr.contains(password));

    let out = validate_env(
        &image,
        &["--registry-username", user, "--registry-password-stdin"],
        &empty_env,
        Some(b"wrong-password"),
    );
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("image `{image}`: access denied (401)")),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("wrong-password"));

    let out = validate_env(
        &image,
        &["--registry-token-stdin", "--registry-password-stdin"],
        &empty_env,
        Some(b"x"),
    );
    assert_eq!(
        out.stderr.trim(),
        "error: cannot use --registry-token-stdin and --registry-password-stdin at the same time"
    );

    // docker login's config.json.
    let config = home.path().join("config.json");
    let auth = base64_encode(&format!("{user}:{password}"));
    std::fs::write(
        &config,
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, registry.host),
    )
    .unwrap();
    let out = validate_env(&image, &[], &empty_env, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // A credential helper named in credHelpers (docker-credential-<name> on PATH).
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let helper = bin.join("docker-credential-nfdtest");
    std::fs::write(&helper, format!("#!/bin/sh\nread server\n[ \"$server\" = \"{}\" ] || exit 1\necho '{{\"Username\":\"{user}\",\"Secret\":\"{password}\"}}'\n", registry.host)).unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(
        &config,
        format!(r#"{{"credHelpers":{{"{}":"nfdtest"}}}}"#, registry.host),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = validate_env(
        &image,
        &[],
        &[empty_env[0], empty_env[1], ("PATH", &path)],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(password) && !out.stderr.contains(password));
    // podman's auth.json through $REGISTRY_AUTH_FILE takes precedence.
    let podman = home.path().join("auth.json");
    std::fs::write(
        &podman,
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{}"}}}}}}"#,
            registry.host,
            base64_encode("ci-user:nope")
        ),
    )
    .unwrap();
    let env = [
        empty_env[0],
        empty_env[1],
        ("REGISTRY_AUTH_FILE", podman.to_str().unwrap()),
    ];
    let out = validate_env(&image, &[], &env, None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("access denied"), "{}", out.stderr);
}

fn base64_encode(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn registry_errors_are_one_clear_line() {
    let registry = Registry::ferro();
    let images = push_images(&registry, None);
    let bad_spec = registry.scratch().join("bad.yaml");
    std::fs::write(&bad_spec, "version: v1alpha1\ncompatibilities: [\n").unwrap();
    let down = format!("127.0.0.1:{}", free_port());
    let cases: Vec<(String, Vec<&str>, String)> = vec![
        (
            "not a ref".into(),
            vec![],
            "error: invalid image reference `not a ref`".into(),
        ),
        (
            format!("{down}/app:v1"),
            vec!["--timeout", "5"],
            format!("error: image `{down}/app:v1`: cannot connect to `{down}`"),
        ),
        (
            format!("{}/nothere:v1", registry.host),
            vec![],
            format!(
                "error: image `{}/nothere:v1`: image not found",
                registry.host
            ),
        ),
        (
            format!("{}/app:v1", registry.host),
            vec![],
            format!(
                "error: image `{}/app:v1`: no compatibility artifact (artifactType application/vnd.nfd.image-compatibility.v1alpha1) is attached to `{}/app:v1`; attach one with `nfd-compat attach",
                registry.host, registry.host
            ),
        ),
    ];
    for (image, extra, want) in cases {
        let out = validate(&image, &extra);
        assert_eq!(out.code, 2, "{image}: {}", out.stderr);
        assert!(out.stdout.is_empty());
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        assert!(
            out.stderr.starts_with(&want),
            "got:  {}want: {want}",
            out.stderr
        );
    }
    // An artifact without layers, then one whose layer is not a spec.
    images.attach_to_amd64(
        &registry,
        &Attach {
            no_layer: true,
            created: Some("2026-01-01T00:00:00Z"),
            ..Attach::default()
        },
    );
    let out = validate(&format!("{}/app:v1", registry.host), &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("has no layers: it carries no spec"),
        "{}",
        out.stderr
    );
    let bad = bad_spec.to_str().unwrap();
    let artifact = images.attach_to_amd64(
        &registry,
        &Attach {
            spec: Some(bad),
            created: Some("2026-02-01T00:00:00Z"),
            ..Attach::default()
        },
    );
    let out = validate(&format!("{}/app:v1", registry.host), &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with(&format!(
            "error: spec of `{}/app:v1` (artifact {artifact}):3:1: not valid YAML",
            registry.host
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn a_layer_of_another_media_type_is_read_with_a_warning() {
    let registry = Registry::ferro();
    let images = push_images(&registry, None);
    let spec = testdata(SPEC_OK);
    images.attach_to_amd64(
        &registry,
        &Attach {
            spec: Some(&spec),
            layer_media_type: Some("application/yaml"),
            ..Attach::default()
        },
    );
    let out = validate(&format!("{}/app:v1", registry.host), &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("has no layer of media type application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml; reading its first layer (application/yaml)"), "{}", out.stderr);
}

#[test]
fn tls_needs_trust_or_insecure() {
    let (registry, ca) = Registry::docker_tls();
    let images = push_images(&registry, None);
    let spec = testdata(SPEC_OK);
    // oras-py is told to use plain HTTP by the helper; attach through skopeo's trust instead:
    // the artifact goes on over TLS with oras-py's `insecure` turned into TLS without checks.
    images.attach_to_amd64(
        &registry,
        &Attach {
            spec: Some(&spec),
            tag_schema: true,
            tls: true,
            ..Attach::default()
        },
    );
    let snapshot = testdata("snapshots/intel-server.json");
    let image = format!("{}/app:v1", registry.host);
    let base = ["validate-node", "--image", &image, "--features", &snapshot];
    let out = crate::common::run(&base, None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains(&format!("TLS with `{}` failed", registry.host)),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--ca-file"), "{}", out.stderr);
    let ca = ca.to_str().unwrap();
    let out = crate::common::run(&[&base[..], &["--ca-file", ca]].concat(), None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = crate::common::run(&[&base[..], &["--insecure"]].concat(), None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "warning: TLS certificate verification is off for `{}` (--insecure)",
            registry.host
        )),
        "{}",
        out.stderr
    );
}
