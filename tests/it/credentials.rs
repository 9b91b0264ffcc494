//! Stored credentials where podman, skopeo, buildah and docker keep them, in their order,
//! against a real docker-registry with htpasswd Basic auth on 127.0.0.1.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::common::{Output, run_with_env};
use crate::support::registry::{Attach, Registry, push_images};

/// Environment variables for one run.
type Env<'a> = Vec<(&'a str, &'a str)>;

const USER: &str = "ci-user";
const PASSWORD: &str = "Basic-s3cret-pw";

/// A registry with an image and a spec, and an empty home to put credential files in.
struct Setup {
    registry: Registry,
    home: tempfile::TempDir,
}

impl Setup {
    fn start() -> Setup {
        let registry = Registry::docker(Some((USER, PASSWORD)));
        let images = push_images(&registry, Some((USER, PASSWORD)));
        let spec = crate::common::testdata("specs/gpu-node.yaml");
        images.attach_to_amd64(
            &registry,
            &Attach {
                spec: Some(&spec),
                tag_schema: true,
                credentials: Some((USER, PASSWORD)),
                ..Attach::default()
            },
        );
        Setup {
            registry,
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.home.path().join(rel)
    }

    /// Writes an `auths` file for the registry with `user:password` at `rel` under home.
    fn write(&self, rel: &str, user: &str, password: &str) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        std::fs::write(
            &path,
            format!(
                r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#,
                self.registry.host
            ),
        )
        .unwrap();
        path
    }

    /// Removes every credential file.
    fn clear(&self) {
        for entry in std::fs::read_dir(self.home.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            } else {
                std::fs::remove_file(&path).unwrap();
            }
        }
    }

    /// `fetch --debug` with HOME at the temporary home, `XDG_RUNTIME_DIR` at `run/`, and
    /// `env` on top.
    fn fetch(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let image = format!("{}/app:v1", self.registry.host);
        let mut all = vec!["fetch", "--image", &image, "--plain-http", "--debug"];
        all.extend_from_slice(args);
        let home = self.home.path().to_str().unwrap().to_owned();
        let run = self.path("run");
        let run = run.to_str().unwrap();
        let mut vars: Vec<(&str, &str)> = vec![
            ("HOME", &home),
            ("XDG_RUNTIME_DIR", run),
            ("XDG_CONFIG_HOME", ""),
            ("DOCKER_CONFIG", ""),
            ("REGISTRY_AUTH_FILE", ""),
        ];
        vars.extend_from_slice(env);
        let out = run_with_env(&all, &vars, None);
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
        assert!(
            !out.stdout.contains(PASSWORD)
                && !out.stderr.contains(PASSWORD)
                && !out.stderr.contains(&encoded),
            "a secret was printed: {}",
            out.stderr
        );
        out
    }
}

/// The `--debug` line saying where the credentials came from.
fn origin_line(out: &Output) -> &str {
    out.stderr
        .lines()
        .find(|l| l.starts_with("debug: credentials for"))
        .unwrap_or_else(|| panic!("no credentials line: {}", out.stderr))
}

fn shown(p: &Path) -> String {
    format!("`{}`", p.display())
}

#[test]
fn auth_files_in_every_containers_location() {
    let s = Setup::start();
    let run = s.path("run");
    std::fs::create_dir_all(&run).unwrap();

    let out = s.fetch(&[], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("requires credentials"),
        "{}",
        out.stderr
    );

    // Each location alone, in the containers order.
    let config_home = s.path("cfg");
    let docker_config = s.path("dockercfg");
    let cases: [(&str, &str, Env<'_>); 6] = [
        (
            "run/containers/auth.json",
            "$XDG_RUNTIME_DIR/containers/auth.json",
            vec![],
        ),
        // Read although XDG_RUNTIME_DIR is set.
        (
            ".config/containers/auth.json",
            "~/.config/containers/auth.json",
            vec![],
        ),
        (
            "cfg/containers/auth.json",
            "$XDG_CONFIG_HOME/containers/auth.json",
            vec![("XDG_CONFIG_HOME", config_home.to_str().unwrap())],
        ),
        (".docker/config.json", "~/.docker/config.json", vec![]),
        (
            "dockercfg/config.json",
            "$DOCKER_CONFIG/config.json",
            vec![("DOCKER_CONFIG", docker_config.to_str().unwrap())],
        ),
        ("elsewhere/auth.json", "$REGISTRY_AUTH_FILE", vec![]),
    ];
    for (rel, via, env) in cases {
        s.clear();
        std::fs::create_dir_all(&run).unwrap();
        let file = s.write(rel, USER, PASSWORD);
        let mut env = env.clone();
        let file_text = file.to_str().unwrap().to_owned();
        if via == "$REGISTRY_AUTH_FILE" {
            env.push(("REGISTRY_AUTH_FILE", &file_text));
        }
        let out = s.fetch(&[], &env);
        assert_eq!(out.code, 0, "{rel}: {}", out.stderr);
        assert!(
            origin_line(&out).ends_with(&format!(
                "`auths` entry `{}` of {via} {}",
                s.registry.host,
                shown(&file)
            )),
            "{rel}: {}",
            out.stderr
        );
    }

    // The first file with an entry wins: wrong credentials first are rejected, and the
    // error names them.
    s.clear();
    std::fs::create_dir_all(&run).unwrap();
    let first = s.write("first/auth.json", USER, "wrong-password");
    s.write("run/containers/auth.json", USER, PASSWORD);
    let first_text = first.to_str().unwrap().to_owned();
    let out = s.fetch(&[], &[("REGISTRY_AUTH_FILE", &first_text)]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!(
            "access denied (401): `{}` rejected the credentials from `auths` entry `{}` of $REGISTRY_AUTH_FILE {}",
            s.registry.host,
            s.registry.host,
            shown(&first)
        )),
        "{}",
        out.stderr
    );
    // A username without a password is skipped with a warning; the next file is used.
    std::fs::write(
        &first,
        format!(
            r#"{{"auths":{{"{}":{{"username":"{USER}"}}}}}}"#,
            s.registry.host
        ),
    )
    .unwrap();
    let out = s.fetch(&[], &[("REGISTRY_AUTH_FILE", &first_text)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("warning: `auths` entry")
            && out.stderr.contains("has a username but no password"),
        "{}",
        out.stderr
    );
    assert!(
        origin_line(&out).contains("$XDG_RUNTIME_DIR/containers/auth.json"),
        "{}",
        out.stderr
    );

    // --registry-config (and --authfile) is the only file read, and must exist.
    let flag = s.write("flag/config.json", USER, PASSWORD);
    let flag_text = flag.to_str().unwrap();
    for name in ["--registry-config", "--authfile"] {
        let out = s.fetch(&[name, flag_text], &[("REGISTRY_AUTH_FILE", &first_text)]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert!(
            origin_line(&out).ends_with(&format!("of --registry-config {}", shown(&flag))),
            "{}",
            out.stderr
        );
    }
    let other = s.path("flag/other.json");
    std::fs::write(&other, r#"{"auths":{}}"#).unwrap();
    let out = s.fetch(&["--registry-config", other.to_str().unwrap()], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("requires credentials"),
        "{}",
        out.stderr
    );
    let missing = s.path("flag/missing.json");
    let out = s.fetch(&["--registry-config", missing.to_str().unwrap()], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!(
            "cannot use credentials file {}: it does not exist (--registry-config)",
            shown(&missing)
        )),
        "{}",
        out.stderr
    );
}
