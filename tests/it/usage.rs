//! Usage errors come from the settings step, before any I/O: no registry is reached, no
//! file or stdin is read, the message is the usage error's, and the exit status is 2.

use std::io::ErrorKind;
use std::net::TcpListener;

use crate::common::{run, testdata};

/// A listener on 127.0.0.1 that counts the connections made to it (it accepts none while
/// the command runs; they wait in its backlog).
struct Recorder {
    listener: TcpListener,
}

impl Recorder {
    fn new() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Recorder { listener }
    }

    /// An image reference on this listener.
    fn image(&self) -> String {
        format!(
            "127.0.0.1:{}/app:v1",
            self.listener.local_addr().unwrap().port()
        )
    }

    /// How many connections were made so far.
    fn connections(&self) -> usize {
        let mut n = 0;
        loop {
            match self.listener.accept() {
                Ok(_) => n += 1,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return n,
                Err(e) => panic!("accept: {e}"),
            }
        }
    }
}

/// Runs `args` (with `stdin`) and checks that it is refused with `message` (one `error:` line
/// on stderr, exit 2) without reaching the registry of `recorder`.
fn refused_before_io(recorder: &Recorder, args: &[&str], stdin: Option<&[u8]>, message: &str) {
    let out = run(args, stdin);
    assert_eq!(
        out.code, 2,
        "{args:?}\nstdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    assert_eq!(out.stderr, format!("error: {message}\n"), "{args:?}");
    assert_eq!(recorder.connections(), 0, "{args:?} reached the registry");
}

#[test]
fn validate_node_usage_errors_come_before_the_registry_is_reached() {
    let recorder = Recorder::new();
    let image = recorder.image();
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
    let other = testdata("snapshots/intel-server.json");
    let dir = testdata("snapshots");
    // A deadline, so that a regression fails quickly instead of waiting on the listener.
    let base = [
        "validate-node",
        "--plain-http",
        "--timeout",
        "5",
        "--image",
        &image,
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter().chain(extra).map(|s| (*s).to_owned()).collect()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            with(&["--features", &snapshot, "--features", &other, "--node", "a"]),
            "--node picks a node from one --features snapshot",
        ),
        (
            with(&["--features", &snapshot, "--features", &other, "-o", "yaml"]),
            "-o yaml is for one node and several were given; use -o json, table, junit or github",
        ),
        (
            with(&["--features", &dir, "--output-json"]),
            "--output-json prints NFD's report of one node and several were given; use -o json for per-node reports",
        ),
        (with(&["--features", &snapshot, "--platform", "linux/"]), ""),
        (
            with(&[
                "--features",
                "-",
                "--registry-password-stdin",
                "--registry-username",
                "u",
            ]),
            "stdin cannot carry both the registry secret and another input (`-`)",
        ),
    ];
    for (args, message) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if message.is_empty() {
            // A value that does not parse: whatever the message, nothing is reached.
            let out = run(&args, None);
            assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
            assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
            assert!(out.stderr.contains("linux/"), "{}", out.stderr);
            assert_eq!(recorder.connections(), 0, "{args:?} reached the registry");
        } else {
            refused_before_io(&recorder, &args, Some(b"secret\n"), message);
        }
    }
    // The listener does count: a run that is not refused reaches it (and times out there).
    let out = run(
        &with(&["--features", &snapshot])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(recorder.connections() > 0, "{}", out.stderr);
}

#[test]
fn a_usage_error_is_also_the_ci_document_before_anything_is_read() {
    let recorder = Recorder::new();
    let image = recorder.image();
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
    let out = run(
        &[
            "validate-node",
            "--plain-http",
            "--image",
            &image,
            "--features",
            &snapshot,
            "--features",
            &snapshot,
            "--node",
            "a",
            "-o",
            "junit",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "error: --node picks a node from one --features snapshot\n"
    );
    assert!(
        out.stdout.contains(
            r#"<error message="--node picks a node from one --features snapshot" type="ERROR">"#
        ),
        "{}",
        out.stdout
    );
    assert_eq!(recorder.connections(), 0);
}

#[test]
fn a_fleet_usage_error_comes_before_the_spec_is_read() {
    // The spec on stdin is not YAML: had it been read, that would be the error.
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
    let out = run(
        &[
            "validate-node",
            "--spec",
            "-",
            "--features",
            &snapshot,
            "--features",
            &snapshot,
            "-o",
            "yaml",
        ],
        Some(b"version: [v1\n"),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "error: -o yaml is for one node and several were given; use -o json, table, junit or github\n"
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn other_commands_check_their_values_before_the_registry_is_reached() {
    let recorder = Recorder::new();
    let image = recorder.image();
    let spec = testdata("specs/nfd-example.yaml");
    let cases: &[(&[&str], &str)] = &[
        (
            &["export", "nodefeaturerule", "--label", "no-value"],
            "--label `no-value` is not KEY=VALUE",
        ),
        (
            &["export", "nodefeaturegroup", "--name", "Not_A_Name"],
            "--name `Not_A_Name` is not a valid object name (lowercase letters, digits and `-`, at most 52 characters); `not-a-name` would be",
        ),
        (
            &["attach", &spec, "--annotation", "no-value"],
            "invalid --annotation `no-value`: write KEY=VALUE",
        ),
        (
            &["list", "--timeout=-1"],
            "invalid --timeout -1: give a number of seconds between 0 and 86400",
        ),
        (
            &[
                "fetch",
                "--registry-password-stdin",
                "--registry-token-stdin",
            ],
            "cannot use --registry-token-stdin and --registry-password-stdin at the same time",
        ),
    ];
    for (args, message) in cases {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--plain-http", "--image", &image]);
        refused_before_io(&recorder, &all, None, message);
    }
}
