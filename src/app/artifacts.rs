//! `attach`, `list`, `fetch`, `detach`: authoring an image's compatibility artifacts.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::image::{fetch_image_spec, open};
use super::settings::{Attach, Detach, Fetch, List};
use super::{ExitStatus, Printer, display_path, load_spec, read_input};
use crate::cli::ListFormat;
use crate::registry::authoring::{self, AttachRequest, IndexLeft};
use crate::registry::store::Opened;
use crate::report::listing::{self, ArtifactRow};
use crate::spec;
use crate::warning::{Topic, Warning};

/// `attach`: check the spec, push the artifact, print its digest.
pub(crate) fn attach(args: &Attach, printer: Printer) -> Result<ExitStatus> {
    let reference = &args.image.reference;
    let name = display_path(&args.spec);
    let bytes = read_input(&args.spec, spec::MAX_SPEC_BYTES, "spec")?;
    // The load warnings are part of the lint's advice below.
    let loaded = load_spec(&bytes, &name, &mut Vec::new())
        .map_err(|e| anyhow::anyhow!("{e}; nothing was attached"))?;
    // The lint's advice before anything is pushed.
    let advice: Vec<String> = crate::lint::lint(&loaded)
        .iter()
        .filter(|f| f.severity == crate::lint::Severity::Warning)
        .map(|f| {
            let at = match (f.line, f.column) {
                (Some(l), Some(c)) => format!("{l}:{c}: "),
                _ => String::new(),
            };
            format!("{at}[{}] {}", f.code, f.message)
        })
        .collect();
    if args.strict && !advice.is_empty() {
        bail!(
            "spec {name} has {} lint {} and --strict refuses {}; nothing was attached:\n  {}",
            advice.len(),
            if advice.len() == 1 {
                "warning"
            } else {
                "warnings"
            },
            if advice.len() == 1 { "it" } else { "them" },
            advice.join("\n  ")
        );
    }
    for a in &advice {
        printer.warn(&Warning::new(Topic::Spec, format!("spec {name}:{a}")));
    }
    let mut warnings = Vec::new();
    let stdin_busy = args.spec == Path::new("-");
    let opened = open(reference, &args.image.registry, &mut warnings, printer)?;
    printer.warn_all(&warnings);
    let title = args
        .spec
        .file_name()
        .filter(|_| !stdin_busy)
        .map(|n| n.to_string_lossy().into_owned());
    let request = AttachRequest {
        spec: &bytes,
        title,
        annotations: args.annotations.clone(),
        platform: args.platform.clone(),
    };
    let attached = authoring::attach(&*opened.sink("pull,push"), reference, &request)
        .with_context(|| format!("image `{reference}`: nothing was attached"))?;
    printer.warn_all(&attached.warnings);
    printer.info(&format!(
        "attached {} to `{reference}` ({}) through the {}, created {}",
        attached.digest, attached.subject, attached.lookup, attached.created
    ));
    let mut out = printer.stdout();
    writeln!(out, "{}", attached.digest)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `list`: the attached artifacts, newest first.
pub(crate) fn list(args: &List, printer: Printer) -> Result<ExitStatus> {
    let reference = &args.image.reference;
    let mut warnings = Vec::new();
    let opened = open(reference, &args.image.registry, &mut warnings, printer)?;
    printer.warn_all(&warnings);
    let (subject, artifacts, lookup) =
        authoring::list(&*opened.sink("pull"), reference, args.platform.as_ref())
            .with_context(|| format!("image `{reference}`"))?;
    let rows: Vec<ArtifactRow> = artifacts
        .into_iter()
        .map(|a| {
            let sets = match a.spec.as_deref().map(spec::load) {
                Some(Ok(loaded)) => loaded
                    .spec
                    .compatibilities
                    .iter()
                    .map(|c| listing::SetSummary {
                        tag: c.tag.clone(),
                        description: c.description.clone(),
                    })
                    .collect(),
                Some(Err(e)) => vec![listing::SetSummary {
                    tag: String::new(),
                    description: format!("(invalid spec: {e})"),
                }],
                None => vec![listing::SetSummary {
                    tag: String::new(),
                    description: "(spec not readable)".to_owned(),
                }],
            };
            ArtifactRow {
                digest: a.digest,
                created: a.created,
                size: a.size,
                sets,
            }
        })
        .collect();
    let listing = listing::Listing {
        image: reference.to_string(),
        subject,
        lookup,
        artifacts: rows,
    };
    let mut out = printer.stdout();
    match args.output {
        ListFormat::Table => {
            listing::render_table(&listing, &mut out, printer.width())?;
        }
        ListFormat::Json => crate::report::json::render_json(&listing, &mut out)?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `fetch`: print the spec as stored.
pub(crate) fn fetch(args: &Fetch, printer: Printer) -> Result<ExitStatus> {
    let (fetched, warnings) = fetch_image_spec(&args.image, &args.lookup, printer)?;
    printer.warn_all(&warnings);
    let mut out = printer.stdout();
    out.write_all(&fetched.spec)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `detach`: remove one artifact.
pub(crate) fn detach(args: &Detach, printer: Printer) -> Result<ExitStatus> {
    let (reference, artifact) = (&args.image.reference, &args.artifact);
    let platform = args.platform.as_ref();
    let mut warnings = Vec::new();
    let opened = open(reference, &args.image.registry, &mut warnings, printer)?;
    printer.warn_all(&warnings);
    let index = match &opened {
        Opened::Registry(client, registry_ref) => {
            authoring::detach(client, registry_ref, artifact, platform).map(|(_, index)| index)
        }
        Opened::Layout(layout) => layout
            .detach(reference, artifact, platform)
            .map(|()| IndexLeft::Kept),
    }
    .with_context(|| format!("image `{reference}`: artifact {artifact} was not removed"))?;
    let also = match index {
        IndexLeft::Kept => String::new(),
        IndexLeft::Deleted => ", and the tag-schema index it left empty".to_owned(),
        IndexLeft::Empty(reason) => {
            printer.warn(&Warning::new(
                Topic::Registry,
                format!("the tag-schema index of `{reference}` is left empty: {reason}"),
            ));
            String::new()
        }
    };
    printer.info(&format!("removed {artifact} from `{reference}`{also}"));
    Ok(ExitStatus::Success)
}
