//! Connection mistakes users make, each named with its cause and fix: `--plain-http` against
//! a TLS port, HTTPS against a plain-HTTP one, and `--ca-file` files that cannot be used.

use crate::common::{Output, run};
use crate::support::registry::{Registry, test_ca};

fn fetch(host: &str, extra: &[&str]) -> Output {
    let image = format!("{host}/app:v1");
    let mut args = vec!["fetch", "--image", &image];
    args.extend_from_slice(extra);
    run(&args, None)
}

#[test]
fn plain_http_and_tls_mixed_up() {
    let (tls, ca) = Registry::docker_tls();
    let ca = ca.to_str().unwrap();
    let out = fetch(&tls.host, &["--plain-http"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!(
            "`{}` speaks HTTPS, not plain HTTP: drop --plain-http",
            tls.host
        )),
        "{}",
        out.stderr
    );
    // With the right CA the TLS works: the image is simply not there.
    let out = fetch(&tls.host, &["--ca-file", ca]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("image not found"), "{}", out.stderr);

    let plain = Registry::docker(None);
    let out = fetch(&plain.host, &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!(
            "`{}` answered in plain HTTP, not TLS: add --plain-http",
            plain.host
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn ca_files_that_cannot_be_used_are_named() {
    let (tls, _) = Registry::docker_tls();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let out = fetch(&tls.host, &["--ca-file", missing.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!(
            "cannot use --ca-file `{}`: No such file",
            missing.display()
        )),
        "{}",
        out.stderr
    );
    let not_pem = dir.path().join("ca.txt");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let out = fetch(&tls.host, &["--ca-file", not_pem.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&format!(
            "cannot use --ca-file `{}`: it holds no certificate",
            not_pem.display()
        )),
        "{}",
        out.stderr
    );
    // A real CA, but not the one that signed the registry's certificate.
    let other = tempfile::tempdir().unwrap();
    let other_ca = test_ca(other.path(), "127.0.0.1", "IP:127.0.0.1");
    let out = fetch(&tls.host, &["--ca-file", other_ca.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains(&format!("TLS with `{}` failed", tls.host))
            && out.stderr.contains(&format!(
                "the certificate is not trusted by --ca-file `{}`",
                other_ca.display()
            )),
        "{}",
        out.stderr
    );
}
