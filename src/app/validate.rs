//! `validate-node`: the spec (from a file or an image's artifact), the stream of evaluated
//! nodes (`nodes`), and the presenter for one node; several nodes go to `fleet`.

use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::Path;

use anyhow::{Result, bail};

use super::image::fetch_image_spec;
use super::nodes::{self, Whole};
use super::settings::{Nodes, Output, SpecInput, Validate};
use super::{ExitStatus, Printer, display_path, load_spec, plain_path, read_input};
use crate::cli::ReportFormat;
use crate::report::{self, ImageInfo, Origin, Verdict};
use crate::rules;
use crate::spec::{self, Spec};
use crate::warning::Warning;

/// A spec and where it came from.
pub(crate) struct SpecSource {
    /// The loaded spec.
    pub(crate) spec: Spec,
    /// How messages name it (decorated: "`spec.yaml`", "of `app:1` (artifact ...)").
    pub(crate) name: String,
    /// Where it came from, as data for reports: the file as given, `<stdin>`, or the image
    /// reference (the artifact is in `image`).
    pub(crate) label: String,
    /// The image it came from.
    pub(crate) image: Option<ImageInfo>,
    /// The spec's file, when it came from one (not stdin).
    pub(crate) file: Option<String>,
    /// Where each rule starts in it.
    pub(crate) positions: spec::Positions,
}

/// Loads the spec from `--image` or `--spec`, adding warnings to `warnings`.
pub(crate) fn spec_source(
    input: &SpecInput,
    warnings: &mut Vec<Warning>,
    printer: Printer,
) -> Result<SpecSource> {
    let (spec_bytes, spec_name, label, image, spec_path) = match input {
        SpecInput::Image { image, lookup } => {
            let (fetched, fetch_warnings) = fetch_image_spec(image, lookup, printer)?;
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
                lookup: fetched.lookup,
                requests: fetched.requests,
            };
            let label = fetched.image.clone();
            (fetched.spec, name, label, Some(info), None)
        }
        SpecInput::File(path) => (
            read_input(path, spec::MAX_SPEC_BYTES, "spec")?,
            display_path(path),
            plain_path(path),
            None,
            Some(path),
        ),
    };
    let loaded = load_spec(&spec_bytes, &spec_name, warnings)?;
    Ok(SpecSource {
        spec: loaded.spec,
        name: spec_name,
        label,
        image,
        file: spec_path
            .filter(|p| p.as_path() != Path::new("-"))
            .map(|p| p.display().to_string()),
        positions: loaded.positions,
    })
}

/// `validate-node`. With `-o junit` or `-o github` an error that ends the run early is also
/// printed as that format's document, so that a CI gate reading it sees the failure.
pub(crate) fn run(settings: &Validate, printer: Printer) -> Result<ExitStatus> {
    let result = validate(settings, printer);
    if let Err(err) = &result {
        if let Some(format) = settings.output.fatal_format() {
            if !super::is_broken_pipe(err) {
                print_fatal(printer, format, &format!("{err:#}"));
            }
        }
    }
    result
}

/// Prints `message` as the document of a run that could not be completed, in the CI
/// formats (the others report errors on stderr only).
pub(crate) fn print_fatal(printer: Printer, format: ReportFormat, message: &str) {
    let mut out = printer.stdout();
    // The error itself is what the caller reports; a second failure adds nothing.
    let _ = match format {
        ReportFormat::Junit => report::ci::render_fatal_junit("validate-node", message, &mut out),
        ReportFormat::Github => report::ci::render_fatal_github(message, &mut out),
        _ => Ok(()),
    };
    let _ = out.flush();
}

/// Inputs -> an ordered stream of evaluated nodes -> a presenter chosen by how many nodes
/// there are: one gets its report ([`present_one`]), more the fleet's table or documents
/// ([`super::fleet`]). Several inputs or a directory are a fleet whatever the count.
fn validate(args: &Validate, printer: Printer) -> Result<ExitStatus> {
    let mut warnings: Vec<Warning> = Vec::new();
    // Left to the exit, whichever way the run ends (see `discard`).
    let source = ManuallyDrop::new(spec_source(&args.spec, &mut warnings, printer)?);
    let options = rules::Options {
        tags: args.tags.clone(),
        ..rules::Options::default()
    };
    let (paths, known_fleet) = match &args.nodes {
        Nodes::Discover(host) => {
            let node = nodes::discovered(host, &source.spec, &args.tags, &mut warnings)?;
            return present_one(args, &source, node, warnings, printer);
        }
        Nodes::Pick { path, name } => {
            let node = nodes::picked(path, name, &source.spec, &options)?;
            return present_one(args, &source, node, warnings, printer);
        }
        Nodes::Snapshots { paths, fleet } => (paths, *fleet),
    };
    let settings = crate::fleet::Settings {
        spec: &source.spec,
        spec_name: &source.label,
        image: source.image.as_ref(),
        options: &options,
        // `-o json` of a fleet is every node's report.
        reports: args.output == Output::Report(ReportFormat::Json),
        // A single input may hold a single node, whose report needs it whole.
        keep_first: !known_fleet,
        threads: 0,
    };
    if known_fleet {
        super::fleet::start(args, &source, &warnings, printer)?;
    }
    nodes::snapshots(paths, &settings, |nodes| {
        if known_fleet {
            return super::fleet::present(args, nodes, printer);
        }
        match (nodes.next(), nodes.next()) {
            (None, _) => bail!("no nodes to validate"),
            (Some(one), None) => present_one(args, &source, nodes::kept(one)?, warnings, printer),
            (Some(first), Some(second)) => {
                super::fleet::start(args, &source, &warnings, printer)?;
                let mut all = [first, second].into_iter().chain(nodes);
                super::fleet::present(args, &mut all, printer)
            }
        }
    })
}

/// Prints the report of one node.
fn present_one(
    args: &Validate,
    source: &SpecSource,
    node: Whole,
    warnings: Vec<Warning>,
    printer: Printer,
) -> Result<ExitStatus> {
    let (spec, spec_name) = (&source.spec, &source.name);
    printer.warn_all(&warnings);
    let evaluation = node.evaluation;
    if evaluation.sets.is_empty() && !args.tags.is_empty() {
        check_tags(spec, spec_name, &args.tags)?;
    }
    let detail = if args.output == Output::Nfd {
        report::Detail::Outcome
    } else {
        report::Detail::Full
    };
    let origin = Origin {
        spec: source.label.clone(),
        features: node.source,
        node: node.name,
        image: source.image.clone(),
    };
    let mut report = match node.report {
        Some(built) if detail == report::Detail::Full => built.with_origin(origin, warnings),
        _ => report::build_with(spec, &evaluation, &node.features, origin, warnings, detail),
    };
    if let Some(file) = &source.file {
        report.locate(file, &source.positions);
    }
    let mut out = printer.stdout();
    match args.output {
        Output::Nfd => report::nfd::render(&report, &mut out)?,
        Output::Report(format) => match format {
            ReportFormat::Table => {
                let style = report::table::Style {
                    color: printer.color(),
                    width: printer.width(),
                };
                report::table::render(&report, &mut out, style)?;
            }
            ReportFormat::Json => report::json::render_json(&report, &mut out)?,
            ReportFormat::Yaml => report::json::render_yaml(&report, &mut out)?,
            ReportFormat::Junit => report::ci::render_junit(&report, &mut out)?,
            ReportFormat::Github => {
                report::ci::render_github(&report, printer.quiet(), &mut out)?;
            }
        },
    }
    out.flush()?;
    let status = match report.verdict {
        Verdict::Compatible => ExitStatus::Success,
        Verdict::Incompatible => ExitStatus::Incompatible,
        Verdict::Error => ExitStatus::Error,
    };
    super::discard((report, node.features, evaluation));
    Ok(status)
}

/// Fails when `tags` is not empty and selects no compatibility set of `spec`.
pub(crate) fn check_tags(spec: &Spec, spec_name: &str, wanted: &[String]) -> Result<()> {
    if wanted.is_empty() || spec.compatibilities.iter().any(|c| wanted.contains(&c.tag)) {
        return Ok(());
    }
    let mut tags: Vec<&str> = spec
        .compatibilities
        .iter()
        .map(|c| c.tag.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    tags.dedup();
    bail!(
        "no compatibility set of {spec_name} has a tag in {}; its tags are: {}",
        wanted.join(", "),
        if tags.is_empty() {
            "(none)".to_owned()
        } else {
            tags.join(", ")
        }
    );
}
