//! Tests that need real host names (Docker Hub's, a proxy's targets, a name that does not
//! resolve) run again inside private network and mount namespaces (`unshare --net --mount`,
//! as root, as CI runs): only loopback is up there, so no lookup or packet can leave the
//! machine, and a hosts file bind-mounted over /etc/hosts sends the names below to 127.0.0.1.
//!
//! Also: Docker Hub's shape on 127.0.0.1:443 (see `tests/scripts/hub_front.py`) in front of a
//! real docker-registry, with a test CA made by openssl.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Output, run_with_env};
use crate::support::registry::{Registry, push_images, require, stdout_of, test_ca};

/// Set in the re-run test's environment.
const INSIDE: &str = "NFD_COMPAT_TEST_IN_NAMESPACE";

/// The names that resolve to 127.0.0.1 inside the namespace.
pub(crate) const LOCAL_NAMES: &[&str] = &[
    "registry-1.docker.io",
    "auth.docker.io",
    "cdn.docker.test",
    "plain.registry.test",
];

/// Runs `body` inside private namespaces: the test named `test` (as libtest names it,
/// `module::function`) runs again in `unshare --net --mount`, and this one passes when it
/// passed there. Without root or `unshare` the test fails and says why.
pub(crate) fn isolated(test: &str, body: impl FnOnce()) {
    if std::env::var_os(INSIDE).is_some() {
        enter();
        body();
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("?")
        .to_owned();
    assert_eq!(
        uid, "0",
        "`{test}` runs in private network and mount namespaces (unshare --net --mount), which needs root; run the tests as root, as CI does (.ci/run)"
    );
    let unshare = require("unshare", "apt-get install -y util-linux");
    require("ip", "apt-get install -y iproute2");
    require("mount", "apt-get install -y mount");
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(unshare)
        .args(["--net", "--mount", "--"])
        .arg(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run unshare: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("running 1 test"),
        "`{test}`: unshare could not create private network and mount namespaces (it needs root with CAP_SYS_ADMIN, e.g. not an unprivileged container): {stderr}"
    );
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "`{test}` failed inside the namespaces ({}):\n{stdout}\n{stderr}",
        out.status
    );
}

/// Inside: loopback up, the hosts file in place, and nothing but loopback.
fn enter() {
    let ip = require("ip", "apt-get install -y iproute2");
    stdout_of(Command::new(&ip).args(["link", "set", "lo", "up"]));
    let links = String::from_utf8(stdout_of(Command::new(&ip).args(["-o", "link"]))).unwrap();
    assert_eq!(
        links.lines().count(),
        1,
        "the namespace must have loopback only: {links}"
    );
    let dir = tempfile::tempdir().unwrap().keep();
    let hosts = dir.join("hosts");
    std::fs::write(
        &hosts,
        format!(
            "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 {}\n",
            LOCAL_NAMES.join(" ")
        ),
    )
    .unwrap();
    // No DNS server listens in the namespace: every other name fails at once.
    let resolv = dir.join("resolv.conf");
    std::fs::write(
        &resolv,
        "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    )
    .unwrap();
    let mount = require("mount", "apt-get install -y mount");
    for (file, over) in [(&hosts, "/etc/hosts"), (&resolv, "/etc/resolv.conf")] {
        stdout_of(Command::new(&mount).arg("--bind").arg(file).arg(over));
    }
}

/// Waits until something listens on `addr`.
pub(crate) fn wait_for(addr: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The private repository's login.
pub(crate) const HUB_USER: &str = "alice";
/// Its password: never to be printed, nor its base64.
pub(crate) const HUB_PASSWORD: &str = "hub-s3cret-Pw";

/// Docker Hub's shape on 127.0.0.1:443 in front of a real docker-registry, with
/// `library/app:v1` (public) and `team/private:v1` (needs login), each with a spec attached.
pub(crate) struct Hub {
    /// The registry behind the front (`127.0.0.1:PORT`, plain HTTP, no auth).
    pub(crate) upstream: Registry,
    front: Child,
    dir: tempfile::TempDir,
    /// The test CA (PEM).
    pub(crate) ca: PathBuf,
    /// The attached spec's bytes.
    pub(crate) spec: Vec<u8>,
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.front.kill();
        let _ = self.front.wait();
    }
}

impl Hub {
    /// Starts the registry, pushes the images, makes the CA and starts the front.
    pub(crate) fn start() -> Hub {
        let upstream = Registry::docker(None);
        push_images(&upstream, None);
        let skopeo = require("skopeo", "apt-get install -y skopeo");
        for (from, to) in [
            ("app:v1", "library/app:v1"),
            ("app:multi", "library/app:multi"),
            ("app:v1", "team/private:v1"),
        ] {
            stdout_of(Command::new(&skopeo).args([
                "copy",
                "--quiet",
                "--all",
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
                &format!("docker://{}/{from}", upstream.host),
                &format!("docker://{}/{to}", upstream.host),
            ]));
        }
        let spec_path = crate::common::testdata("specs/gpu-node.yaml");
        for repo in ["library/app:v1", "team/private:v1"] {
            let out = run_with_env(
                &[
                    "attach",
                    "--image",
                    &format!("{}/{repo}", upstream.host),
                    "--plain-http",
                    &spec_path,
                ],
                &[],
                None,
            );
            assert_eq!(out.code, 0, "attach to {repo}: {}", out.stderr);
        }
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = LOCAL_NAMES.iter().map(|n| format!("DNS:{n}")).collect();
        let ca = test_ca(dir.path(), "registry-1.docker.io", &names.join(","));
        let python = require("python3", "apt-get install -y python3");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/hub_front.py");
        let front = Command::new(python)
            .arg(script)
            .args(["--port", "443", "--upstream", &upstream.host])
            .arg("--cert")
            .arg(dir.path().join("server.pem"))
            .arg("--key")
            .arg(dir.path().join("server.key"))
            .arg("--log")
            .arg(dir.path().join("requests.jsonl"))
            .args(["--user", &format!("{HUB_USER}:{HUB_PASSWORD}")])
            .args(["--private", "team/"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        wait_for("127.0.0.1:443");
        Hub {
            upstream,
            front,
            dir,
            ca,
            spec: std::fs::read(spec_path).unwrap(),
        }
    }

    /// Every request the front saw: `(host, method, path, Authorization)`.
    pub(crate) fn requests(&self) -> Vec<(String, String, String, Option<String>)> {
        let text =
            std::fs::read_to_string(self.dir.path().join("requests.jsonl")).unwrap_or_default();
        text.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
                (
                    s("host"),
                    s("method"),
                    s("path"),
                    v["authorization"].as_str().map(str::to_owned),
                )
            })
            .collect()
    }

    /// Forgets the requests seen so far.
    pub(crate) fn clear_requests(&self) {
        std::fs::write(self.dir.path().join("requests.jsonl"), "").unwrap();
    }

    /// Runs `nfd-compat` with `args` and `--ca-file`, in a clean credentials environment
    /// (an empty HOME, no proxies) plus `env`.
    pub(crate) fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        let ca = self.ca.to_str().unwrap();
        all.extend_from_slice(&["--ca-file", ca]);
        run_with_env(&all, &clean_env(self.dir.path(), env), stdin)
    }
}

/// An environment with no stored credentials and no proxies, then `extra`.
pub(crate) fn clean_env<'a>(
    home: &'a Path,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let home = home.to_str().unwrap();
    let mut env = vec![
        ("HOME", home),
        ("XDG_RUNTIME_DIR", home),
        ("XDG_CONFIG_HOME", home),
        ("DOCKER_CONFIG", home),
    ];
    for var in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        env.push((var, ""));
    }
    env.extend_from_slice(extra);
    env
}
