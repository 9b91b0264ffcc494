//! The human outputs in a real terminal: tmux panes of 80 and 200 columns, captured with
//! `capture-pane -J`, so that a line the terminal had to wrap comes back longer than the pane.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::{run, testdata};
use crate::support::registry::{Registry, push_images, require};

/// A tmux server of its own (`-L`), killed on drop.
struct Tmux {
    program: PathBuf,
    socket: String,
    dir: tempfile::TempDir,
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new(&self.program)
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs `nfd-compat ARGS` in a pane `width` columns wide (and tall enough for the whole output) and returns the screen, wrapped lines
/// joined, trailing blank lines removed.
fn in_terminal(width: u16, args: &[&str]) -> String {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let tmux = Tmux {
        program: require("tmux", "apt-get install -y tmux"),
        socket: format!(
            "nfd-compat-test-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ),
        dir: tempfile::tempdir().expect("tempdir"),
    };
    let done = tmux.dir.path().join("done");
    let script = tmux.dir.path().join("run.sh");
    let command: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_nfd-compat"))
        .chain(args.iter().copied())
        .map(quoted)
        .collect();
    std::fs::write(
        &script,
        format!(
            "export NO_COLOR=1 NODE_NAME=test-node\n{} 2>/dev/null\ntouch {}\nsleep 120\n",
            command.join(" "),
            quoted(&done.display().to_string())
        ),
    )
    .expect("script");
    let started = Command::new(&tmux.program)
        .args(["-L", &tmux.socket, "-f", "/dev/null", "new-session", "-d"])
        .args(["-x", &width.to_string(), "-y", "200", "-s", "t"])
        .arg(format!("sh {}", quoted(&script.display().to_string())))
        .status()
        .expect("start tmux");
    assert!(started.success(), "tmux new-session failed");
    wait_for(&done);
    let out = Command::new(&tmux.program)
        .args([
            "-L",
            &tmux.socket,
            "capture-pane",
            "-p",
            "-J",
            "-S",
            "-",
            "-t",
            "t",
        ])
        .output()
        .expect("capture-pane");
    assert!(out.status.success(), "capture-pane failed");
    String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
}

fn wait_for(done: &Path) {
    let start = Instant::now();
    while !done.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "nfd-compat did not finish in the terminal within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let tmux draw the last lines.
    std::thread::sleep(Duration::from_millis(300));
}

fn too_wide(screen: &str, width: usize) -> Vec<&str> {
    screen
        .lines()
        .filter(|l| l.chars().count() > width)
        .collect()
}

fn validate_narrow_report(width: u16) -> String {
    let spec = testdata("specs/narrow-report.yaml");
    let features = testdata("snapshots/intel-server.json");
    in_terminal(
        width,
        &["validate-node", "--spec", &spec, "--features", &features],
    )
}

#[test]
fn the_report_fits_an_80_column_terminal() {
    let screen = validate_narrow_report(80);
    assert_eq!(too_wide(&screen, 80), Vec::<&str>::new(), "{screen}");
    assert!(screen.starts_with("COMPATIBILITY SET #1"), "{screen}");
    assert!(screen.contains("\nFAIL     kernel and cpu\n"), "{screen}");
    assert!(
        screen.contains("           kernel.loadedmodule\n"),
        "{screen}"
    );
    assert!(
        screen.contains("FAIL       any of, #2: no single instance"),
        "{screen}"
    );
    assert!(screen.contains("Verdict: INCOMPATIBLE"), "{screen}");
    // Not a table squeezed to 80 columns.
    assert!(!screen.contains('┆'), "{screen}");
}

#[test]
fn the_report_is_a_table_in_a_200_column_terminal() {
    let screen = validate_narrow_report(200);
    assert_eq!(too_wide(&screen, 200), Vec::<&str>::new(), "{screen}");
    assert!(
        screen.contains("┆   kernel.loadedmodule.vfio-pci"),
        "{screen}"
    );
    assert!(screen.contains("Verdict: INCOMPATIBLE"), "{screen}");
    // Off a terminal the same report is the unwrapped table.
    let spec = testdata("specs/narrow-report.yaml");
    let features = testdata("snapshots/intel-server.json");
    let piped = run(
        &["validate-node", "--spec", &spec, "--features", &features],
        None,
    );
    assert!(piped.stdout.lines().any(|l| l.chars().count() > 200));
}

#[test]
fn list_fits_the_terminal() {
    let registry = Registry::ferro();
    push_images(&registry, None);
    let image = format!("{}/app:v1", registry.host);
    let spec = testdata("specs/narrow-report.yaml");
    let attached = run(&["attach", "--image", &image, &spec, "--plain-http"], None);
    assert_eq!(attached.code, 0, "{}", attached.stderr);
    let digest = attached.stdout.trim().to_owned();
    let wide = in_terminal(200, &["list", "--image", &image, "--plain-http"]);
    assert_eq!(too_wide(&wide, 200), Vec::<&str>::new(), "{wide}");
    // The table, its sets wrapped at spaces.
    assert!(wide.contains(&format!("│ {digest} ┆")), "{wide}");
    assert!(wide.contains("┆ accelerated: Nodes with VFIO,"), "{wide}");
    let narrow = in_terminal(80, &["list", "--image", &image, "--plain-http"]);
    assert_eq!(too_wide(&narrow, 80), Vec::<&str>::new(), "{narrow}");
    assert!(
        narrow.contains(&format!("\n{digest}\n  created ")),
        "{narrow}"
    );
    assert!(
        narrow.contains("  set accelerated: Nodes with VFIO, a Mellanox or Intel SR-IOV NIC"),
        "{narrow}"
    );
}
