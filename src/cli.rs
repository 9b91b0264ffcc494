//! Command-line arguments (clap derive only; resolved into settings by `app`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Validate nodes against NFD image-compatibility specs.
///
/// Exit status: 0 compatible, 1 incompatible, 2 error.
#[derive(Debug, Parser)]
#[command(name = "nfd-compat", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// When to use colour: auto (a terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub(crate) color: ColorChoice,
    /// Print no warnings (errors are still printed).
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands. Each one's arguments are built only when it is the one invoked (`defer`):
/// building all of them took a quarter of the start-up.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Check whether a node satisfies an image-compatibility spec.
    #[command(name = "validate-node")]
    ValidateNode(Box<ValidateArgs>),
    /// Print what this tool discovers (NFD's `nfd export features`).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Attach a spec to an image as a compatibility artifact (checked first).
    Attach(Box<AttachArgs>),
    /// List the compatibility artifacts attached to an image, newest first.
    List(Box<ListArgs>),
    /// Print the spec of an image's compatibility artifact.
    Fetch(Box<FetchArgs>),
    /// Remove a compatibility artifact from an image.
    Detach(Box<DetachArgs>),
    /// Copy an image's compatibility artifacts to another registry or OCI layout that already
    /// holds the image (`skopeo copy` carries the image but not its artifacts).
    Copy(Box<CopyArgs>),
    /// Print the JSON Schema (2020-12) of the spec, for editors and other validators.
    Schema,
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page, or write a page per command into a directory.
    Man(ManArgs),
    /// Write a commented starter spec that this host satisfies.
    Init(InitArgs),
    /// Check specs for mistakes: every load error, plus advice (unknown features and
    /// elements, values NFD reads differently, rules that can never match...).
    ///
    /// Exit status: 0 clean or warnings only, 1 errors (or warnings with --strict), 2 a file
    /// that cannot be read or a usage error.
    Lint(LintArgs),
}

// `attach` arguments.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The image to attach to (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`).
    #[arg(long, value_name = "REF")]
    pub(crate) image: String,
    /// The spec file (`-` for stdin).
    #[arg(value_name = "SPEC_FILE")]
    pub(crate) spec: PathBuf,
    /// An annotation for the artifact manifest (repeatable), e.g. `org.opencontainers.image.source=...`.
    #[arg(long = "annotation", value_name = "KEY=VALUE")]
    pub(crate) annotations: Vec<String>,
    /// Attach to this platform's manifest of an image index: os[/arch[/variant]][:os_version].
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<String>,
    /// Refuse a spec with lint warnings, not only one with errors (for publishing from CI).
    #[arg(long)]
    pub(crate) strict: bool,
    /// Allow `--annotation org.opencontainers.image.created=...`: the newest artifact is the one
    /// validate-node uses, so a date set by hand (in the future, say) decides that for good.
    #[arg(long)]
    pub(crate) force: bool,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

// `list` arguments.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`).
    #[arg(long, value_name = "REF")]
    pub(crate) image: String,
    /// List the artifacts of this platform's manifest of an image index.
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<String>,
    /// The output format.
    #[arg(short, long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) output: ListFormat,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

// `fetch` arguments.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`).
    #[arg(long, value_name = "REF")]
    pub(crate) image: String,
    #[command(flatten)]
    pub(crate) lookup: LookupArgs,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

// `detach` arguments.
#[derive(Debug, Args)]
pub struct DetachArgs {
    /// The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`).
    #[arg(long, value_name = "REF")]
    pub(crate) image: String,
    /// The artifact to remove (its digest, as `list` shows it).
    #[arg(long, value_name = "DIGEST")]
    pub(crate) artifact: String,
    /// The artifact is attached to this platform's manifest of an image index.
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<String>,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

// `copy` arguments.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The image whose artifacts to copy (`host/repo:tag`, `oci:DIR[:TAG|@DIGEST]`).
    #[arg(long, value_name = "REF")]
    pub(crate) image: String,
    /// Where to copy them: the same image in another registry or layout.
    #[arg(long, value_name = "REF")]
    pub(crate) to: String,
    /// Copy only this artifact (a digest, as `list` shows it) instead of all.
    #[arg(long, value_name = "DIGEST")]
    pub(crate) artifact: Option<String>,
    /// Copy the artifacts of this platform's manifest of an image index.
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<String>,
    /// Read --to as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras's --to-oci-layout).
    #[arg(long)]
    pub(crate) to_oci_layout: bool,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// `list` formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table for people.
    Table,
    /// JSON.
    Json,
}

// `validate-node` arguments.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["image", "spec"])))]
pub struct ValidateArgs {
    /// The image whose compatibility artifact to validate against (`nginx:1.27`,
    /// `registry:5000/app@sha256:...`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`).
    #[arg(long, value_name = "REF")]
    pub(crate) image: Option<String>,
    /// The spec to validate against: a YAML or JSON file, or `-` for stdin (instead of --image).
    #[arg(long, value_name = "FILE")]
    pub(crate) spec: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) lookup: LookupArgs,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
    /// Saved features instead of discovering this host: `nfd export features` output, a
    /// NodeFeature, a NodeFeatureList (`kubectl get nodefeatures -A -o json`), or a directory
    /// of them; `-` for stdin. Repeat it, or give a list or a directory, to validate a fleet.
    #[arg(long, value_name = "FILE|DIR", conflicts_with_all = ["host_root", "machine"])]
    pub(crate) features: Vec<PathBuf>,
    /// The node to validate when --features holds several.
    #[arg(long, value_name = "NAME", requires = "features")]
    pub(crate) node: Option<String>,
    /// With several nodes: succeed (exit 0) when at least one node is compatible, instead of
    /// all of them.
    #[arg(long, requires = "features")]
    pub(crate) any: bool,
    #[command(flatten)]
    pub(crate) discovery: DiscoveryArgs,
    /// Evaluate only the compatibility sets with one of these tags (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "TAG")]
    pub(crate) tags: Vec<String>,
    /// The report format.
    #[arg(short, long, value_enum, default_value_t = ReportFormat::Table)]
    pub(crate) output: ReportFormat,
    /// Print NFD's JSON report shape (as `nfd compat validate-node --output-json`).
    #[arg(long, conflicts_with = "output")]
    pub(crate) output_json: bool,
}

// Which artifact of an image to use.
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// Look for the artifact on this platform's manifest of an image index:
    /// os[/arch[/variant]][:os_version].
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<String>,
    /// Use this artifact (a digest) instead of the newest one attached.
    #[arg(long, value_name = "DIGEST")]
    pub(crate) artifact: Option<String>,
}

// How to reach a registry.
#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches"
)]
pub struct RegistryArgs {
    /// Use plain HTTP for all registry communications.
    #[arg(long)]
    pub(crate) plain_http: bool,
    /// Skip TLS certificate verification (prints a warning).
    #[arg(long)]
    pub(crate) insecure: bool,
    /// Trust the CA certificates in this PEM file for the registry's TLS.
    #[arg(long, value_name = "PEM")]
    pub(crate) ca_file: Option<PathBuf>,
    /// The deadline for all registry communication, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub(crate) timeout: f64,
    /// The registry username (the password comes from --registry-password-stdin).
    #[arg(long, value_name = "USER")]
    pub(crate) registry_username: Option<String>,
    /// Read the registry password from stdin.
    #[arg(long)]
    pub(crate) registry_password_stdin: bool,
    /// Read a registry access token (sent as a Bearer token) from stdin.
    #[arg(long)]
    pub(crate) registry_token_stdin: bool,
    /// Take stored credentials from this file only (docker's config.json or podman's
    /// auth.json format) instead of the default locations.
    #[arg(long, value_name = "FILE", visible_alias = "authfile")]
    pub(crate) registry_config: Option<PathBuf>,
    /// Trace every registry request on stderr: method, URL, status, time, retries, token
    /// scopes, proxies and where the credentials came from (secrets are never shown).
    #[arg(long)]
    pub(crate) debug: bool,
    /// Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras's --oci-layout);
    /// `--image oci:DIR[:TAG|@DIGEST]` needs no flag.
    #[arg(long)]
    pub(crate) oci_layout: bool,
}

// Where and how to discover a host.
#[derive(Debug, Args)]
pub struct DiscoveryArgs {
    /// Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot).
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub(crate) host_root: PathBuf,
    /// Take the CPU's identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file
    /// instead of this CPU; for host trees captured on another machine.
    #[arg(long, value_name = "FILE")]
    pub(crate) machine: Option<PathBuf>,
}

// `completions` arguments.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

// `man` arguments.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `nfd-compat.1` and a page per subcommand (`nfd-compat-validate-node.1`, ...) into
    /// DIR instead of printing `nfd-compat.1`.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

// `init` arguments.
#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub(crate) discovery: DiscoveryArgs,
    /// Start from saved features instead of discovering this host: `nfd export features`
    /// output, a NodeFeature, or a NodeFeatureList; `-` for stdin.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["host_root", "machine"])]
    pub(crate) features: Option<PathBuf>,
    /// The node to start from when --features holds several.
    #[arg(long, value_name = "NAME", requires = "features")]
    pub(crate) node: Option<String>,
    /// Write the spec to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) path: Option<PathBuf>,
    /// Replace FILE when it exists.
    #[arg(long, requires = "path")]
    pub(crate) force: bool,
}

/// `export` subcommands.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum ExportCommand {
    /// Print this host's features as NFD's Features object (sorted keys).
    Features(ExportFeaturesArgs),
    /// Print one NodeFeatureGroup per compatibility set, for NFD's master to find the
    /// matching nodes cluster-wide.
    #[command(name = "nodefeaturegroup")]
    NodeFeatureGroup(Box<ExportGroupArgs>),
    /// Print a NodeFeatureRule that labels the nodes where some compatibility set matches.
    #[command(name = "nodefeaturerule")]
    NodeFeatureRule(Box<ExportRuleArgs>),
}

// The spec to export as NFD objects, and how to name them.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["image", "spec"])))]
pub struct ExportSpecArgs {
    /// The image whose compatibility artifact to export (`host/repo:tag`, or an OCI layout
    /// `oci:DIR[:TAG|@DIGEST]`).
    #[arg(long, value_name = "REF")]
    pub(crate) image: Option<String>,
    /// The spec to export: a YAML or JSON file, or `-` for stdin (instead of --image).
    #[arg(long, value_name = "FILE")]
    pub(crate) spec: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) lookup: LookupArgs,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
    /// Export only the compatibility sets with one of these tags (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "TAG")]
    pub(crate) tags: Vec<String>,
    /// The objects' name (default: from the image's repository and tag, or the spec's file
    /// name).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// The output format.
    #[arg(short, long, value_enum, default_value_t = DataFormat::Yaml)]
    pub(crate) output: DataFormat,
}

// `export nodefeaturegroup` arguments.
#[derive(Debug, Args)]
pub struct ExportGroupArgs {
    #[command(flatten)]
    pub(crate) source: ExportSpecArgs,
    /// The namespace of the NodeFeatureGroups (default: none, i.e. kubectl's current one).
    #[arg(long, value_name = "NAMESPACE")]
    pub(crate) namespace: Option<String>,
}

// `export nodefeaturerule` arguments.
#[derive(Debug, Args)]
pub struct ExportRuleArgs {
    #[command(flatten)]
    pub(crate) source: ExportSpecArgs,
    /// A label to set on the compatible nodes (repeatable; default:
    /// `nfd-compat.github.io/compatible-<name>=true`).
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub(crate) labels: Vec<String>,
}

// `export features` arguments.
#[derive(Debug, Args)]
pub struct ExportFeaturesArgs {
    #[command(flatten)]
    pub(crate) discovery: DiscoveryArgs,
    /// The output format.
    #[arg(short, long, value_enum, default_value_t = DataFormat::Json)]
    pub(crate) output: DataFormat,
    /// Write to FILE instead of stdout (replaced atomically).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) path: Option<PathBuf>,
}

// `lint` arguments.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The specs to check (YAML or JSON); `-` reads stdin.
    #[arg(required = true, value_name = "SPEC_FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The output format.
    #[arg(short, long, value_enum, default_value_t = LintFormat::Text)]
    pub(crate) output: LintFormat,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub(crate) strict: bool,
}

/// `lint` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// `FILE:LINE:COL: severity[code]: message` lines and a summary per file.
    Text,
    /// A JSON array of `{file, findings}`.
    Json,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A table for people.
    Table,
    /// The rich report as JSON.
    Json,
    /// The rich report as YAML.
    Yaml,
    /// JUnit XML: one testcase per rule (GitLab, Jenkins, ...).
    Junit,
    /// GitHub Actions workflow commands: `::error` annotations per failed rule.
    Github,
}

/// Data formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
