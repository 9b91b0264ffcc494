//! The parts of `--help` and the man pages that clap does not derive from the arguments:
//! EXAMPLES, EXIT STATUS and ENVIRONMENT per command, and the version line (the commit it was
//! built from and the spec version it follows).
//!
//! `command` is the command line with these added; `main` parses with it and `completions`
//! and `man` generate from it, so help, man pages and completions say the same.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::sync::LazyLock;

use clap::CommandFactory as _;

use crate::cli::Cli;
use crate::spec;

/// The commit the binary was built from (`build.rs`: from git, else `NFD_COMPAT_COMMIT`, else
/// `unknown`).
pub(crate) const COMMIT: &str = env!("NFD_COMPAT_COMMIT");

/// What `--version` prints after the program name.
pub(crate) static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (commit {COMMIT}; NFD image-compatibility spec {})",
        env!("CARGO_PKG_VERSION"),
        spec::VERSION
    )
});

/// The version for the man pages: the package version and the spec version, not the commit.
pub(crate) static MAN_VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (NFD image-compatibility spec {})",
        env!("CARGO_PKG_VERSION"),
        spec::VERSION
    )
});

/// One section: a title and `(term, text)` entries.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    /// The man page's heading (`EXAMPLES`).
    pub(crate) title: &'static str,
    /// The entries: a command line, an exit status or a variable, and what it means.
    pub(crate) entries: Vec<(&'static str, &'static str)>,
}

const REGISTRY_ENV: &[(&str, &str)] = &[
    (
        "REGISTRY_AUTH_FILE",
        "A containers auth.json (podman, skopeo, buildah) searched first for registry credentials.",
    ),
    (
        "XDG_RUNTIME_DIR",
        "Podman's credentials are read from $XDG_RUNTIME_DIR/containers/auth.json (else ~/.config/containers/auth.json), after REGISTRY_AUTH_FILE.",
    ),
    (
        "DOCKER_CONFIG",
        "Docker's configuration directory: credentials (and credential helpers) from $DOCKER_CONFIG/config.json, else ~/.docker/config.json, searched last.",
    ),
    (
        "HTTPS_PROXY, HTTP_PROXY",
        "The proxy for https:// and for --plain-http registry requests, as Go programs read them (lower-case names too); loopback is never proxied.",
    ),
    (
        "NO_PROXY",
        "Comma-separated hosts reached without the proxy: `example.com` and `.example.com` cover subdomains, `*` all; ports, IP addresses and CIDR ranges too.",
    ),
];

const VALIDATE_ENV: &[(&str, &str)] = &[
    (
        "NO_COLOR",
        "When set and not empty, the report has no colour unless --color always.",
    ),
    (
        "NODE_NAME",
        "The node's name in the report when discovering this host (as in NFD's pods), else its host name.",
    ),
];

fn root() -> Vec<Section> {
    vec![
        Section {
            title: "EXAMPLES",
            entries: vec![
                (
                    "nfd-compat validate-node --image registry.example.com/app:1.0",
                    "Check this host against the newest compatibility artifact attached to the image.",
                ),
                (
                    "kubectl get nodefeatures -A -o json | nfd-compat validate-node --spec spec.yaml --features - -o junit",
                    "Check every node of a cluster, as a JUnit report for CI.",
                ),
                (
                    "nfd-compat lint spec.yaml && nfd-compat attach --strict --image registry.example.com/app:1.0 spec.yaml",
                    "Check a spec, then attach it to an image.",
                ),
            ],
        },
        Section {
            title: "EXIT STATUS",
            entries: vec![
                ("0", "Compatible (validate-node), or the command succeeded."),
                (
                    "1",
                    "Incompatible (validate-node), or the spec has errors (lint; warnings too with --strict).",
                ),
                (
                    "2",
                    "An error: bad arguments, an input or registry that cannot be read, a rule that cannot be evaluated.",
                ),
            ],
        },
        Section {
            title: "ENVIRONMENT",
            entries: vec![
                (
                    "NO_COLOR",
                    "When set and not empty, reports have no colour unless --color always.",
                ),
                (
                    "NODE_NAME",
                    "The node's name in reports when discovering this host, else its host name.",
                ),
                (
                    "REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, DOCKER_CONFIG",
                    "Where registry credentials are looked up, in this order (see the registry commands' help).",
                ),
                (
                    "HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
                    "The proxy for registry requests, and the hosts reached without it.",
                ),
            ],
        },
    ]
}

fn validate_node() -> Vec<Section> {
    vec![
        Section {
            title: "EXAMPLES",
            entries: vec![
                (
                    "nfd-compat validate-node --image registry.example.com/app:1.0",
                    "Check this host against the image's newest compatibility artifact.",
                ),
                (
                    "nfd-compat validate-node --spec spec.yaml --host-root /host",
                    "Check the host mounted at /host (in a pod) against a spec file.",
                ),
                (
                    "nfd-compat validate-node --image app:1.0 --features node.json -o github",
                    "Check a saved node (nfd export features, a NodeFeature) in a GitHub Actions job.",
                ),
                (
                    "kubectl get nodefeatures -A -o json | nfd-compat validate-node --spec spec.yaml --features - --any",
                    "Check a whole cluster: succeed when at least one node is compatible.",
                ),
            ],
        },
        Section {
            title: "EXIT STATUS",
            entries: vec![
                (
                    "0",
                    "Compatible: some compatibility set has all its rules matched (with several nodes: on every node, or with --any on at least one).",
                ),
                (
                    "1",
                    "Incompatible: no compatibility set matched (on some node; with --any, on every node).",
                ),
                (
                    "2",
                    "The validation could not be completed: bad arguments, a spec, snapshot or registry that cannot be read, or a rule that cannot be evaluated. -o junit and -o github still print a document saying so.",
                ),
            ],
        },
        Section {
            title: "ENVIRONMENT",
            entries: [VALIDATE_ENV, REGISTRY_ENV].concat(),
        },
    ]
}

fn lint() -> Vec<Section> {
    vec![
        Section {
            title: "EXAMPLES",
            entries: vec![
                (
                    "nfd-compat lint spec.yaml",
                    "Every load error and warning, as FILE:LINE:COL: severity[code]: message.",
                ),
                (
                    "nfd-compat lint --strict -o json specs/*.yaml",
                    "Check several specs in CI, failing on warnings too, as JSON.",
                ),
            ],
        },
        Section {
            title: "EXIT STATUS",
            entries: vec![
                ("0", "No errors (warnings and notes only)."),
                ("1", "Some spec has errors, or warnings with --strict."),
                ("2", "A file cannot be read, or bad arguments."),
            ],
        },
    ]
}

/// The sections of a registry command, with `examples`.
fn registry_command(examples: &'static [(&'static str, &'static str)]) -> Vec<Section> {
    vec![
        Section {
            title: "EXAMPLES",
            entries: examples.to_vec(),
        },
        Section {
            title: "EXIT STATUS",
            entries: vec![
                ("0", "Done."),
                (
                    "2",
                    "An error: bad arguments, a spec or registry that cannot be read, a refused write.",
                ),
            ],
        },
        Section {
            title: "ENVIRONMENT",
            entries: REGISTRY_ENV.to_vec(),
        },
    ]
}

/// The sections of `cmd` (by its name path, `validate-node`, `export features`).
pub(crate) fn sections(path: &str) -> Vec<Section> {
    let mut sections = match path {
        "" => root(),
        "validate-node" => validate_node(),
        "lint" => lint(),
        "attach" => registry_command(&[
            (
                "nfd-compat attach --image registry.example.com/app:1.0 spec.yaml",
                "Attach a spec (checked first) to an image.",
            ),
            (
                "nfd-compat attach --strict --annotation org.opencontainers.image.source=https://git.example.com/app --image app:1.0 spec.yaml",
                "Publish from CI: refuse a spec with lint warnings, and record where it came from.",
            ),
        ]),
        "list" => registry_command(&[(
            "nfd-compat list --image registry.example.com/app:1.0",
            "The artifacts attached to an image, newest first.",
        )]),
        "fetch" => registry_command(&[(
            "nfd-compat fetch --image registry.example.com/app:1.0 > spec.yaml",
            "The spec of the newest artifact.",
        )]),
        "detach" => registry_command(&[(
            "nfd-compat detach --image registry.example.com/app:1.0 --artifact sha256:...",
            "Remove an artifact (a digest as list prints it).",
        )]),
        "copy" => registry_command(&[
            (
                "nfd-compat copy --image registry.example.com/app:1.0 --to oci:./app:1.0",
                "Carry an image's compatibility artifacts into an OCI layout that skopeo made, for an air-gapped cluster.",
            ),
            (
                "nfd-compat copy --image oci:./app:1.0 --to registry.internal/app:1.0",
                "And on into the registry inside it (the image must be there already); re-running copies nothing new.",
            ),
        ]),
        "init" => vec![Section {
            title: "EXAMPLES",
            entries: vec![(
                "nfd-compat init --path spec.yaml",
                "A commented starter spec that this host satisfies; cut it down to what the image needs.",
            )],
        }],
        "export features" => vec![Section {
            title: "EXAMPLES",
            entries: vec![(
                "nfd-compat export features --host-root /host -o yaml",
                "What this tool discovers on the host mounted at /host.",
            )],
        }],
        "completions" => vec![Section {
            title: "EXAMPLES",
            entries: vec![
                (
                    "source <(nfd-compat completions bash)",
                    "Completions in the current bash.",
                ),
                (
                    "nfd-compat completions fish > ~/.config/fish/completions/nfd-compat.fish",
                    "Completions for every new fish.",
                ),
            ],
        }],
        _ => Vec::new(),
    };
    if !sections.iter().any(|s| s.title == "EXIT STATUS") {
        sections.push(Section {
            title: "EXIT STATUS",
            entries: vec![("0", "Done."), ("2", "An error.")],
        });
    }
    sections
}

/// The sections as plain text for `--help`: a heading per section, each term indented by two
/// and its text by six.
pub(crate) fn help_text(path: &str) -> String {
    let mut out = String::new();
    for section in sections(path) {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "{}:", heading(section.title));
        for (term, text) in &section.entries {
            let _ = writeln!(out, "  {term}");
            let _ = writeln!(out, "      {text}");
        }
    }
    out
}

/// `EXIT STATUS` as `Exit status`.
fn heading(title: &str) -> String {
    let lower = title.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The sections as roff for a man page: `.SH` per section, `.TP` per entry.
pub(crate) fn man_roff(path: &str) -> String {
    let mut out = String::new();
    for section in sections(path) {
        let _ = writeln!(out, ".SH \"{}\"", section.title);
        for (term, text) in &section.entries {
            let _ = writeln!(out, ".TP");
            let _ = writeln!(out, "\\fB{}\\fR", roff_escape(term));
            let _ = writeln!(out, "{}", roff_escape(text));
        }
    }
    out
}

/// Escapes text for roff: backslashes, hyphens (so they stay hyphens), and a leading `.` or
/// `'` (which would start a request).
fn roff_escape(s: &str) -> String {
    let escaped = s.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// The command line with the version line and, on every command, the sections: a short
/// exit-status line for `-h` and all of them for `--help`.
pub(crate) fn command() -> clap::Command {
    add_help(top_level(), "", None)
}

/// `command` for parsing `args`: the sections only on the commands `args` can show the help
/// of (the top level and every command named in `args`, with what is below it). Writing the
/// help texts of all commands takes longer than starting the process; a run shows at most one.
pub fn command_for(args: &[OsString]) -> clap::Command {
    add_help(top_level(), "", Some(args))
}

/// The command line without the help sections: what parsing a command line that is not
/// asking for help needs (building the sections took ~70,000 instructions of every run).
pub fn command_bare() -> clap::Command {
    top_level()
}

fn top_level() -> clap::Command {
    Cli::command()
        .version(VERSION.as_str())
        .long_version(VERSION.as_str())
}

/// Adds the sections to `cmd` and below it: to every subcommand, or with `words` to those
/// named in `words` (and below them, with the words after the name).
fn add_help(cmd: clap::Command, path: &str, words: Option<&[OsString]>) -> clap::Command {
    let statuses: Vec<String> = sections(path)
        .iter()
        .filter(|s| s.title == "EXIT STATUS")
        .flat_map(|s| s.entries.clone())
        .map(|(code, text)| {
            let short = text.split([':', ',', '.', ';']).next().unwrap_or(text);
            format!("{code} {}", short.to_lowercase())
        })
        .collect();
    let titles: Vec<String> = sections(path)
        .iter()
        .map(|s| s.title.to_lowercase())
        .collect();
    let mut cmd = cmd
        .after_help(format!(
            "Exit status: {}. More in --help: {}.",
            statuses.join(", "),
            titles.join(", ")
        ))
        .after_long_help(help_text(path));
    let subcommands: Vec<(String, Option<&[OsString]>)> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .filter_map(|s| {
            let rest = match words {
                None => None,
                Some(words) => {
                    let named = |w: &OsString| {
                        w.to_str().is_some_and(|w| {
                            s.get_name() == w || s.get_all_aliases().any(|a| a == w)
                        })
                    };
                    Some(&words[words.iter().position(named)? + 1..])
                }
            };
            Some((s.get_name().to_owned(), rest))
        })
        .collect();
    for (name, rest) in subcommands {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |sub| add_help(sub, &sub_path, rest));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_an_exit_status_and_validate_node_the_environment() {
        let cmd = command();
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let text = help_text(sub.get_name());
            assert!(
                text.contains("Exit status:\n  0\n"),
                "{}: {text}",
                sub.get_name()
            );
        }
        let text = help_text("validate-node");
        for var in [
            "DOCKER_CONFIG",
            "REGISTRY_AUTH_FILE",
            "XDG_RUNTIME_DIR",
            "HTTPS_PROXY",
            "NO_PROXY",
            "NO_COLOR",
        ] {
            assert!(text.contains(var), "{var}: {text}");
        }
    }

    /// Every command path below `cmd`, as the words that name it.
    fn paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_owned());
            paths(sub, &path, out);
            out.push(path);
        }
    }

    fn find<'c>(cmd: &'c mut clap::Command, path: &[String]) -> &'c mut clap::Command {
        path.iter().fold(cmd, |c, name| {
            c.find_subcommand_mut(name).expect("a command of the tree")
        })
    }

    #[test]
    fn the_command_for_a_command_line_has_the_full_help_of_its_command() {
        let mut full = command();
        full.build();
        let mut all = Vec::new();
        paths(&full, &[], &mut all);
        all.push(Vec::new());
        assert!(all.len() > 10, "{all:?}");
        for path in all {
            // As typed (`nfd-compat export features --help`) and through `help`.
            let typed: Vec<OsString> = std::iter::once("nfd-compat")
                .chain(path.iter().map(String::as_str))
                .chain(["--help"])
                .map(OsString::from)
                .collect();
            let mut via_help = vec![OsString::from("nfd-compat"), OsString::from("help")];
            via_help.extend(path.iter().map(OsString::from));
            for args in [typed, via_help] {
                let mut partial = command_for(&args);
                partial.build();
                let want = find(&mut full, &path);
                let (long, short) = (want.render_long_help(), want.render_help());
                let got = find(&mut partial, &path);
                assert_eq!(
                    got.render_long_help().to_string(),
                    long.to_string(),
                    "{args:?}"
                );
                assert_eq!(got.render_help().to_string(), short.to_string(), "{args:?}");
            }
        }
        // What no command line names carries no sections (the point of `command_for`).
        let mut bare = command_for(&[OsString::from("nfd-compat"), OsString::from("lint")]);
        bare.build();
        let other = find(&mut bare, &["schema".to_owned()]);
        assert!(other.get_after_long_help().is_none());
    }

    #[test]
    fn roff_is_escaped() {
        assert_eq!(roff_escape(".a-b\\c"), "\\&.a\\-b\\ec");
        assert_eq!(heading("EXIT STATUS"), "Exit status");
    }
}
