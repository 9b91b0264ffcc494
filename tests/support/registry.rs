//! Real registries on 127.0.0.1 for the tests and benchmarks: Debian's `docker-registry`
//! (distribution 2.8.2: no referrers API, htpasswd Basic auth) and `ferro-oci-server` (the
//! native referrers API), started on a free port and stopped on drop; images pushed with skopeo
//! from an OCI layout written with no network; artifacts attached with oras-py.
//!
//! Shared by `tests/it` and `benches/registry.rs` (included with `#[path]`).

#![allow(dead_code, unreachable_pub)]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A tool the tests need; a clear failure (not a skip) when it is missing.
pub(crate) fn require(program: &str, install: &str) -> PathBuf {
    let candidates = [PathBuf::from(program)]
        .into_iter()
        .chain(std::env::var_os("PATH").into_iter().flat_map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(program))
                .collect::<Vec<_>>()
        }))
        .chain([
            PathBuf::from("/opt/ferro/bin").join(program),
            PathBuf::from("/usr/sbin").join(program),
        ]);
    for c in candidates {
        if c.is_absolute() && c.is_file() {
            return c;
        }
    }
    panic!(
        "`{program}` is needed by the registry tests and was not found; install it: {install} (.ci/run does this)"
    );
}

fn python_with_oras() -> PathBuf {
    let python = require("python3", "apt-get install -y python3");
    let ok = Command::new(&python)
        .args(["-c", "import oras"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "oras-py is needed by the registry tests: pip install oras==0.2.43 (.ci/run does this)"
    );
    python
}

/// A free port on 127.0.0.1.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// docker-registry settings.
pub(crate) struct Docker<'a> {
    /// htpasswd Basic auth for this user and password.
    pub(crate) credentials: Option<(&'a str, &'a str)>,
    /// Whether manifest deletes are allowed.
    pub(crate) delete: bool,
    /// Whether the registry refuses every write.
    pub(crate) readonly: bool,
}

/// Writes the config for `o` into `dir` and starts docker-registry on `host`.
fn docker_process(dir: &Path, host: &str, o: &Docker<'_>) -> Child {
    let bin = require("docker-registry", "apt-get install -y docker-registry");
    let mut config = format!(
        "version: 0.1\nlog: {{level: error}}\nstorage:\n  filesystem: {{rootdirectory: {}}}\n  delete: {{enabled: {}}}\n  maintenance: {{readonly: {{enabled: {}}}}}\nhttp: {{addr: {host}}}\n",
        dir.join("data").display(),
        o.delete,
        o.readonly
    );
    if o.credentials.is_some() {
        config.push_str(&format!(
            "auth: {{htpasswd: {{realm: basic-realm, path: {}}}}}\n",
            dir.join("htpasswd").display()
        ));
    }
    let config_path = dir.join("config.yml");
    std::fs::write(&config_path, config).unwrap();
    Command::new(bin)
        .arg("serve")
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Whether the registry `child` on `host` answers HTTP within 15 s (any answer, even one
/// to plain HTTP on a TLS port), and is still running then. A TCP connect alone is not
/// proof: on loopback a connect to a port in the ephemeral range can meet itself.
fn answers(host: &str, child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return false;
        }
        if let Ok(mut stream) = TcpStream::connect(host) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let probe = format!("GET /v2/ HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
            let mut head = [0; 5];
            if stream.write_all(probe.as_bytes()).is_ok()
                && stream.read_exact(&mut head).is_ok()
                && &head == b"HTTP/"
            {
                return child.try_wait().ok().flatten().is_none();
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A registry process, stopped on drop.
pub(crate) struct Registry {
    /// `127.0.0.1:<port>`.
    pub(crate) host: String,
    child: Child,
    dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    /// Debian's docker-registry, optionally with htpasswd Basic auth for `user:password`.
    pub(crate) fn docker(credentials: Option<(&str, &str)>) -> Registry {
        Registry::docker_with(&Docker {
            credentials,
            delete: true,
            readonly: false,
        })
    }

    /// docker-registry with these settings.
    pub(crate) fn docker_with(o: &Docker<'_>) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        if let Some((user, password)) = o.credentials {
            let htpasswd = require("htpasswd", "apt-get install -y apache2-utils");
            let entry = stdout_of(Command::new(htpasswd).args(["-Bbn", user, password]));
            std::fs::write(dir.path().join("htpasswd"), entry).unwrap();
        }
        Registry::start(dir, |dir, host| docker_process(dir, host, o))
    }

    /// Restarts a docker-registry on the same port and storage with other settings (e.g. to
    /// make it read-only after images were pushed).
    pub(crate) fn restart_docker(&mut self, o: &Docker<'_>) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = docker_process(self.dir.path(), &self.host, o);
        assert!(
            answers(&self.host, &mut self.child),
            "registry on {} did not restart",
            self.host
        );
    }

    /// docker-registry serving HTTPS with a certificate for 127.0.0.1 signed by a fresh CA;
    /// returns the registry and the CA's PEM file.
    pub(crate) fn docker_tls() -> (Registry, PathBuf) {
        let bin = require("docker-registry", "apt-get install -y docker-registry");
        let dir = tempfile::tempdir().unwrap();
        test_ca(dir.path(), "127.0.0.1", "IP:127.0.0.1");
        let ca = dir.path().join("ca.pem");
        let registry = Registry::start(dir, |dir, host| {
            let p = |name: &str| dir.join(name).to_str().unwrap().to_owned();
            let config = format!(
                "version: 0.1\nlog: {{level: error}}\nstorage:\n  filesystem: {{rootdirectory: {}}}\nhttp:\n  addr: {host}\n  tls: {{certificate: {}, key: {}}}\n",
                p("data"),
                p("server.pem"),
                p("server.key")
            );
            std::fs::write(p("config.yml"), config).unwrap();
            Command::new(&bin)
                .arg("serve")
                .arg(p("config.yml"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        });
        (registry, ca)
    }

    /// ferro-oci-server with in-memory storage.
    pub(crate) fn ferro() -> Registry {
        let bin = require(
            "ferro-oci-server",
            "cargo install ferro-oci-server@1.0.0 --locked --root /opt/ferro",
        );
        Registry::start(tempfile::tempdir().unwrap(), |dir, host| {
            Command::new(&bin)
                .env("FERRO_OCI_LISTEN", host)
                .env("FERRO_OCI_STORAGE_DIR", dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
    }

    /// Starts a registry with `spawn(dir, host)` on a free port and waits until it answers
    /// HTTP. A free port is only free until someone takes it: when the registry exits (its
    /// port was taken in between by another test), it is started again on another port.
    fn start(dir: tempfile::TempDir, spawn: impl Fn(&Path, &str) -> Child) -> Registry {
        for _ in 0..5 {
            let host = format!("127.0.0.1:{}", free_port());
            let mut child = spawn(dir.path(), &host);
            if answers(&host, &mut child) {
                return Registry { host, child, dir };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("the registry did not start on any of 5 ports");
    }

    /// A scratch directory that lives as long as the registry.
    pub(crate) fn scratch(&self) -> &Path {
        self.dir.path()
    }
}

/// Makes a test CA (`ca.pem`) and a server certificate signed by it (`server.pem`,
/// `server.key`) for `subject_alt_names` (`IP:127.0.0.1`, `DNS:a,DNS:b`) in `dir`; returns the
/// CA's PEM file.
pub(crate) fn test_ca(dir: &Path, common_name: &str, subject_alt_names: &str) -> PathBuf {
    let openssl = require("openssl", "apt-get install -y openssl");
    let p = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let ext = p("san.ext");
    std::fs::write(
        &ext,
        format!(
            "subjectAltName={subject_alt_names}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        ),
    )
    .unwrap();
    let subject = format!("/CN={common_name}");
    let steps: [&[&str]; 3] = [
        &[
            "req",
            "-x509",
            "-nodes",
            "-newkey",
            "rsa:2048",
            "-days",
            "1",
            "-subj",
            "/CN=nfd-compat test CA",
            "-keyout",
            &p("ca.key"),
            "-out",
            &p("ca.pem"),
        ],
        &[
            "req",
            "-nodes",
            "-newkey",
            "rsa:2048",
            "-subj",
            &subject,
            "-keyout",
            &p("server.key"),
            "-out",
            &p("server.csr"),
        ],
        &[
            "x509",
            "-req",
            "-in",
            &p("server.csr"),
            "-CA",
            &p("ca.pem"),
            "-CAkey",
            &p("ca.key"),
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            &ext,
            "-out",
            &p("server.pem"),
        ],
    ];
    for args in steps {
        stdout_of(Command::new(&openssl).args(args));
    }
    dir.join("ca.pem")
}

/// The images pushed by [`push_images`].
pub(crate) struct Images {
    /// The two-platform index (`app:multi`).
    pub(crate) index: String,
    /// Its size in bytes.
    pub(crate) index_size: u64,
    /// The linux/amd64 manifest (also `app:v1`).
    pub(crate) amd64: String,
    /// The linux/arm64 manifest.
    pub(crate) arm64: String,
    /// The amd64 manifest's size in bytes.
    pub(crate) amd64_size: u64,
    /// The arm64 manifest's size in bytes.
    pub(crate) arm64_size: u64,
}

impl Images {
    /// Attaches a spec to the linux/amd64 manifest (`app:v1`), the usual subject; returns the
    /// artifact digest.
    pub(crate) fn attach_to_amd64(&self, registry: &Registry, a: &Attach<'_>) -> String {
        oras_attach(registry, &self.amd64, self.amd64_size, a)
    }
}

/// Writes an OCI layout and pushes it with skopeo: `app:v1` (linux/amd64) and `app:multi`
/// (an index of linux/amd64 and linux/arm64).
pub(crate) fn push_images(registry: &Registry, credentials: Option<(&str, &str)>) -> Images {
    let python = require("python3", "apt-get install -y python3");
    let skopeo = require("skopeo", "apt-get install -y skopeo");
    let layout = registry.scratch().join("layout");
    let text = String::from_utf8(stdout_of(
        Command::new(python)
            .arg(script("make_layout.py"))
            .arg(&layout),
    ))
    .unwrap();
    let digests: Vec<&str> = text.lines().collect();
    let size = |d: &str| {
        std::fs::metadata(layout.join("blobs/sha256").join(&d[7..]))
            .unwrap()
            .len()
    };
    for (tag, all) in [("single", false), ("multi", true)] {
        let target = if tag == "single" { "v1" } else { "multi" };
        let mut cmd = Command::new(&skopeo);
        cmd.args(["copy", "--quiet", "--dest-tls-verify=false"]);
        if all {
            cmd.arg("--all");
        }
        if let Some((u, p)) = credentials {
            cmd.arg(format!("--dest-creds={u}:{p}"));
        }
        cmd.arg(format!("oci:{}:{tag}", layout.display()));
        cmd.arg(format!("docker://{}/app:{target}", registry.host));
        stdout_of(&mut cmd);
    }
    Images {
        index: digests[0].to_owned(),
        index_size: size(digests[0]),
        amd64: digests[1].to_owned(),
        arm64: digests[2].to_owned(),
        amd64_size: size(digests[1]),
        arm64_size: size(digests[2]),
    }
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scripts")
        .join(name)
}

/// The artifacts oras-py sees on `subject` in `app` (see `tests/scripts/oras_read.py`).
pub(crate) fn oras_read(registry: &Registry, subject: &str) -> serde_json::Value {
    let out = stdout_of(
        Command::new(python_with_oras())
            .arg(script("oras_read.py"))
            .args([&registry.host, "app", subject]),
    );
    serde_json::from_slice(&out).unwrap()
}

/// The raw `sha256-<hex>` tag-schema index of `subject` in `app`, read with skopeo; `None`
/// when the tag does not exist.
pub(crate) fn tag_schema_index(registry: &Registry, subject: &str) -> Option<serde_json::Value> {
    let skopeo = require("skopeo", "apt-get install -y skopeo");
    let tag = subject.replacen(':', "-", 1);
    let out = Command::new(skopeo)
        .args([
            "inspect",
            "--raw",
            "--tls-verify=false",
            &format!("docker://{}/app:{tag}", registry.host),
        ])
        .output()
        .unwrap();
    if out.status.success() {
        return Some(serde_json::from_slice(&out.stdout).unwrap());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("manifest unknown"), "{stderr}");
    None
}

/// Options for [`oras_attach`].
#[derive(Default)]
pub(crate) struct Attach<'a> {
    pub(crate) spec: Option<&'a str>,
    pub(crate) created: Option<&'a str>,
    pub(crate) tag_schema: bool,
    pub(crate) no_layer: bool,
    pub(crate) layer_media_type: Option<&'a str>,
    pub(crate) subject_media_type: Option<&'a str>,
    pub(crate) credentials: Option<(&'a str, &'a str)>,
    /// Talk HTTPS without verifying the certificate (instead of plain HTTP).
    pub(crate) tls: bool,
}

/// Attaches a spec to `subject` with oras-py; returns the artifact digest.
pub(crate) fn oras_attach(registry: &Registry, subject: &str, size: u64, a: &Attach<'_>) -> String {
    let python = python_with_oras();
    let mut cmd = Command::new(python);
    cmd.arg(script("oras_attach.py"))
        .args([
            "--registry",
            &registry.host,
            "--repo",
            "app",
            "--subject",
            subject,
        ])
        .args(["--subject-size", &size.to_string()]);
    if let Some(spec) = a.spec {
        cmd.args(["--spec", spec]);
    }
    if let Some(c) = a.created {
        cmd.args(["--created", c]);
    }
    if a.tag_schema {
        cmd.arg("--tag-schema");
    }
    if a.no_layer {
        cmd.arg("--no-layer");
    }
    if let Some(t) = a.layer_media_type {
        cmd.args(["--layer-media-type", t]);
    }
    if let Some(t) = a.subject_media_type {
        cmd.args(["--subject-media-type", t]);
    }
    if let Some((u, p)) = a.credentials {
        cmd.args(["--user", u, "--password", p]);
    }
    if a.tls {
        cmd.arg("--tls");
    }
    String::from_utf8(stdout_of(&mut cmd))
        .unwrap()
        .trim()
        .to_owned()
}

/// Runs a helper tool to success and returns its stdout; a failure shows the program and its
/// stderr (not the arguments, which may hold credentials).
pub(crate) fn stdout_of(cmd: &mut Command) -> Vec<u8> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
