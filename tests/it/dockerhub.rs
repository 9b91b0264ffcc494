//! Docker Hub as users meet it, with no internet: in private namespaces where
//! `registry-1.docker.io` and `auth.docker.io` are 127.0.0.1, Docker Hub's token flow and
//! CDN redirect (`tests/scripts/hub_front.py`) in front of a real docker-registry. Also a name
//! that does not resolve.

use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;

use base64::Engine as _;

use crate::namespace::{HUB_PASSWORD, HUB_USER, Hub, clean_env, isolated};
use crate::support::registry::require;

fn base64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// No secret, nor its base64, anywhere in what a run printed.
fn assert_no_secret(out: &crate::common::Output) {
    let encoded = base64(&format!("{HUB_USER}:{HUB_PASSWORD}"));
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !text.contains(HUB_PASSWORD) && !text.contains(&encoded),
            "a secret in {name}: {text}"
        );
    }
}

#[test]
fn public_images_by_every_docker_hub_spelling() {
    isolated(
        "dockerhub::public_images_by_every_docker_hub_spelling",
        || {
            let hub = Hub::start();
            // The front itself behaves as Docker Hub for an independent client.
            let skopeo = require("skopeo", "apt-get install -y skopeo");
            let certs = tempfile::tempdir().unwrap();
            std::fs::copy(&hub.ca, certs.path().join("ca.crt")).unwrap();
            let inspect = |image: &str| {
                Command::new(&skopeo)
                    .args(["inspect", "--raw", "--cert-dir"])
                    .arg(certs.path())
                    .arg(format!("docker://{image}"))
                    .env("HOME", certs.path())
                    .output()
                    .unwrap()
            };
            let public = inspect("app:v1");
            assert!(
                public.status.success(),
                "skopeo, anonymous pull: {}",
                String::from_utf8_lossy(&public.stderr)
            );
            assert!(
                !inspect("team/private:v1").status.success(),
                "skopeo: the private repository needs a login"
            );

            for image in [
                "app:v1",
                "library/app:v1",
                "docker.io/app:v1",
                "docker.io/library/app:v1",
                "index.docker.io/library/app:v1",
            ] {
                hub.clear_requests();
                let out = hub.run(&["fetch", "--image", image], &[], None);
                assert_eq!(out.code, 0, "{image}: {}", out.stderr);
                assert_eq!(out.stdout.as_bytes(), hub.spec.as_slice(), "{image}");
                let seen = hub.requests();
                // Anonymous: a token for the pull scope, then Bearer on every registry request;
                // the blob comes from the CDN host, with no credentials.
                assert!(
                    seen.iter()
                        .any(|(host, _, path, auth)| host == "auth.docker.io"
                            && path.contains("scope=repository%3Alibrary%2Fapp%3Apull")
                            && auth.is_none()),
                    "{image}: {seen:?}"
                );
                for (host, _, path, auth) in &seen {
                    match host.as_str() {
                        "registry-1.docker.io" => assert!(
                            auth.is_none()
                                || auth.as_deref().is_some_and(|a| a.starts_with("Bearer ")),
                            "{path}: {auth:?}"
                        ),
                        "cdn.docker.test" => assert_eq!(auth, &None, "{path}"),
                        _ => {}
                    }
                }
                assert!(
                    seen.iter().any(|(host, ..)| host == "cdn.docker.test"),
                    "{seen:?}"
                );
            }

            // The README's example shape: validate-node on a short name.
            let snapshot = crate::common::testdata("snapshots/intel-server.json");
            let out = hub.run(
                &[
                    "validate-node",
                    "--image",
                    "app:v1",
                    "--features",
                    &snapshot,
                    "-o",
                    "json",
                ],
                &[],
                None,
            );
            assert_eq!(out.code, 0, "{}", out.stderr);
            let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
            assert_eq!(v["image"]["reference"], "docker.io/library/app:v1");

            // list and detach resolve an index as fetch does: the spec hangs on the amd64
            // manifest of `library/app:multi` (attached through the upstream directly).
            let attach = crate::common::run_with_env(
                &[
                    "attach",
                    "--image",
                    &format!("{}/library/app:multi", hub.upstream.host),
                    "--platform",
                    "linux/amd64",
                    "--plain-http",
                    &crate::common::testdata("specs/gpu-node.yaml"),
                ],
                &[],
                None,
            );
            assert_eq!(attach.code, 0, "{}", attach.stderr);
            let digest = attach.stdout.trim().to_owned();
            let out = hub.run(&["fetch", "--image", "app:multi"], &[], None);
            assert_eq!(out.code, 0, "{}", out.stderr);
            let out = hub.run(&["list", "--image", "app:multi", "-o", "json"], &[], None);
            assert_eq!(out.code, 0, "{}", out.stderr);
            assert!(out.stdout.contains(&digest), "{}", out.stdout);
            // detach (on the registry itself: the front grants pulls only) finds it too.
            let out = crate::common::run_with_env(
                &[
                    "detach",
                    "--image",
                    &format!("{}/library/app:multi", hub.upstream.host),
                    "--artifact",
                    &digest,
                    "--plain-http",
                ],
                &[],
                None,
            );
            assert_eq!(out.code, 0, "{}", out.stderr);
            // (The spec attached to `library/app:v1`, the same amd64 manifest, stays.)
            let out = hub.run(&["list", "--image", "app:multi", "-o", "json"], &[], None);
            assert_eq!(out.code, 0, "{}", out.stderr);
            assert!(!out.stdout.contains(&digest), "{}", out.stdout);
            assert!(out.stdout.contains("sha256:"), "{}", out.stdout);
        },
    );
}

#[test]
fn private_images_with_every_kind_of_credential() {
    isolated(
        "dockerhub::private_images_with_every_kind_of_credential",
        || {
            let hub = Hub::start();
            let home = tempfile::tempdir().unwrap();
            let image = "team/private:v1";

            // Anonymous: Docker Hub hands out a token that grants nothing.
            let out = hub.run(&["fetch", "--image", image], &[], None);
            assert_eq!(out.code, 2);
            assert!(
                out.stderr.contains("access denied (401)") && out.stderr.contains("docker login"),
                "{}",
                out.stderr
            );

            // --registry-username with the password on stdin, traced with --debug.
            hub.clear_requests();
            let out = hub.run(
                &[
                    "fetch",
                    "--image",
                    image,
                    "--registry-username",
                    HUB_USER,
                    "--registry-password-stdin",
                    "--debug",
                ],
                &[],
                Some(format!("{HUB_PASSWORD}\n").as_bytes()),
            );
            assert_eq!(out.code, 0, "{}", out.stderr);
            assert_eq!(out.stdout.as_bytes(), hub.spec.as_slice());
            assert_no_secret(&out);
            assert!(
            out.stderr.contains("debug: token for scope `repository:team/private:pull` from https://auth.docker.io/token with the credentials from --registry-username and --registry-password-stdin"),
            "{}",
            out.stderr
        );
            assert!(
                out.stderr.contains(
                    "debug: GET https://registry-1.docker.io/v2/team/private/manifests/v1 -> 200"
                ),
                "{}",
                out.stderr
            );
            // Basic credentials went to the token service only; the CDN got nothing.
            let seen = hub.requests();
            for (host, _, path, auth) in &seen {
                let basic = auth.as_deref().is_some_and(|a| a.starts_with("Basic "));
                assert!(
                    !basic || host == "auth.docker.io",
                    "Basic credentials sent to {host}{path}"
                );
                if host == "cdn.docker.test" {
                    assert_eq!(auth, &None, "{path}");
                }
            }
            assert!(
                seen.iter()
                    .any(|(host, _, _, auth)| host == "auth.docker.io"
                        && auth.as_deref().is_some_and(|a| a.starts_with("Basic "))),
                "{seen:?}"
            );

            // Good credentials without access: said so, with where they came from.
            let out = hub.run(
                &[
                    "fetch",
                    "--image",
                    "forbidden/app:v1",
                    "--registry-username",
                    HUB_USER,
                    "--registry-password-stdin",
                ],
                &[],
                Some(HUB_PASSWORD.as_bytes()),
            );
            assert_eq!(out.code, 2);
            assert!(
            out.stderr.contains("access denied (401): the credentials from --registry-username and --registry-password-stdin do not grant `repository:forbidden/app:pull` on `registry-1.docker.io`"),
            "{}",
            out.stderr
        );

            // A wrong password: the error names where the credentials came from.
            let out = hub.run(
                &[
                    "fetch",
                    "--image",
                    image,
                    "--registry-username",
                    HUB_USER,
                    "--registry-password-stdin",
                ],
                &[],
                Some(b"not-the-password"),
            );
            assert_eq!(out.code, 2);
            assert!(
            out.stderr.contains("`registry-1.docker.io` refused the credentials from --registry-username and --registry-password-stdin"),
            "{}",
            out.stderr
        );

            // docker login's config.json: Docker Hub's key.
            let docker = home.path().join("docker");
            std::fs::create_dir(&docker).unwrap();
            let auth = base64(&format!("{HUB_USER}:{HUB_PASSWORD}"));
            std::fs::write(
                docker.join("config.json"),
                format!(r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}}}}}}"#),
            )
            .unwrap();
            let docker_dir = docker.to_str().unwrap();
            let out = hub.run(
                &["fetch", "--image", image, "--debug"],
                &[("DOCKER_CONFIG", docker_dir)],
                None,
            );
            assert_eq!(out.code, 0, "{}", out.stderr);
            assert_no_secret(&out);
            assert!(
                out.stderr.contains(
                    "`auths` entry `https://index.docker.io/v1/` of $DOCKER_CONFIG/config.json"
                ),
                "{}",
                out.stderr
            );

            // Other spellings other tools write.
            for key in ["index.docker.io", "docker.io", "registry-1.docker.io"] {
                std::fs::write(
                    docker.join("config.json"),
                    format!(r#"{{"auths":{{"{key}":{{"auth":"{auth}"}}}}}}"#),
                )
                .unwrap();
                let out = hub.run(
                    &["fetch", "--image", image],
                    &[("DOCKER_CONFIG", docker_dir)],
                    None,
                );
                assert_eq!(out.code, 0, "{key}: {}", out.stderr);
            }

            // A credsStore helper, asked with Docker Hub's key.
            let bin = home.path().join("bin");
            std::fs::create_dir(&bin).unwrap();
            let helper = bin.join("docker-credential-hubtest");
            std::fs::write(
            &helper,
            format!(
                "#!/bin/sh\n[ \"$1\" = get ] || exit 2\nread server\n[ \"$server\" = \"https://index.docker.io/v1/\" ] || {{ echo \"credentials not found in native keychain\"; exit 1; }}\necho '{{\"ServerURL\":\"'$server'\",\"Username\":\"{HUB_USER}\",\"Secret\":\"{HUB_PASSWORD}\"}}'\n"
            ),
        )
        .unwrap();
            std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::write(docker.join("config.json"), r#"{"credsStore":"hubtest"}"#).unwrap();
            let path = format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            );
            let out = hub.run(
                &["fetch", "--image", image, "--debug"],
                &[("DOCKER_CONFIG", docker_dir), ("PATH", &path)],
                None,
            );
            assert_eq!(out.code, 0, "{}", out.stderr);
            assert_no_secret(&out);
            assert!(
            out.stderr.contains("credential helper `docker-credential-hubtest` (credsStore of $DOCKER_CONFIG/config.json"),
            "{}",
            out.stderr
        );
            // A credHelpers entry under Docker Hub's key.
            std::fs::write(
                docker.join("config.json"),
                r#"{"credHelpers":{"https://index.docker.io/v1/":"hubtest"}}"#,
            )
            .unwrap();
            let out = hub.run(
                &["fetch", "--image", image],
                &[("DOCKER_CONFIG", docker_dir), ("PATH", &path)],
                None,
            );
            assert_eq!(out.code, 0, "{}", out.stderr);

            // A broken config.json: the warning is printed even though the fetch then fails.
            std::fs::write(docker.join("config.json"), "{not json").unwrap();
            let out = hub.run(
                &["fetch", "--image", image],
                &[("DOCKER_CONFIG", docker_dir)],
                None,
            );
            assert_eq!(out.code, 2);
            assert!(
                out.stderr.contains("warning: cannot use credentials file")
                    && out.stderr.contains("config.json")
                    && out.stderr.contains("access denied (401)"),
                "{}",
                out.stderr
            );
            // The public image's anonymous flow is unaffected by stored credentials for others.
            let out = hub.run(
                &["fetch", "--image", "app:v1"],
                &clean_env(home.path(), &[]),
                None,
            );
            assert_eq!(out.code, 0, "{}", out.stderr);
        },
    );
}

#[test]
fn a_name_that_does_not_resolve_fails_at_once() {
    isolated(
        "dockerhub::a_name_that_does_not_resolve_fails_at_once",
        || {
            let home = tempfile::tempdir().unwrap();
            let started = std::time::Instant::now();
            let out = crate::common::run_with_env(
                &[
                    "fetch",
                    "--image",
                    "registry.nowhere.test/app:v1",
                    "--debug",
                ],
                &clean_env(home.path(), &[]),
                None,
            );
            assert_eq!(out.code, 2);
            assert!(
                out.stderr
                    .contains("unknown host `registry.nowhere.test`: the name does not resolve"),
                "{}",
                out.stderr
            );
            // One attempt, no retries (a retry would show in the trace).
            assert_eq!(
                out.stderr
                    .matches("debug: GET https://registry.nowhere.test")
                    .count(),
                1,
                "{}",
                out.stderr
            );
            assert!(!out.stderr.contains("retry"), "{}", out.stderr);
            // Generous: three retries with backoff would take well over a second.
            assert!(started.elapsed() < std::time::Duration::from_secs(20));
        },
    );
}
