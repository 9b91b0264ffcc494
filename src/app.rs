//! Resolves the command line into work and runs it: load the spec, get the node's features
//! (discover or read a snapshot), evaluate, build the report, render it.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use crate::cli::{
    Cli, ColorChoice, Command, DataFormat, DiscoveryArgs, ExportCommand, ExportFeaturesArgs,
    ReportFormat, ValidateArgs,
};
use crate::features::Features;
use crate::registry::{
    self, Fetched, Lookup, LookupPath, Platform, Reference, auth, auth::Secret, client,
};
use crate::report::{self, ImageInfo, Origin, Verdict};
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
    let mut warnings: Vec<String> = Vec::new();
    let (spec_bytes, spec_name, image) = match (&args.image, &args.spec) {
        (Some(image), _) => {
            let (fetched, fetch_warnings) = fetch_image_spec(image, args, global)?;
            warnings.extend(fetch_warnings);
            let name = format!(
                "of `{}` (artifact {})",
                fetched.image, fetched.artifact_digest
            );
            let info = ImageInfo {
                reference: fetched.image.clone(),
                digest: fetched.image_digest.clone(),
                platform_manifest: (fetched.subject_digest != fetched.image_digest)
                    .then(|| fetched.subject_digest.clone()),
                platform: fetched.subject_platform.clone(),
                artifact: fetched.artifact_digest.clone(),
                created: fetched.artifact_created.clone(),
                artifacts_attached: fetched.artifacts_found,
                lookup: match fetched.lookup {
                    LookupPath::ReferrersApi => "referrersApi".to_owned(),
                    LookupPath::TagSchema => "tagSchema".to_owned(),
                },
                requests: fetched.requests,
            };
            (fetched.spec, name, Some(info))
        }
        (None, Some(path)) => (
            read_input(path, spec::MAX_SPEC_BYTES, "spec")?,
            display_path(path),
            None,
        ),
        (None, None) => bail!("give --image REF or --spec FILE"),
    };
    let spec = load_spec(&spec_bytes, &spec_name, &mut warnings)?;
    let (features, origin) = match &args.features {
        Some(path) => {
            let node = select_node(read_snapshot(path)?, path, args.node.as_deref())?;
            let origin = Origin {
                spec: spec_name.clone(),
                features: format!("snapshot {}", display_path(path)),
                node: node.name,
                image: image.clone(),
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
                image: image.clone(),
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

/// Loads a spec, adding its warnings (prefixed with where it came from) to `warnings`.
fn load_spec(bytes: &[u8], name: &str, warnings: &mut Vec<String>) -> Result<Spec> {
    let loaded = spec::load(bytes).map_err(|e| {
        let sep = if e.pos.is_some() { "" } else { " " };
        anyhow::anyhow!("spec {name}:{sep}{e}")
    })?;
    warnings.extend(loaded.warnings.iter().map(|w| format!("spec {name}:{w}")));
    Ok(loaded.spec)
}

/// Fetches the spec attached to `image`, with the registry options of `args`.
fn fetch_image_spec(
    image: &str,
    args: &ValidateArgs,
    global: Global,
) -> Result<(Fetched, Vec<String>)> {
    let reference = Reference::parse(image)?;
    let r = &args.registry;
    let mut warnings = Vec::new();
    let lookup = Lookup {
        platform: r.platform.as_deref().map(Platform::parse).transpose()?,
        artifact: r
            .artifact
            .as_deref()
            .map(|d| {
                registry::reference::parse_digest(d)
                    .map_err(|e| anyhow::anyhow!("invalid --artifact: {e}"))
            })
            .transpose()?,
    };
    if !(r.timeout.is_finite() && r.timeout > 0.0 && r.timeout <= 86_400.0) {
        bail!(
            "invalid --timeout {}: give a number of seconds between 0 and 86400",
            r.timeout
        );
    }
    let secret = registry_secret(r, &reference, args, &mut warnings)?;
    if r.insecure {
        warnings.push(format!(
            "TLS certificate verification is off for `{}` (--insecure)",
            reference.registry
        ));
    }
    let ca_pem = match &r.ca_file {
        Some(path) => Some(
            fs::read(path)
                .with_context(|| format!("cannot read --ca-file `{}`", path.display()))?,
        ),
        None => None,
    };
    let options = client::Options {
        plain_http: r.plain_http,
        insecure: r.insecure,
        ca_pem,
        timeout: Duration::from_secs_f64(r.timeout),
        ..client::Options::default()
    };
    let secrets = secret
        .into_iter()
        .map(|s| (reference.registry.clone(), s))
        .collect();
    let client =
        client::Client::new(options, secrets).with_context(|| format!("image `{reference}`"))?;
    let _ = global;
    let fetched = registry::fetch_spec(&client, &reference, &lookup)
        .with_context(|| format!("image `{reference}`"))?;
    warnings.extend(
        fetched
            .warnings
            .iter()
            .map(|w| format!("image `{reference}`: {w}")),
    );
    Ok((fetched, warnings))
}

/// The credential for the image's registry: NFD's stdin flags, else stored credentials.
fn registry_secret(
    r: &crate::cli::RegistryArgs,
    reference: &Reference,
    args: &ValidateArgs,
    warnings: &mut Vec<String>,
) -> Result<Option<Secret>> {
    if r.registry_password_stdin && r.registry_token_stdin {
        bail!("cannot use --registry-token-stdin and --registry-password-stdin at the same time");
    }
    if r.registry_password_stdin || r.registry_token_stdin {
        if args.features.as_deref() == Some(Path::new("-")) {
            bail!("stdin cannot carry both the registry secret and --features -");
        }
        let mut secret = String::new();
        io::stdin()
            .lock()
            .take(64 * 1024)
            .read_to_string(&mut secret)
            .context("cannot read the registry secret from stdin")?;
        let secret = auth::trim_stdin_secret(secret);
        if secret.is_empty() {
            bail!("the registry secret read from stdin is empty");
        }
        if r.registry_token_stdin {
            return Ok(Some(Secret::Token(secret)));
        }
        return match &r.registry_username {
            Some(username) if !username.is_empty() => Ok(Some(Secret::Basic {
                username: username.clone(),
                password: secret,
            })),
            _ => {
                // NFD ignores a password without a username and goes on anonymously.
                warnings.push("--registry-password-stdin without --registry-username: the password is ignored (as NFD does)".to_owned());
                Ok(None)
            }
        };
    }
    if r.registry_username.is_some() {
        warnings
            .push("--registry-username without --registry-password-stdin is ignored".to_owned());
    }
    match auth::lookup(&reference.registry, &auth::Locations::from_env()) {
        Ok(found) => Ok(found.map(|f| f.secret)),
        Err(e) => {
            warnings.push(format!("{e}; continuing without stored credentials"));
            Ok(None)
        }
    }
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
