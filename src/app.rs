//! Resolves the command line into work and runs it: load the spec, get the node's features
//! (discover or read a snapshot), evaluate, build the report, render it.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::cli::{
    Cli, ColorChoice, Command, DataFormat, DiscoveryArgs, ExportCommand, ExportFeaturesArgs,
    ReportFormat, ValidateArgs,
};
use crate::features::Features;
use crate::report::{self, Origin, Verdict};
use crate::rules;
use crate::snapshot::{self, NodeSnapshot};
use crate::sources::{self, HostRoot, Machine};
use crate::spec::{self, Spec};

/// The process exit status: the verdict, or an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: compatible (or a command that succeeded).
    Success,
    /// 1: incompatible.
    Incompatible,
    /// 2: an error.
    Error,
}

impl From<ExitStatus> for u8 {
    fn from(s: ExitStatus) -> u8 {
        match s {
            ExitStatus::Success => 0,
            ExitStatus::Incompatible => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Settings every command shares.
#[derive(Debug, Clone, Copy)]
struct Global {
    color: bool,
    quiet: bool,
}

/// Runs the command.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    let stdout_tty = io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let global = Global {
        color: match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_tty && !no_color,
        },
        quiet: cli.quiet,
    };
    match cli.command {
        Command::ValidateNode(args) => validate(&args, global, stdout_tty),
        Command::Export(ExportCommand::Features(args)) => export_features(&args),
    }
}

fn warn(global: Global, message: &str) {
    if !global.quiet {
        let _ = writeln!(io::stderr().lock(), "warning: {message}");
    }
}

fn validate(args: &ValidateArgs, global: Global, stdout_tty: bool) -> Result<ExitStatus> {
    let spec_name = display_path(&args.spec);
    let (spec, spec_warnings) = load_spec(&args.spec)?;
    let mut warnings: Vec<String> = Vec::new();
    for w in &spec_warnings {
        warnings.push(format!("spec {spec_name}:{w}"));
    }
    let (features, origin) = match &args.features {
        Some(path) => {
            let node = select_node(read_snapshot(path)?, path, args.node.as_deref())?;
            let origin = Origin {
                spec: spec_name.clone(),
                features: format!("snapshot {}", display_path(path)),
                node: node.name,
            };
            (node.features, origin)
        }
        None => {
            let (features, discovery_warnings) = discover(&args.discovery)?;
            warnings.extend(discovery_warnings);
            let origin = Origin {
                spec: spec_name.clone(),
                features: format!("discovered under {}", args.discovery.host_root.display()),
                node: node_name(&args.discovery.host_root),
            };
            (features, origin)
        }
    };
    for w in &warnings {
        warn(global, w);
    }
    let options = rules::Options {
        tags: args.tags.clone(),
    };
    let evaluation = rules::evaluate(&spec, &features, &options);
    if evaluation.sets.is_empty() && !args.tags.is_empty() {
        let mut tags: Vec<&str> = spec
            .compatibilities
            .iter()
            .map(|c| c.tag.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        tags.dedup();
        bail!(
            "no compatibility set of {spec_name} has a tag in {}; its tags are: {}",
            args.tags.join(", "),
            if tags.is_empty() {
                "(none)".to_owned()
            } else {
                tags.join(", ")
            }
        );
    }
    let report = report::build(&spec, &evaluation, &features, origin, warnings);
    let mut out = io::stdout().lock();
    if args.output_json {
        report::nfd::render(&report, &mut out)?;
    } else {
        match args.output {
            ReportFormat::Table => {
                let style = report::table::Style {
                    color: global.color,
                    width: if stdout_tty {
                        report::table::terminal_width()
                    } else {
                        None
                    },
                };
                report::table::render(&report, &mut out, style)?;
            }
            ReportFormat::Json => report::json::render_json(&report, &mut out)?,
            ReportFormat::Yaml => report::json::render_yaml(&report, &mut out)?,
        }
    }
    out.flush()?;
    Ok(match report.verdict {
        Verdict::Compatible => ExitStatus::Success,
        Verdict::Incompatible => ExitStatus::Incompatible,
        Verdict::Error => ExitStatus::Error,
    })
}

/// How a path is shown in messages (`-` is stdin).
fn display_path(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        format!("`{}`", path.display())
    }
}

/// Reads a file (or stdin for `-`), refusing more than `limit` bytes before reading them all.
fn read_input(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>> {
    let too_large = |len: u64| {
        anyhow::anyhow!(
            "{what} {} is {len} bytes; the limit is {limit}",
            display_path(path)
        )
    };
    let limit64 = u64::try_from(limit).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        io::stdin()
            .lock()
            .take(limit64 + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {what} from stdin"))?;
        if bytes.len() > limit {
            bail!("{what} on stdin is larger than {limit} bytes");
        }
        return Ok(bytes);
    }
    let file = fs::File::open(path)
        .with_context(|| format!("cannot open {what} {}", display_path(path)))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {what} {}", display_path(path)))?;
    if meta.is_dir() {
        bail!("{what} {} is a directory, not a file", display_path(path));
    }
    if meta.len() > limit64 {
        return Err(too_large(meta.len()));
    }
    file.take(limit64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {what} {}", display_path(path)))?;
    if bytes.len() > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

fn load_spec(path: &Path) -> Result<(Spec, Vec<spec::SpecWarning>)> {
    let bytes = read_input(path, spec::MAX_SPEC_BYTES, "spec")?;
    let loaded = spec::load(&bytes).map_err(|e| {
        let sep = if e.pos.is_some() { "" } else { " " };
        anyhow::anyhow!("spec {}:{sep}{e}", display_path(path))
    })?;
    Ok((loaded.spec, loaded.warnings))
}

fn read_snapshot(path: &Path) -> Result<Vec<NodeSnapshot>> {
    let bytes = read_input(path, snapshot::MAX_SNAPSHOT_BYTES, "snapshot")?;
    let nodes = snapshot::parse(&bytes)
        .map_err(|e| anyhow::anyhow!("snapshot {}: {e}", display_path(path)))?;
    if nodes.is_empty() {
        bail!(
            "snapshot {} holds no NodeFeature objects",
            display_path(path)
        );
    }
    Ok(nodes)
}

fn select_node(
    nodes: Vec<NodeSnapshot>,
    path: &Path,
    wanted: Option<&str>,
) -> Result<NodeSnapshot> {
    let names = || -> String {
        nodes
            .iter()
            .map(|n| n.name.as_deref().unwrap_or("(unnamed)"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        Some(name) => {
            let list = names();
            nodes
                .into_iter()
                .find(|n| n.name.as_deref() == Some(name))
                .with_context(|| {
                    format!(
                        "snapshot {} has no node `{name}`; its nodes are: {list}",
                        display_path(path)
                    )
                })
        }
        None if nodes.len() == 1 => Ok(nodes.into_iter().next().unwrap_or_else(|| unreachable!())),
        None => bail!(
            "snapshot {} holds {} nodes; pick one with --node NAME: {}",
            display_path(path),
            nodes.len(),
            names()
        ),
    }
}

/// Discovers the host described by `args`, returning features and warnings.
fn discover(args: &DiscoveryArgs) -> Result<(Features, Vec<String>)> {
    let root = HostRoot::new(&args.host_root);
    if !args.host_root.is_dir() {
        bail!(
            "host root `{}` is not a directory",
            args.host_root.display()
        );
    }
    let machine = match &args.machine {
        Some(path) => Machine::load(path)
            .with_context(|| format!("cannot use machine capture `{}`", path.display()))?,
        None => Machine::native(),
    };
    let ctx = sources::Context {
        root,
        machine,
        node_name: std::env::var("NODE_NAME").ok(),
        now: std::time::SystemTime::now(),
    };
    let discovered = sources::discover_all(&ctx);
    let warnings = discovered
        .warnings
        .iter()
        .map(|w| format!("discovery ({}): {}", w.source, w.message))
        .collect();
    Ok((discovered.features, warnings))
}

/// The node's name for the report: `NODE_NAME` (as NFD), else the host's hostname.
fn node_name(host_root: &Path) -> Option<String> {
    std::env::var("NODE_NAME")
        .ok()
        .filter(|n| !n.is_empty())
        .or_else(|| {
            HostRoot::new(host_root)
                .read_trimmed("/proc/sys/kernel/hostname")
                .ok()
                .filter(|n| !n.is_empty())
        })
}

fn export_features(args: &ExportFeaturesArgs) -> Result<ExitStatus> {
    let (features, warnings) = discover(&args.discovery)?;
    for w in &warnings {
        let _ = writeln!(io::stderr().lock(), "warning: {w}");
    }
    let mut text = Vec::new();
    match args.output {
        DataFormat::Json => {
            let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut ser = serde_json::Serializer::with_formatter(&mut text, formatter);
            serde::Serialize::serialize(&features, &mut ser)?;
            let escaped = report::nfd::go_html_escape(&String::from_utf8(text)?);
            text = escaped.into_bytes();
            text.push(b'\n');
        }
        DataFormat::Yaml => report::json::render_yaml(&features, &mut text)?,
    }
    match &args.path {
        None => {
            let mut out = io::stdout().lock();
            out.write_all(&text)?;
            out.flush()?;
        }
        Some(path) => write_atomically(path, &text)?,
    }
    Ok(ExitStatus::Success)
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so that a failure
/// never leaves a partial file behind.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("`{}` is not a file path", path.display()))?;
    let mut tmp = PathBuf::from(dir);
    tmp.push(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write `{}`", path.display()));
    }
    Ok(())
}
