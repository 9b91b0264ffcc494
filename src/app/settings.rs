//! The settings step: the command line, resolved once into typed settings per command.
//!
//! clap's structs stop here. Every usage error (a value that does not parse, options that
//! cannot go together, a fleet asked for a one-node format) is raised by [`resolve`], before
//! any file, stdin or registry is touched; the commands take the typed values it returns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};

use crate::cli::{
    AttachArgs, Command, CopyArgs, DataFormat, DetachArgs, DiscoveryArgs, ExportCommand,
    ExportSpecArgs, FetchArgs, InitArgs, LintFormat, ListArgs, ListFormat, LookupArgs,
    RegistryArgs, ReportFormat, ValidateArgs,
};
use crate::registry::oci::CREATED;
use crate::registry::reference::parse_digest;
use crate::registry::{ImageRef, Lookup, Platform};

/// A command and its settings.
pub(crate) enum Settings {
    /// `validate-node`.
    Validate(Validate),
    /// `export features`.
    ExportFeatures(ExportFeatures),
    /// `export nodefeaturegroup`.
    ExportGroup(ExportGroup),
    /// `export nodefeaturerule`.
    ExportRule(ExportRule),
    /// `attach`.
    Attach(Attach),
    /// `list`.
    List(List),
    /// `fetch`.
    Fetch(Fetch),
    /// `detach`.
    Detach(Detach),
    /// `copy`.
    Copy(Copy),
    /// `schema`.
    Schema,
    /// `completions`.
    Completions(clap_complete::Shell),
    /// `man`: the directory to write the pages into, or none for stdout.
    Man(Option<PathBuf>),
    /// `init`.
    Init(Init),
    /// `lint`.
    Lint(Lint),
}

/// How to reach a registry.
#[derive(Debug, Clone)]
pub(crate) struct Registry {
    /// Plain HTTP.
    pub(crate) plain_http: bool,
    /// No TLS certificate verification.
    pub(crate) insecure: bool,
    /// Extra CA certificates (PEM).
    pub(crate) ca_file: Option<PathBuf>,
    /// The deadline for all registry communication.
    pub(crate) timeout: Duration,
    /// Which secret stdin carries.
    pub(crate) stdin_secret: StdinSecret,
    /// `--registry-username`.
    pub(crate) username: Option<String>,
    /// The only credentials file to read.
    pub(crate) config: Option<PathBuf>,
    /// Trace every request on stderr.
    pub(crate) debug: bool,
}

/// The registry secret read from stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StdinSecret {
    /// None.
    None,
    /// A password (`--registry-password-stdin`).
    Password,
    /// A Bearer token (`--registry-token-stdin`).
    Token,
}

/// An image and how to reach it.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    /// The image.
    pub(crate) reference: ImageRef,
    /// How to reach its registry.
    pub(crate) registry: Registry,
}

/// Where a spec comes from.
#[derive(Debug, Clone)]
pub(crate) enum SpecInput {
    /// An image's compatibility artifact.
    Image {
        /// The image.
        image: Box<Image>,
        /// Which artifact.
        lookup: Lookup,
    },
    /// A file (`-` for stdin).
    File(PathBuf),
}

/// Where and how to discover a host.
#[derive(Debug, Clone)]
pub(crate) struct Host {
    /// The host's root.
    pub(crate) host_root: PathBuf,
    /// A capture of the host's CPU, instead of this one.
    pub(crate) machine: Option<PathBuf>,
}

/// `validate-node`.
#[derive(Debug)]
pub(crate) struct Validate {
    /// The spec.
    pub(crate) spec: SpecInput,
    /// The nodes.
    pub(crate) nodes: Nodes,
    /// Evaluate only the sets with one of these tags (none: all).
    pub(crate) tags: Vec<String>,
    /// The output.
    pub(crate) output: Output,
    /// With several nodes: succeed when one is compatible.
    pub(crate) any: bool,
}

/// The nodes to validate.
#[derive(Debug)]
pub(crate) enum Nodes {
    /// This host, or the one under a host root.
    Discover(Host),
    /// One node, by name, from one snapshot.
    Pick {
        /// The snapshot.
        path: PathBuf,
        /// The node's name.
        name: String,
    },
    /// Every node of the snapshots.
    Snapshots {
        /// The inputs.
        paths: Vec<PathBuf>,
        /// Whether it is a fleet whatever the count (several inputs, or a directory); else
        /// the count decides.
        fleet: bool,
    },
}

/// What `validate-node` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// NFD's JSON report (`--output-json`).
    Nfd,
    /// One of this tool's formats (`-o`).
    Report(ReportFormat),
}

impl Output {
    /// The format of a run's fatal document: `--output-json` has none.
    pub(crate) fn fatal_format(self) -> Option<ReportFormat> {
        match self {
            Output::Nfd => None,
            Output::Report(format) => Some(format),
        }
    }
}

/// `export features`.
#[derive(Debug)]
pub(crate) struct ExportFeatures {
    /// The host.
    pub(crate) discovery: Host,
    /// The format.
    pub(crate) output: DataFormat,
    /// The file to write (none: stdout).
    pub(crate) path: Option<PathBuf>,
}

/// The spec of an export and how to name the objects.
#[derive(Debug)]
pub(crate) struct ExportSpec {
    /// The spec.
    pub(crate) spec: SpecInput,
    /// Export only the sets with one of these tags (none: all).
    pub(crate) tags: Vec<String>,
    /// The objects' name, checked.
    pub(crate) name: Option<String>,
    /// The format.
    pub(crate) output: DataFormat,
}

/// `export nodefeaturegroup`.
#[derive(Debug)]
pub(crate) struct ExportGroup {
    /// The spec.
    pub(crate) source: ExportSpec,
    /// The groups' namespace.
    pub(crate) namespace: Option<String>,
}

/// `export nodefeaturerule`.
#[derive(Debug)]
pub(crate) struct ExportRule {
    /// The spec.
    pub(crate) source: ExportSpec,
    /// The labels to give, checked, in the order given (a repeated key: the last wins).
    pub(crate) labels: Vec<(String, String)>,
}

/// `attach`.
#[derive(Debug)]
pub(crate) struct Attach {
    /// The image.
    pub(crate) image: Image,
    /// The spec file (`-` for stdin).
    pub(crate) spec: PathBuf,
    /// The artifact's annotations.
    pub(crate) annotations: BTreeMap<String, String>,
    /// The platform's manifest to attach to.
    pub(crate) platform: Option<Platform>,
    /// Refuse lint warnings too.
    pub(crate) strict: bool,
}

/// `list`.
#[derive(Debug)]
pub(crate) struct List {
    /// The image.
    pub(crate) image: Image,
    /// The platform's manifest to list.
    pub(crate) platform: Option<Platform>,
    /// The format.
    pub(crate) output: ListFormat,
}

/// `fetch`.
#[derive(Debug)]
pub(crate) struct Fetch {
    /// The image.
    pub(crate) image: Image,
    /// Which artifact.
    pub(crate) lookup: Lookup,
}

/// `detach`.
#[derive(Debug)]
pub(crate) struct Detach {
    /// The image.
    pub(crate) image: Image,
    /// The artifact's digest.
    pub(crate) artifact: String,
    /// The platform's manifest it is attached to.
    pub(crate) platform: Option<Platform>,
}

/// `copy`.
#[derive(Debug)]
pub(crate) struct Copy {
    /// The image whose artifacts to copy, and how to reach both.
    pub(crate) from: Image,
    /// Where to copy them.
    pub(crate) to: ImageRef,
    /// Only this artifact.
    pub(crate) artifact: Option<String>,
    /// The platform's manifest.
    pub(crate) platform: Option<Platform>,
}

/// `init`.
#[derive(Debug)]
pub(crate) struct Init {
    /// Where the features come from.
    pub(crate) nodes: InitNodes,
    /// The file to write (none: stdout).
    pub(crate) path: Option<PathBuf>,
    /// Replace the file.
    pub(crate) force: bool,
}

/// Where `init` takes the features from.
#[derive(Debug)]
pub(crate) enum InitNodes {
    /// This host, or the one under a host root.
    Discover(Host),
    /// A snapshot, and the node in it.
    Snapshot {
        /// The snapshot.
        path: PathBuf,
        /// The node, when it holds several.
        node: Option<String>,
    },
}

/// `lint`.
#[derive(Debug)]
pub(crate) struct Lint {
    /// The specs.
    pub(crate) files: Vec<PathBuf>,
    /// The format.
    pub(crate) output: LintFormat,
    /// Fail on warnings.
    pub(crate) strict: bool,
}

/// Resolves `command` into its settings; every usage error is raised here.
pub(crate) fn resolve(command: Command) -> Result<Settings> {
    Ok(match command {
        Command::ValidateNode(args) => Settings::Validate(validate(&args)?),
        Command::Export(ExportCommand::Features(args)) => {
            Settings::ExportFeatures(ExportFeatures {
                discovery: host(&args.discovery),
                output: args.output,
                path: args.path,
            })
        }
        Command::Export(ExportCommand::NodeFeatureGroup(args)) => {
            Settings::ExportGroup(ExportGroup {
                source: export_spec(&args.source)?,
                namespace: args.namespace,
            })
        }
        Command::Export(ExportCommand::NodeFeatureRule(args)) => {
            let source = export_spec(&args.source)?;
            Settings::ExportRule(ExportRule {
                source,
                labels: labels(&args.labels)?,
            })
        }
        Command::Attach(args) => Settings::Attach(attach(&args)?),
        Command::List(args) => Settings::List(list(&args)?),
        Command::Fetch(args) => Settings::Fetch(fetch(&args)?),
        Command::Detach(args) => Settings::Detach(detach(&args)?),
        Command::Copy(args) => Settings::Copy(copy(&args)?),
        Command::Schema => Settings::Schema,
        Command::Completions(args) => Settings::Completions(args.shell),
        Command::Man(args) => Settings::Man(args.dir),
        Command::Init(args) => Settings::Init(init(args)),
        Command::Lint(args) => Settings::Lint(Lint {
            files: args.files,
            output: args.output,
            strict: args.strict,
        }),
    })
}

/// The registry options. The checks apply when the image is in a registry (`reaches`);
/// `stdin_busy`: stdin carries another input, so it cannot carry the secret.
fn registry(r: &RegistryArgs, reaches: bool, stdin_busy: bool) -> Result<Registry> {
    let valid = r.timeout.is_finite() && r.timeout > 0.0 && r.timeout <= 86_400.0;
    if reaches && !valid {
        bail!(
            "invalid --timeout {}: give a number of seconds between 0 and 86400",
            r.timeout
        );
    }
    let stdin_secret = match (r.registry_password_stdin, r.registry_token_stdin) {
        (true, true) if reaches => bail!(
            "cannot use --registry-token-stdin and --registry-password-stdin at the same time"
        ),
        (_, true) => StdinSecret::Token,
        (true, false) => StdinSecret::Password,
        (false, false) => StdinSecret::None,
    };
    if reaches && stdin_busy && stdin_secret != StdinSecret::None {
        bail!("stdin cannot carry both the registry secret and another input (`-`)");
    }
    // Only a registry uses the timeout, and an image in a layout reaches none.
    let timeout = if valid {
        Duration::from_secs_f64(r.timeout)
    } else {
        Duration::from_secs(60)
    };
    Ok(Registry {
        plain_http: r.plain_http,
        insecure: r.insecure,
        ca_file: r.ca_file.clone(),
        timeout,
        stdin_secret,
        username: r.registry_username.clone(),
        config: r.registry_config.clone(),
        debug: r.debug,
    })
}

/// An image (`--image`) and how to reach it.
fn image(reference: &str, r: &RegistryArgs, stdin_busy: bool) -> Result<Image> {
    let reference = ImageRef::parse(reference, r.oci_layout)?;
    let reaches = matches!(reference, ImageRef::Registry(_));
    Ok(Image {
        reference,
        registry: registry(r, reaches, stdin_busy)?,
    })
}

/// `--platform` and `--artifact`.
fn lookup(l: &LookupArgs) -> Result<Lookup> {
    Ok(Lookup {
        platform: platform(l.platform.as_deref())?,
        artifact: l.artifact.as_deref().map(artifact).transpose()?,
    })
}

fn platform(given: Option<&str>) -> Result<Option<Platform>> {
    Ok(given.map(Platform::parse).transpose()?)
}

fn artifact(digest: &str) -> Result<String> {
    parse_digest(digest).map_err(|e| anyhow::anyhow!("invalid --artifact: {e}"))
}

/// The spec of `--image` (with `--platform`, `--artifact`) or `--spec`.
fn spec_input(
    image_ref: Option<&str>,
    spec: Option<&Path>,
    l: &LookupArgs,
    r: &RegistryArgs,
    stdin_busy: bool,
) -> Result<SpecInput> {
    Ok(match (image_ref, spec) {
        (Some(reference), _) => {
            let reference = ImageRef::parse(reference, r.oci_layout)?;
            let lookup = lookup(l)?;
            let reaches = matches!(reference, ImageRef::Registry(_));
            SpecInput::Image {
                image: Box::new(Image {
                    reference,
                    registry: registry(r, reaches, stdin_busy)?,
                }),
                lookup,
            }
        }
        (None, Some(path)) => SpecInput::File(path.to_owned()),
        (None, None) => bail!("give --image REF or --spec FILE"),
    })
}

fn host(d: &DiscoveryArgs) -> Host {
    Host {
        host_root: d.host_root.clone(),
        machine: d.machine.clone(),
    }
}

/// `validate-node`.
fn validate(args: &ValidateArgs) -> Result<Validate> {
    let stdin_busy = args.features.iter().any(|p| p == Path::new("-"));
    let spec = spec_input(
        args.image.as_deref(),
        args.spec.as_deref(),
        &args.lookup,
        &args.registry,
        stdin_busy,
    )?;
    let output = if args.output_json {
        Output::Nfd
    } else {
        Output::Report(args.output)
    };
    let nodes = match (args.features.as_slice(), &args.node) {
        ([], _) => Nodes::Discover(host(&args.discovery)),
        ([path], Some(name)) => Nodes::Pick {
            path: path.clone(),
            name: name.clone(),
        },
        (_, Some(_)) => bail!("--node picks a node from one --features snapshot"),
        (paths, None) => {
            let fleet = match paths {
                [p] => p != Path::new("-") && p.is_dir(),
                _ => true,
            };
            if fleet {
                fleet_output(output)?;
            }
            Nodes::Snapshots {
                paths: paths.to_vec(),
                fleet,
            }
        }
    };
    Ok(Validate {
        spec,
        nodes,
        tags: args.tags.clone(),
        output,
        any: args.any,
    })
}

/// Refuses the outputs that show one node, for several.
pub(crate) fn fleet_output(output: Output) -> Result<()> {
    match output {
        Output::Nfd => bail!(
            "--output-json prints NFD's report of one node and several were given; use -o json for per-node reports"
        ),
        Output::Report(ReportFormat::Yaml) => bail!(
            "-o yaml is for one node and several were given; use -o json, table, junit or github"
        ),
        Output::Report(_) => Ok(()),
    }
}

/// The spec of an export.
fn export_spec(args: &ExportSpecArgs) -> Result<ExportSpec> {
    let spec = spec_input(
        args.image.as_deref(),
        args.spec.as_deref(),
        &args.lookup,
        &args.registry,
        false,
    )?;
    if let Some(name) = &args.name {
        let clean = super::export::dns_label(name);
        if clean != *name {
            bail!(
                "--name `{name}` is not a valid object name (lowercase letters, digits and `-`, at most 52 characters); `{clean}` would be"
            );
        }
    }
    Ok(ExportSpec {
        spec,
        tags: args.tags.clone(),
        name: args.name.clone(),
        output: args.output,
    })
}

/// `--label KEY=VALUE`s, checked.
fn labels(given: &[String]) -> Result<Vec<(String, String)>> {
    let mut labels = Vec::new();
    for l in given {
        let Some((k, v)) = l.split_once('=') else {
            bail!("--label `{l}` is not KEY=VALUE");
        };
        if let Err(why) = super::export::check_label(k, v) {
            bail!("--label `{l}`: {why}");
        }
        labels.push((k.to_owned(), v.to_owned()));
    }
    Ok(labels)
}

fn attach(args: &AttachArgs) -> Result<Attach> {
    let image = image(&args.image, &args.registry, args.spec == Path::new("-"))?;
    Ok(Attach {
        image,
        spec: args.spec.clone(),
        annotations: annotations(&args.annotations, args.force)?,
        platform: platform(args.platform.as_deref())?,
        strict: args.strict,
    })
}

/// The `--annotation KEY=VALUE`s. `org.opencontainers.image.created` decides which artifact
/// is the newest, the one validate-node uses: it is refused unless `force`, and must be an
/// RFC 3339 time.
fn annotations(given: &[String], force: bool) -> Result<BTreeMap<String, String>> {
    let mut annotations = BTreeMap::new();
    for a in given {
        let Some((k, v)) = a.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            bail!("invalid --annotation `{a}`: write KEY=VALUE");
        };
        annotations.insert(k.to_owned(), v.to_owned());
    }
    if let Some(created) = annotations.get(CREATED) {
        if !force {
            bail!(
                "--annotation {CREATED}=`{created}` would decide which artifact is the newest (the one validate-node uses) instead of the time of the attach; leave it out, or add --force to set it anyway; nothing was attached"
            );
        }
        if crate::timestamp::Timestamp::parse_rfc3339(created).is_none() {
            bail!("invalid --annotation {CREATED}=`{created}`: not an RFC 3339 time");
        }
    }
    Ok(annotations)
}

fn list(args: &ListArgs) -> Result<List> {
    Ok(List {
        image: image(&args.image, &args.registry, false)?,
        platform: platform(args.platform.as_deref())?,
        output: args.output,
    })
}

fn fetch(args: &FetchArgs) -> Result<Fetch> {
    let reference = ImageRef::parse(&args.image, args.registry.oci_layout)?;
    let lookup = lookup(&args.lookup)?;
    let reaches = matches!(reference, ImageRef::Registry(_));
    Ok(Fetch {
        image: Image {
            reference,
            registry: registry(&args.registry, reaches, false)?,
        },
        lookup,
    })
}

fn detach(args: &DetachArgs) -> Result<Detach> {
    let reference = ImageRef::parse(&args.image, args.registry.oci_layout)?;
    let artifact = artifact(&args.artifact)?;
    let platform = platform(args.platform.as_deref())?;
    let reaches = matches!(reference, ImageRef::Registry(_));
    Ok(Detach {
        image: Image {
            reference,
            registry: registry(&args.registry, reaches, false)?,
        },
        artifact,
        platform,
    })
}

fn copy(args: &CopyArgs) -> Result<Copy> {
    let from = ImageRef::parse(&args.image, args.registry.oci_layout)?;
    let to =
        ImageRef::parse(&args.to, args.to_oci_layout).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    let artifact = args.artifact.as_deref().map(artifact).transpose()?;
    let platform = platform(args.platform.as_deref())?;
    let from_registry = matches!(from, ImageRef::Registry(_));
    let to_registry = matches!(to, ImageRef::Registry(_));
    let registry = registry(&args.registry, from_registry || to_registry, false)?;
    // A secret on stdin is read once, for the source: a destination registry cannot have it.
    if from_registry && to_registry && registry.stdin_secret != StdinSecret::None {
        bail!("stdin cannot carry both the registry secret and another input (`-`)");
    }
    Ok(Copy {
        from: Image {
            reference: from,
            registry,
        },
        to,
        artifact,
        platform,
    })
}

fn init(args: InitArgs) -> Init {
    let nodes = match args.features {
        Some(path) => InitNodes::Snapshot {
            path,
            node: args.node,
        },
        None => InitNodes::Discover(host(&args.discovery)),
    };
    Init {
        nodes,
        path: args.path,
        force: args.force,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::Cli;

    fn resolved(args: &[&str]) -> Result<Settings> {
        let cli = Cli::try_parse_from(std::iter::once("nfd-compat").chain(args.iter().copied()))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        resolve(cli.command)
    }

    fn validate(args: &[&str]) -> Validate {
        let mut all = vec!["validate-node", "--spec", "spec.yaml"];
        all.extend_from_slice(args);
        match resolved(&all) {
            Ok(Settings::Validate(v)) => v,
            Ok(_) => panic!("{args:?}: not validate-node"),
            Err(e) => panic!("{args:?}: {e:#}"),
        }
    }

    fn error(args: &[&str]) -> String {
        match resolved(args) {
            Ok(_) => panic!("{args:?}: accepted"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn the_output_is_resolved_once() {
        assert_eq!(validate(&[]).output, Output::Report(ReportFormat::Table));
        assert_eq!(validate(&["--output-json"]).output, Output::Nfd);
        assert_eq!(
            validate(&["-o", "junit"]).output,
            Output::Report(ReportFormat::Junit)
        );
        assert_eq!(Output::Nfd.fatal_format(), None);
    }

    #[test]
    fn the_nodes_are_known_before_any_input_is_read() {
        assert!(matches!(validate(&[]).nodes, Nodes::Discover(_)));
        assert!(matches!(
            validate(&["--features", "a.json", "--node", "n"]).nodes,
            Nodes::Pick { ref name, .. } if name == "n"
        ));
        // One file (not read here): the count decides.
        assert!(matches!(
            validate(&["--features", "a.json"]).nodes,
            Nodes::Snapshots { fleet: false, .. }
        ));
        assert!(matches!(
            validate(&["--features", "-"]).nodes,
            Nodes::Snapshots { fleet: false, .. }
        ));
        assert!(matches!(
            validate(&["--features", "a.json", "--features", "b.json"]).nodes,
            Nodes::Snapshots { fleet: true, .. }
        ));
        let dir = std::env::temp_dir();
        let dir = dir.to_str().unwrap_or(".");
        assert!(matches!(
            validate(&["--features", dir]).nodes,
            Nodes::Snapshots { fleet: true, .. }
        ));
    }

    #[test]
    fn usage_errors_are_raised_here() {
        fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
            [&["validate-node", "--spec", "spec.yaml"][..], extra].concat()
        }
        assert_eq!(
            error(&with(&[
                "--features",
                "a",
                "--features",
                "b",
                "--node",
                "n"
            ])),
            "--node picks a node from one --features snapshot"
        );
        assert!(
            error(&with(&["--features", "a", "--features", "b", "-o", "yaml"]))
                .starts_with("-o yaml is for one node")
        );
        assert!(
            error(&with(&[
                "--features",
                "a",
                "--features",
                "b",
                "--output-json"
            ]))
            .starts_with("--output-json prints NFD's report of one node")
        );
        let image = ["validate-node", "--image", "registry.example/app:1"];
        assert_eq!(
            error(&[&image[..], &["--timeout", "0"]].concat()),
            "invalid --timeout 0: give a number of seconds between 0 and 86400"
        );
        assert_eq!(
            error(&[&image[..], &["--features", "-", "--registry-token-stdin"]].concat()),
            "stdin cannot carry both the registry secret and another input (`-`)"
        );
        assert!(
            error(&[&image[..], &["--artifact", "sha256:nothex"]].concat())
                .starts_with("invalid --artifact: ")
        );
    }

    #[test]
    fn an_image_in_a_layout_reaches_no_registry_and_is_not_held_to_its_options() {
        // As before the settings step: the registry options are checked only for a registry.
        let Ok(Settings::Fetch(f)) = resolved(&[
            "fetch",
            "--image",
            "oci:layout:v1",
            "--timeout",
            "0",
            "--registry-password-stdin",
            "--registry-token-stdin",
        ]) else {
            panic!("refused");
        };
        assert!(matches!(f.image.reference, ImageRef::Layout(_)));
        assert_eq!(f.image.registry.timeout, Duration::from_secs(60));
    }
}
