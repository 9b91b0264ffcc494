//! `completions` and `man`: the files committed under `completions/` are what the binary
//! generates, so they cannot fall behind the command line.
//!
//! After changing the command line, regenerate them with
//! `NFD_COMPAT_UPDATE=1 cargo test --test it completions::` and review the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::run;
use crate::support::registry::require;

/// The shells, and the file each one's script is committed as.
const SHELLS: [(&str, &str); 5] = [
    ("bash", "nfd-compat.bash"),
    ("zsh", "_nfd-compat"),
    ("fish", "nfd-compat.fish"),
    ("powershell", "_nfd-compat.ps1"),
    ("elvish", "nfd-compat.elv"),
];

/// Every generated file, by name: a script per shell and the man pages.
fn generated() -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for (shell, name) in SHELLS {
        let out = run(&["completions", shell], None);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("nfd-compat"), "{shell}: {}", out.stdout);
        files.insert(name.to_owned(), out.stdout.into_bytes());
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_arg = dir.path().to_string_lossy().into_owned();
    let out = run(&["man", "--dir", &dir_arg], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for entry in std::fs::read_dir(dir.path()).expect("man dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        files.insert(name, std::fs::read(&path).expect("read page"));
    }
    files
}

#[test]
fn committed_completions_and_man_pages_match_the_binary() {
    let files = generated();
    for page in [
        "nfd-compat.1",
        "nfd-compat-validate-node.1",
        "nfd-compat-export-features.1",
        "nfd-compat-init.1",
    ] {
        assert!(
            files.contains_key(page),
            "no {page} among {:?}",
            files.keys()
        );
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions");
    if std::env::var_os("NFD_COMPAT_UPDATE").is_some() {
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("clear completions/");
        }
        std::fs::create_dir_all(&dir).expect("create completions/");
        for (name, bytes) in &files {
            std::fs::write(dir.join(name), bytes).expect("write file");
        }
    }
    let mut committed = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            committed.insert(name, std::fs::read(&path).expect("read file"));
        }
    }
    let stale: Vec<&String> = files
        .keys()
        .filter(|n| committed.get(*n) != files.get(*n))
        .chain(committed.keys().filter(|n| !files.contains_key(*n)))
        .collect();
    assert!(
        stale.is_empty(),
        "completions/ is out of date ({stale:?}); regenerate with \
         NFD_COMPAT_UPDATE=1 cargo test --test it completions::"
    );
}

#[test]
fn man_prints_the_main_page() {
    let out = run(&["man"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(".TH nfd-compat 1"), "{}", out.stdout);
    assert!(out.stdout.contains("validate\\-node"), "{}", out.stdout);
}

/// The binary's completion script for `shell`, written to a fresh directory as `name`.
fn script_in_dir(shell: &str, name: &str) -> (tempfile::TempDir, PathBuf) {
    let out = run(&["completions", shell], None);
    assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, out.stdout).expect("write the script");
    (dir, path)
}

/// The words bash offers for the command line `words` (the last one being completed), asking
/// the function the script registers with `complete -F`, as bash's readline does.
fn bash_completions(script: &Path, words: &[&str]) -> Vec<String> {
    let bash = require("bash", "apt-get install -y bash");
    let cword = words.len() - 1;
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        r#"source '{script}'
func=$(complete -p nfd-compat | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$func" ] || {{ echo 'no completion function registered for nfd-compat' >&2; exit 3; }}
COMP_WORDS=({words})
COMP_CWORD={cword}
COMP_LINE="${{COMP_WORDS[*]}}"
COMP_POINT=${{#COMP_LINE}}
"$func" nfd-compat "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
        script = script.display(),
        words = quoted.join(" "),
    );
    let out = Command::new(bash)
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "bash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_subcommand_options_and_values() {
    let (_dir, script) = script_in_dir("bash", "nfd-compat.bash");
    let options = bash_completions(&script, &["nfd-compat", "validate-node", "--pl"]);
    assert_eq!(
        options,
        ["--platform", "--plain-http"],
        "validate-node --pl<TAB>"
    );
    let values = bash_completions(&script, &["nfd-compat", "validate-node", "--output", ""]);
    assert_eq!(
        values,
        ["table", "json", "yaml", "junit", "github"],
        "validate-node --output <TAB>"
    );
    // Two levels down, and a subcommand of its own.
    let nested = bash_completions(
        &script,
        &["nfd-compat", "export", "nodefeaturerule", "--la"],
    );
    assert_eq!(nested, ["--label"], "export nodefeaturerule --la<TAB>");
    let list = bash_completions(&script, &["nfd-compat", "list", "-o", "j"]);
    assert_eq!(list, ["json"], "list -o j<TAB>");
}

/// The candidates fish offers for `line` (`complete -C`, what fish's Tab shows), without
/// descriptions.
fn fish_completions(script: &Path, line: &str) -> Vec<String> {
    let fish = require("fish", "apt-get install -y fish");
    let program = format!("source '{}'; complete -C '{line}'", script.display());
    let out = Command::new(fish)
        .args(["--no-config", "-c", &program])
        .output()
        .expect("run fish");
    assert!(
        out.status.success(),
        "fish: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut words: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words
}

#[test]
fn fish_completes_subcommand_options_and_values() {
    let (_dir, script) = script_in_dir("fish", "nfd-compat.fish");
    assert_eq!(
        fish_completions(&script, "nfd-compat validate-node --pl"),
        ["--plain-http", "--platform"]
    );
    assert_eq!(
        fish_completions(&script, "nfd-compat validate-node --output "),
        ["github", "json", "junit", "table", "yaml"]
    );
}

/// An interactive zsh in a real terminal (tmux, on a private server), with the completion
/// script on its `fpath` and `compinit` run.
struct Zsh {
    tmux: PathBuf,
    socket: String,
    _home: tempfile::TempDir,
}

impl Zsh {
    fn start(script_dir: &Path) -> Zsh {
        let tmux = require("tmux", "apt-get install -y tmux");
        let zsh = require("zsh", "apt-get install -y zsh");
        let home = tempfile::tempdir().expect("temp dir");
        let socket = format!("nfd-compat-zsh-{}", std::process::id());
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_nfd-compat"))
            .parent()
            .expect("binary dir")
            .to_owned();
        let shell = format!(
            "env -i HOME='{}' TERM=xterm PATH='{}:/usr/bin:/bin' '{}' -f",
            home.path().display(),
            bin_dir.display(),
            zsh.display()
        );
        let z = Zsh {
            tmux,
            socket,
            _home: home,
        };
        z.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "200",
            "-y",
            "50",
            &shell,
        ]);
        z.type_line(&format!(
            "fpath=('{}' $fpath); autoload -Uz compinit; compinit -u; PS1='ready%% '; clear",
            script_dir.display()
        ));
        z.wait_for(|screen| screen.contains("ready%"), "the prompt");
        z
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new(&self.tmux)
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn type_line(&self, line: &str) {
        self.tmux(&["send-keys", "-l", line]);
        self.tmux(&["send-keys", "Enter"]);
    }

    /// Types `text` and presses Tab twice (complete, then list the candidates).
    fn complete(&self, text: &str) -> String {
        self.tmux(&["send-keys", "C-u"]);
        self.tmux(&["send-keys", "C-l"]);
        self.tmux(&["send-keys", "-l", text]);
        self.tmux(&["send-keys", "Tab"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        self.tmux(&["send-keys", "Tab"]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        self.tmux(&["capture-pane", "-p"])
    }

    /// Waits (up to a generous 20 s, for a loaded machine) until the screen satisfies `done`.
    fn wait_for(&self, done: impl Fn(&str) -> bool, what: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            let screen = self.tmux(&["capture-pane", "-p"]);
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(20),
                "zsh never showed {what}; the screen:\n{screen}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for Zsh {
    fn drop(&mut self) {
        let _ = Command::new(&self.tmux)
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

#[test]
fn zsh_completes_subcommand_options_and_values() {
    let (dir, _script) = script_in_dir("zsh", "_nfd-compat");
    let zsh = Zsh::start(dir.path());
    let has_all = |words: &'static [&'static str]| {
        move |screen: &str| words.iter().all(|w| screen.contains(w))
    };
    zsh.complete("nfd-compat validate-node --pl");
    zsh.wait_for(
        has_all(&["--platform", "--plain-http"]),
        "`--platform` and `--plain-http` for `validate-node --pl<TAB>`",
    );
    zsh.complete("nfd-compat validate-node --output ");
    zsh.wait_for(
        has_all(&["table", "json", "yaml", "junit", "github"]),
        "the report formats for `validate-node --output <TAB>`",
    );
}
