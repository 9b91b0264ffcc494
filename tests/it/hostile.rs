//! The bad-input matrix: hostile specs, snapshots and host trees, each run through the real
//! binary with its bound asserted (exit status, wall time, and the binary's peak RSS read with
//! `getrusage` by a small launcher, see [`LAUNCHER`]). The margins are generous on purpose;
//! the limits themselves are listed in the README ("Input limits").

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{command, testdata};

/// Every hostile run must end within this (the test fails, it does not hang, past it).
const MAX_WALL: Duration = Duration::from_secs(10);
/// Every hostile run must stay under this peak RSS.
const MAX_RSS_MB: u64 = 300;
/// A run still going after this is killed, so that a hang fails the test instead of hanging it.
const KILL_AFTER: Duration = Duration::from_secs(30);

/// How one run of the binary ended, and what it cost.
#[derive(Debug)]
struct Measured {
    /// The exit code (-1 when killed by a signal).
    code: i32,
    /// Standard output (the first 64 KiB).
    stdout: String,
    /// Standard error (the first 64 KiB).
    stderr: String,
    /// Wall time from spawn to exit.
    wall: Duration,
    /// The child's peak resident set size, in MiB.
    rss_mb: u64,
}

impl Measured {
    /// Asserts exit `code`, the time and memory bounds, and that no panic text was printed.
    fn assert_bounded(&self, code: i32, what: &str) {
        assert_eq!(
            self.code, code,
            "{what}: exit {} (want {code})\nstderr: {}",
            self.code, self.stderr
        );
        assert!(
            self.wall < MAX_WALL,
            "{what}: took {:?} (bound {MAX_WALL:?})",
            self.wall
        );
        assert!(
            self.rss_mb < MAX_RSS_MB,
            "{what}: peak RSS {} MiB (bound {MAX_RSS_MB} MiB)",
            self.rss_mb
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{what}: panic text reached the user: {}",
            self.stderr
        );
        assert!(
            self.stderr.len() < 4096,
            "{what}: {} bytes of error output",
            self.stderr.len()
        );
    }
}

/// Reads at most 64 KiB of `r` and drains the rest.
fn capture(mut r: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match r.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if kept.len() < 64 * 1024 {
                        kept.extend_from_slice(&chunk[..n]);
                    }
                }
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

/// Runs a command given after the first argument, writes its peak RSS in KiB (from
/// `getrusage(RUSAGE_CHILDREN)`) to the file named by the first, and exits as it did.
///
/// The measuring parent must be small: a child's `ru_maxrss` includes the peak RSS of the
/// process it was spawned from (Linux records the old address space's peak at `exec`), and
/// the test process itself can hold hundreds of MiB while other tests run.
const LAUNCHER: &str = "import resource, subprocess, sys\n\
p = subprocess.run(sys.argv[2:])\n\
open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n\
sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)\n";

/// Kills the process group `pgid` (a launcher and the binary it runs).
#[expect(unsafe_code, reason = "killing a hung child's process group by its id")]
fn kill_group(pgid: u32) {
    let pgid = libc::pid_t::try_from(pgid).expect("pid fits");
    // SAFETY: sending a signal has no memory-safety preconditions; the group is led by our
    // unreaped child, so its id cannot have been reused.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// Runs `nfd-compat args` with `stdin` (none: an empty stdin) and measures it.
fn measure(args: &[&str], stdin: Option<Vec<u8>>) -> Measured {
    use std::os::unix::process::CommandExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let rss_file = dir.path().join("rss");
    let inner = command(args, &[]);
    let mut cmd = std::process::Command::new("python3");
    cmd.arg("-c")
        .arg(LAUNCHER)
        .arg(&rss_file)
        .arg(inner.get_program())
        .args(inner.get_args())
        .envs(
            inner
                .get_envs()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
        )
        .env_remove("NO_COLOR")
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("DOCKER_CONFIG")
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .expect("python3 must be installed (scripts/install-test-deps.sh installs it)");
    let pid = child.id();
    let mut input = child.stdin.take().expect("stdin");
    let feeder = thread::spawn(move || {
        if let Some(bytes) = stdin {
            // The binary may stop reading early (a limit); a broken pipe is fine then.
            let _ = input.write_all(&bytes);
        }
    });
    let stdout = capture(child.stdout.take().expect("stdout"));
    let stderr = capture(child.stderr.take().expect("stderr"));
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = Arc::clone(&done);
        thread::spawn(move || {
            let start = Instant::now();
            while start.elapsed() < KILL_AFTER {
                if done.load(Ordering::SeqCst) {
                    return;
                }
                thread::sleep(Duration::from_millis(50));
            }
            if !done.load(Ordering::SeqCst) {
                kill_group(pid);
            }
        })
    };
    let status = child.wait().expect("wait for the launcher");
    let wall = start.elapsed();
    done.store(true, Ordering::SeqCst);
    watchdog.join().expect("watchdog");
    feeder.join().expect("stdin feeder");
    let rss_kb: u64 = fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(u64::MAX);
    Measured {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        wall,
        rss_mb: rss_kb / 1024,
    }
}

/// A spec with one rule matching the example snapshot's `kernel.config` that carries
/// `template` as its `varsTemplate`.
fn spec_with_template(template: &str) -> String {
    format!(
        "version: v1alpha1\ncompatibilities:\n- rules:\n  - name: bomb\n    varsTemplate: {}\n    \
         matchFeatures:\n    - feature: kernel.config\n      matchExpressions:\n        \
         NET: {{op: Exists}}\n",
        serde_json::to_string(template).expect("json string")
    )
}

/// validate-node of [`spec_with_template`]`(template)`, on stdin, against the example snapshot,
/// with `extra` arguments after.
fn validate_template(template: &str, extra: &[&str]) -> Measured {
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
    let mut args = vec!["validate-node", "--spec", "-", "--features", &snapshot];
    args.extend(extra);
    measure(&args, Some(spec_with_template(template).into_bytes()))
}

/// Template bombs: each small, each over a limit at execution; the rule errs (exit 2) within
/// the bounds, with a short message naming the limit.
#[test]
fn template_bombs_are_bounded() {
    let list = |n: usize| format!("{{{{ $a := splitList \"\" (repeat {n} \"a\") }}}}");
    let cases = [
        (
            format!(
                "{}{{{{ range $a }}}}{{{{ range $a }}}}{{{{ range $a }}}}{{{{ end }}}}\
                 {{{{ end }}}}{{{{ end }}}}",
                list(30_000)
            ),
            // The step limit, or on a slow machine (a debug build under load) the clock.
            "more than 200000 steps|ran longer than 2 s",
        ),
        (
            format!(
                "{}{{{{ range $a }}}}{{{{ repeat 60000 \"x\" }}}}{{{{ end }}}}",
                list(30_000)
            ),
            "output over 1048576 bytes",
        ),
        (
            "{{ $s := repeat 60000 \"a\" }}{{ replace \"a\" $s $s }}".to_owned(),
            "replace: result of about 3600000000 bytes",
        ),
        (
            "{{ printf \"%999999999d\" 1 }}".to_owned(),
            "printf: width or precision 999999999",
        ),
        (
            format!("{}{{{{ join (repeat 60000 \"-\") $a }}}}", list(30_000)),
            "join: result of up to",
        ),
        (
            format!(
                "{}{{{{ range $a }}}}{{{{ $x := repeat 1000000 \"a\" }}}}{{{{ end }}}}",
                list(30_000)
            ),
            "functions made more than",
        ),
    ];
    for (template, want) in cases {
        let m = validate_template(&template, &["-o", "json"]);
        m.assert_bounded(2, &template);
        assert!(
            want.split('|')
                .any(|w| m.stdout.contains(w) || m.stderr.contains(w)),
            "{template}: want {want:?}\nstdout: {}\nstderr: {}",
            m.stdout,
            m.stderr
        );
    }
}

/// `lint` (and `attach`, which prints the lint's warnings before pushing) flags templates
/// that will run into a limit on every node.
#[test]
fn lint_flags_template_bombs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bomb.yaml");
    fs::write(
        &file,
        spec_with_template(
            "{{ range .a }}{{ range .b }}{{ range .c }}{{ repeat 99999999 \"x\" }}{{ end }}\
             {{ end }}{{ end }}",
        ),
    )
    .expect("write");
    let m = measure(&["lint", file.to_str().expect("utf-8")], None);
    for want in [
        "template-limit",
        "`range` nested 3 deep",
        "`repeat 99999999` makes more than 1048576 bytes",
    ] {
        assert!(m.stdout.contains(want), "want {want:?}: {}", m.stdout);
    }
}

/// Templates that once hung the spec's loading (gtmpl's lexer and unquoting loop on them) are
/// errors within the bounds; the same literals written as Go reads them validate.
#[test]
fn template_literals_that_hung_the_loader_are_bounded() {
    for (template, want) in [
        // A string ending in an escaped backslash, then an action left open to the end.
        (
            "{{printf \"\\\\\" !}}\\\t\t\x14\t\\%s=%d\" \"k\" \t",
            "unexpected ! in operand",
        ),
        // `\x` without its two digits.
        (
            "{{ repeat 2 \"ab\" | replace \"a\" \".z\\x\" }}=0",
            "`\\x` needs 2 more digits",
        ),
    ] {
        let m = validate_template(template, &[]);
        m.assert_bounded(2, template);
        assert!(
            m.stderr.contains(want),
            "{template:?}: want {want:?}\nstderr: {}",
            m.stderr
        );
    }
    // Go's reading: `"\\"` is one backslash, `\x41` is `A`, a raw string keeps `\d`.
    let m = validate_template(r#"a={{ "\\" }}{{ "\x41" }}{{ `\d` }}"#, &["-o", "json"]);
    m.assert_bounded(0, "Go's literals");
    assert!(
        m.stdout.contains(r#""a": "\\A\\d""#),
        "stdout: {}\nstderr: {}",
        m.stdout,
        m.stderr
    );
}

/// An expanded line quoted in an error is cut short.
#[test]
fn rendered_template_in_an_error_is_cut() {
    let m = validate_template("{{ repeat 900000 \"a\" }}", &[]);
    m.assert_bounded(2, "long line");
    assert!(
        m.stdout.contains("missing value in expanded template line"),
        "stdout: {}\nstderr: {}",
        m.stdout,
        m.stderr
    );
    assert!(m.stdout.len() < 8192, "{} bytes of report", m.stdout.len());
}

/// Runs `args` with stdout a pipe closed at once (`| head -0`), returning the exit code.
fn exit_with_closed_stdout(args: &[&str]) -> (i32, String) {
    let mut child = command(args, &[])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nfd-compat");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    (status.code().unwrap_or(-1), stderr)
}

/// A closed stdout keeps the verdict: 1 stays 1, 2 stays 2, 0 stays 0, for every output.
#[test]
fn broken_pipe_keeps_the_verdict() {
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, spec: String| {
        let path = dir.path().join(name);
        fs::write(&path, spec).expect("write spec");
        path.to_str().expect("utf-8").to_owned()
    };
    let incompatible = write(
        "incompatible.yaml",
        spec_with_template("").replace("NET", "NOSUCH"),
    );
    let compatible = write("compatible.yaml", spec_with_template(""));
    let erring = write(
        "erring.yaml",
        spec_with_template("{{ printf \"%999999999d\" 1 }}"),
    );
    let (incompatible, compatible, erring) = (&*incompatible, &*compatible, &*erring);
    for (spec, want) in [(incompatible, 1), (compatible, 0), (erring, 2)] {
        for output in [
            &["-o", "table"][..],
            &["-o", "json"],
            &["-o", "yaml"],
            &["--output-json"],
        ] {
            let mut args = vec!["validate-node", "--spec", spec, "--features", &snapshot];
            args.extend_from_slice(output);
            let (code, stderr) = exit_with_closed_stdout(&args);
            assert_eq!(code, want, "{args:?}: stderr {stderr}");
        }
    }
    // A fleet (two snapshots) keeps its status, table or JSON.
    let fleet = testdata("snapshots");
    for output in ["table", "json"] {
        let args = [
            "validate-node",
            "--spec",
            incompatible,
            "--features",
            &fleet,
            "-o",
            output,
        ];
        let want = crate::common::run(&args, None).code;
        assert_eq!(want, 1, "the fleet is incompatible");
        let (code, stderr) = exit_with_closed_stdout(&args);
        assert_eq!(code, want, "{args:?}: stderr {stderr}");
    }
    // Other commands keep their status too.
    let (code, stderr) = exit_with_closed_stdout(&["lint", incompatible]);
    let lint = crate::common::run(&["lint", incompatible], None);
    assert_eq!(code, lint.code, "lint: {stderr}");
    let (code, stderr) = exit_with_closed_stdout(&["schema"]);
    assert_eq!(code, 0, "schema: {stderr}");
    let (code, stderr) = exit_with_closed_stdout(&[
        "export",
        "features",
        "--host-root",
        &testdata("hosts/intel-server"),
    ]);
    assert_eq!(code, 0, "export: {stderr}");
}

/// Started with standard input and output closed (`<&- >&-`, as some service managers start a
/// job), the binary keeps its verdict, prints no error and leaves the spec it read alone.
#[test]
fn closed_standard_descriptors_keep_the_verdict() {
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("incompatible.yaml");
    fs::write(&spec, spec_with_template("").replace("NET", "NOSUCH")).expect("write spec");
    let spec = spec.to_str().expect("utf-8");
    let args = ["validate-node", "--spec", spec, "--features", &snapshot];
    let open = crate::common::run(&args, None);
    assert_eq!(open.code, 1, "the spec is incompatible: {}", open.stderr);
    let closed = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"exec "$0" "$@" <&- >&-"#)
        .arg(env!("CARGO_BIN_EXE_nfd-compat"))
        .args(args)
        .env("NODE_NAME", "test-node")
        .stderr(Stdio::piped())
        .output()
        .expect("run sh (apt-get install dash)");
    let stderr = String::from_utf8_lossy(&closed.stderr);
    assert_eq!(closed.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.is_empty(), "stderr: {stderr}");
    assert_eq!(
        fs::read_to_string(spec).expect("read spec"),
        spec_with_template("").replace("NET", "NOSUCH"),
        "the spec is unchanged"
    );
}

/// Writes `text` at `rel` under `root`, creating directories.
fn put(root: &Path, rel: &str, text: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

/// Makes a FIFO at `path` with `mkfifo` (coreutils).
fn mkfifo(path: &Path) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils) must be installed");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `export features --host-root root`: bounded, exit 0, and its output and warnings.
fn discover(root: &Path, what: &str) -> Measured {
    let m = measure(
        &[
            "export",
            "features",
            "--host-root",
            root.to_str().expect("utf-8"),
        ],
        None,
    );
    m.assert_bounded(0, what);
    m
}

/// FIFOs, sockets and devices as `--spec`, `--features` or inside a host tree are refused at
/// once; nothing blocks. `-` still reads stdin.
#[test]
fn special_files_are_refused_without_hanging() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let socket_path = dir.path().join("socket");
    let _socket = std::os::unix::net::UnixListener::bind(&socket_path).expect("bind socket");
    let snapshot = testdata("snapshots/example-nodefeature.yaml");
    let spec = testdata("specs/nfd-example.yaml");
    let (fifo, socket) = (
        fifo.to_str().expect("utf-8"),
        socket_path.to_str().expect("utf-8"),
    );
    let cases = [
        (
            ["--spec", fifo, "--features", &snapshot],
            "a FIFO, not a regular file",
        ),
        (
            ["--spec", &spec, "--features", fifo],
            "a FIFO, not a regular file",
        ),
        (
            ["--spec", socket, "--features", &snapshot],
            "a socket, not a regular file",
        ),
        (
            ["--spec", "/dev/zero", "--features", &snapshot],
            "a character device",
        ),
        (
            ["--spec", &spec, "--features", "/dev/zero"],
            "a character device",
        ),
        (
            ["--spec", &spec, "--features", "/dev/urandom"],
            "a character device",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["validate-node"];
        all.extend(args);
        let m = measure(&all, None);
        m.assert_bounded(2, &format!("{args:?}"));
        assert!(m.stderr.contains(want), "{args:?}: {}", m.stderr);
    }
    let m = measure(&["export", "features", "--machine", fifo], None);
    m.assert_bounded(2, "--machine FIFO");
    assert!(
        m.stderr.contains("a FIFO, not a regular file"),
        "{}",
        m.stderr
    );
    // Stdin is still read.
    let m = validate_template("", &["-o", "json"]);
    m.assert_bounded(0, "spec on stdin");

    // Inside a host tree: a warning naming the file, discovery goes on.
    let host = dir.path().join("host");
    put(&host, "proc/sys/kernel/osrelease", b"6.8.0-1\n");
    put(&host, "etc/os-release", b"ID=inside\n");
    mkfifo(&host.join("proc/modules"));
    mkfifo(&host.join("etc/kubernetes/node-feature-discovery/features.d/fifo"));
    put(
        &host,
        "etc/kubernetes/node-feature-discovery/features.d/ok",
        b"present=yes\n",
    );
    mkfifo(&host.join("sys/class/net/eth0/mtu"));
    fs::write(host.join("sys/class/net/eth0/operstate"), "up\n").expect("write");
    std::os::unix::fs::symlink("/dev/zero", host.join("boot")).expect("symlink");
    let m = discover(&host, "special files in a host tree");
    for want in [
        "proc/modules` is a FIFO, not a regular file",
        "features.d/fifo` is a FIFO, not a regular file",
    ] {
        assert!(m.stderr.contains(want), "want {want:?}: {}", m.stderr);
    }
    assert!(m.stdout.contains("\"present\": \"yes\""), "{}", m.stdout);
    assert!(m.stdout.contains("\"ID\": \"inside\""), "{}", m.stdout);
}

/// Host files over their limit are refused while reading: a 2 GiB `/proc/modules` (sparse), a
/// link to `/dev/zero`, a gzip bomb as `/proc/config.gz`.
#[test]
fn large_host_files_are_refused_while_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let host = dir.path().join("host");
    put(&host, "proc/sys/kernel/osrelease", b"6.8.0-1\n");
    let modules = fs::File::create(host.join("proc/modules")).expect("create");
    modules.set_len(2 << 30).expect("sparse 2 GiB file");
    // 512 MiB of zeros, gzipped (about 500 KiB): read whole, it alone would pass the RSS bound.
    let gzip = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "head -c 536870912 /dev/zero | gzip -1 > '{}'",
            host.join("proc/config.gz").display()
        ))
        .status()
        .expect("sh, head and gzip must be installed");
    assert!(gzip.success(), "gzip bomb");
    let m = discover(&host, "large host files");
    // The bomb is skipped like any unreadable config (NFD tries the next location).
    for want in [
        "proc/modules` is larger than 16777216 bytes",
        "no readable kernel config",
    ] {
        assert!(m.stderr.contains(want), "want {want:?}: {}", m.stderr);
    }

    // `/proc/modules` as a link to /dev/zero: resolved inside the root, where there is none.
    fs::remove_file(host.join("proc/modules")).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", host.join("proc/modules")).expect("symlink");
    let m = discover(&host, "a link to /dev/zero");
    assert!(
        m.stderr
            .contains("proc/modules`: No such file or directory"),
        "{}",
        m.stderr
    );
}

/// Every host path stays under `--host-root`: a kernel release with `../`, a relative link
/// climbing out, an absolute link (resolved from the root, as on the host).
#[test]
fn host_reads_stay_inside_the_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outside = dir.path().join("outside");
    put(&outside, "modules.builtin", b"kernel/escaped_builtin.ko\n");
    put(&outside, "modules", b"escaped_module 16384 0 - Live 0x0\n");
    let host = dir.path().join("a/b/host");
    let up = "../".repeat(12);
    let escape = format!("{up}{}", outside.display());
    // `/lib/modules/<release>/modules.builtin` must not leave the root.
    put(&host, "proc/sys/kernel/osrelease", escape.as_bytes());
    std::os::unix::fs::symlink(format!("{escape}/modules"), host.join("proc/modules"))
        .expect("symlink");
    put(&host, "usr/lib/os-release", b"ID=inside-root\n");
    fs::create_dir_all(host.join("etc")).expect("mkdir");
    std::os::unix::fs::symlink("/usr/lib/os-release", host.join("etc/os-release"))
        .expect("symlink");
    // A link loop ends with an error, not a hang.
    fs::create_dir_all(host.join("sys/class")).expect("mkdir");
    std::os::unix::fs::symlink("net", host.join("sys/class/net")).expect("symlink");
    let m = discover(&host, "escapes");
    assert!(
        !m.stdout.contains("escaped"),
        "read outside the root: {}",
        m.stdout
    );
    assert!(m.stdout.contains("\"ID\": \"inside-root\""), "{}", m.stdout);
    assert!(
        m.stderr.contains("too many symbolic links resolving"),
        "{}",
        m.stderr
    );
    assert!(
        m.stderr.contains("proc/modules`: No such file"),
        "{}",
        m.stderr
    );
}

/// `validate-node` of the example spec against the snapshot in `file`.
fn validate_snapshot(file: &Path, output: &str) -> Measured {
    let spec = testdata("specs/nfd-example.yaml");
    measure(
        &[
            "validate-node",
            "--spec",
            &spec,
            "--features",
            file.to_str().expect("utf-8"),
            "-o",
            output,
        ],
        None,
    )
}

/// YAML aliases of a large anchored string are refused before they are expanded.
#[test]
fn snapshot_alias_bomb_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut yaml = format!(
        "apiVersion: nfd.k8s-sigs.io/v1alpha1\nkind: NodeFeature\nmetadata:\n  name: n\n  \
         annotations:\n    big: &big \"{}\"\nspec:\n  features:\n    attributes:\n      \
         custom.x:\n        elements:\n",
        "x".repeat(1 << 20)
    );
    for i in 0..4000 {
        yaml.push_str(&format!("          k{i}: *big\n"));
    }
    let file = dir.path().join("bomb.yaml");
    fs::write(&file, yaml).expect("write");
    let m = validate_snapshot(&file, "json");
    m.assert_bounded(2, "alias bomb");
    assert!(
        m.stderr
            .contains("aliases expand to more than 16777216 bytes"),
        "{}",
        m.stderr
    );
    // YAML is read whole (its reader keeps every event), so it has a lower size limit.
    let big = dir.path().join("big.yaml");
    let mut yaml = String::from("flags:\n  cpu.cpuid:\n    elements:\n");
    let mut i = 0;
    while yaml.len() <= 17 << 20 {
        yaml.push_str(&format!("      FLAG_{i}: {{}}\n"));
        i += 1;
    }
    fs::write(&big, yaml).expect("write");
    let m = validate_snapshot(&big, "json");
    m.assert_bounded(2, "17 MiB of YAML");
    assert!(
        m.stderr.contains("the limit for YAML is 16777216"),
        "{}",
        m.stderr
    );
}

/// A NodeFeature JSON snapshot of `instances` PCI-like instances and as many flags.
fn large_snapshot(instances: usize) -> String {
    let mut s = String::from(
        "{\"apiVersion\": \"nfd.k8s-sigs.io/v1alpha1\", \"kind\": \"NodeFeature\", \
         \"metadata\": {\"name\": \"big\"}, \"spec\": {\"features\": {\"flags\": \
         {\"cpu.cpuid\": {\"elements\": {",
    );
    for i in 0..instances {
        s.push_str(&format!(
            "{}\"FLAG_{i}\": {{}}",
            if i > 0 { ", " } else { "" }
        ));
    }
    s.push_str("}}}, \"instances\": {\"pci.device\": {\"elements\": [");
    for i in 0..instances {
        s.push_str(&format!(
            "{}\n  {{\"attributes\": {{\"class\": \"0200\", \"vendor\": \"8086\", \
             \"device\": \"{i:04x}\", \"subsystem_vendor\": \"8086\", \"subsystem_device\": \
             \"0000\", \"sriov_totalvfs\": \"64\", \"iommu_group/type\": \"DMA\", \
             \"iommu/intel-iommu/version\": \"1:0\"}}}}",
            if i > 0 { "," } else { "" }
        ));
    }
    s.push_str("]}}}}}\n");
    s
}

/// A valid snapshot costs at most about three times its size: it is read straight into
/// features (no generic tree of the document, which cost ten times the text), and instances
/// are stored compactly with shared attribute names (a map per instance cost four to nine
/// times). Measured as the growth over the same snapshot with one instance, so that the
/// binary's own footprint (larger in a debug build) does not count.
#[test]
fn valid_snapshot_memory_is_a_small_multiple_of_its_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |name: &str, text: &str| {
        let file = dir.path().join(name);
        fs::write(&file, text).expect("write");
        let m = validate_snapshot(&file, "json");
        m.assert_bounded(1, name);
        m.rss_mb
    };
    let small = run("small.json", &large_snapshot(1));
    let text = large_snapshot(40_000);
    let big = run("big.json", &text);
    let growth = big.saturating_sub(small);
    // Three times the text, rounded up to whole MiB, and 2 MiB for the rounding of the two
    // measurements.
    let bound = (3 * text.len()).div_ceil(1 << 20) + 2;
    assert!(
        usize::try_from(growth).expect("fits") <= bound,
        "a {} byte snapshot took {growth} MiB more than a one-instance one ({small} MiB, then \
         {big} MiB; bound {bound} MiB)",
        text.len()
    );
}

/// A list with many bad items: the table keeps a hundred error rows and counts the rest, the
/// summary lists twenty; memory does not grow with the errors.
#[test]
fn many_bad_items_keep_a_bounded_number_of_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = |n: usize| {
        format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{}]}}",
            vec!["{}"; n].join(",")
        )
    };
    let small = dir.path().join("small.json");
    fs::write(&small, list(10_000)).expect("write");
    let large = dir.path().join("large.json");
    fs::write(&large, list(200_000)).expect("write");
    let small = validate_snapshot(&small, "table");
    small.assert_bounded(2, "10,000 bad items");
    let m = validate_snapshot(&large, "table");
    m.assert_bounded(2, "200,000 bad items");
    assert!(
        m.stdout.contains("... and 199900 more nodes with errors"),
        "{}",
        &m.stdout[m.stdout.len().saturating_sub(2000)..]
    );
    let growth = m.rss_mb.saturating_sub(small.rss_mb);
    assert!(
        growth < 25,
        "20x the bad items took {growth} MiB more ({} MiB, then {} MiB)",
        small.rss_mb,
        m.rss_mb
    );
}
