//! `completions` and `man`: the files committed under `completions/` are what the binary
//! generates, so they cannot fall behind the command line.
//!
//! After changing the command line, regenerate them with
//! `NFD_COMPAT_UPDATE=1 cargo test --test it completions::` and review the diff.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::common::run;

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
