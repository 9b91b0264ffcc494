//! Proxies as Go's net/http users have configured them (`HTTPS_PROXY`, `HTTP_PROXY`,
//! `NO_PROXY`, lower case too), through a real proxy (Debian's tinyproxy), in private
//! namespaces where Docker Hub's names are 127.0.0.1 (see `namespace.rs`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::namespace::{Hub, clean_env, isolated, wait_for};
use crate::support::registry::{free_port, require};

/// tinyproxy on 127.0.0.1, stopped on drop.
struct Tinyproxy {
    port: u16,
    log: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Tinyproxy {
    /// Allows CONNECT to 443 and `extra_port`; with `login`, only for that `user password`.
    fn start(extra_port: u16, login: Option<(&str, &str)>) -> Tinyproxy {
        let bin = require("tinyproxy", "apt-get install -y tinyproxy");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = dir.path().join("tinyproxy.log");
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Info\nMaxClients 20\nAllow 127.0.0.1\nConnectPort 443\nConnectPort {extra_port}\nDisableViaHeader Yes\n",
            log.display()
        );
        if let Some((user, password)) = login {
            config.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        let conf = dir.path().join("tinyproxy.conf");
        std::fs::write(&conf, config).unwrap();
        let child = Command::new(bin)
            .arg("-d")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(&format!("127.0.0.1:{port}"));
        Tinyproxy {
            port,
            log,
            child,
            _dir: dir,
        }
    }

    /// The `host:port` of every CONNECT the proxy was asked for since the last call.
    fn take_connects(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        std::fs::write(&self.log, "").unwrap();
        let mut targets: Vec<String> = text
            .lines()
            .filter_map(|l| l.split("): CONNECT ").nth(1))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(str::to_owned)
            .collect();
        targets.sort();
        targets.dedup();
        targets
    }
}

const PROXY_USER: &str = "proxyuser";
const PROXY_PASSWORD: &str = "proxy-S3cret";

#[test]
fn https_proxy_and_no_proxy_as_go_reads_them() {
    isolated("proxy::https_proxy_and_no_proxy_as_go_reads_them", || {
        let hub = Hub::start();
        let upstream_port: u16 = hub
            .upstream
            .host
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let proxy = Tinyproxy::start(upstream_port, Some((PROXY_USER, PROXY_PASSWORD)));
        let url = format!(
            "http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{}",
            proxy.port
        );
        let hub_hosts = [
            "auth.docker.io:443",
            "cdn.docker.test:443",
            "registry-1.docker.io:443",
        ];

        // Everything through the proxy, with its credentials never shown.
        let out = hub.run(
            &["fetch", "--image", "app:v1", "--debug"],
            &[("HTTPS_PROXY", &url)],
            None,
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout.as_bytes(), hub.spec.as_slice());
        assert_eq!(proxy.take_connects(), hub_hosts);
        assert!(
            out.stderr.contains(&format!(
                "via proxy `http://***@127.0.0.1:{}` (from HTTPS_PROXY)",
                proxy.port
            )),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains(PROXY_PASSWORD), "{}", out.stderr);

        // Lower case works too.
        let out = hub.run(
            &["fetch", "--image", "app:v1"],
            &[("https_proxy", &url)],
            None,
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(proxy.take_connects(), hub_hosts);

        // NO_PROXY: (list, the hosts still proxied).
        let cases: [(&str, &[&str]); 7] = [
            ("docker.io", &["cdn.docker.test:443"]),
            (".docker.io", &["cdn.docker.test:443"]),
            ("*", &[]),
            (
                "registry-1.docker.io:443",
                &["auth.docker.io:443", "cdn.docker.test:443"],
            ),
            ("registry-1.docker.io:5000", &hub_hosts),
            (
                " cdn.docker.test , auth.docker.io ",
                &["registry-1.docker.io:443"],
            ),
            ("ocker.io,docker.test.example", &hub_hosts),
        ];
        for (no_proxy, proxied) in cases {
            for var in ["NO_PROXY", "no_proxy"] {
                let out = hub.run(
                    &["fetch", "--image", "app:v1"],
                    &[("HTTPS_PROXY", &url), (var, no_proxy)],
                    None,
                );
                assert_eq!(out.code, 0, "{var}={no_proxy}: {}", out.stderr);
                assert_eq!(proxy.take_connects(), proxied, "{var}={no_proxy}");
            }
        }

        // HTTP_PROXY carries plain-HTTP registries; HTTPS_PROXY does not.
        let plain = format!("plain.registry.test:{upstream_port}/library/app:v1");
        let out = hub.run(
            &["fetch", "--image", &plain, "--plain-http"],
            &[("HTTP_PROXY", &url)],
            None,
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(
            proxy.take_connects(),
            [format!("plain.registry.test:{upstream_port}")]
        );
        let out = hub.run(
            &["fetch", "--image", &plain, "--plain-http"],
            &[("HTTPS_PROXY", &url)],
            None,
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(proxy.take_connects(), Vec::<String>::new());

        // A proxy that refuses is named as the proxy (and its credentials are not shown).
        let closed = free_port();
        let refused = format!("http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{closed}");
        let out = hub.run(
            &["fetch", "--image", "app:v1"],
            &[("HTTPS_PROXY", &refused)],
            None,
        );
        assert_eq!(out.code, 2);
        assert!(
            out.stderr.contains(&format!(
                "proxy `http://***@127.0.0.1:{closed}` (from HTTPS_PROXY) refused the connection"
            )),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains(PROXY_PASSWORD), "{}", out.stderr);
        // A proxy that refuses the credentials (407) is named too.
        let anonymous = format!("http://127.0.0.1:{}", proxy.port);
        let out = hub.run(
            &["fetch", "--image", "app:v1"],
            &[("HTTPS_PROXY", &anonymous)],
            None,
        );
        assert_eq!(out.code, 2);
        assert!(
            out.stderr.contains(&format!(
                "proxy `http://127.0.0.1:{}` (from HTTPS_PROXY) refused to connect to `registry-1.docker.io`",
                proxy.port
            )) && out.stderr.contains("407"),
            "{}",
            out.stderr
        );
        proxy.take_connects();

        // Loopback is never proxied, whatever the variables say.
        let home = tempfile::tempdir().unwrap();
        for host in [
            hub.upstream.host.clone(),
            format!("localhost:{upstream_port}"),
        ] {
            let out = crate::common::run_with_env(
                &[
                    "fetch",
                    "--image",
                    &format!("{host}/library/app:v1"),
                    "--plain-http",
                ],
                &clean_env(
                    home.path(),
                    &[("HTTPS_PROXY", &refused), ("HTTP_PROXY", &refused)],
                ),
                None,
            );
            assert_eq!(out.code, 0, "{host}: {}", out.stderr);
        }
    });
}
