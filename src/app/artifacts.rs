//! `attach`, `list`, `fetch`, `detach`: authoring an image's compatibility artifacts.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::image::{fetch_image_spec, open, registry_warnings};
use super::{ExitStatus, Printer, display_path, load_spec, read_input};
use crate::cli::{AttachArgs, DetachArgs, FetchArgs, ListArgs, ListFormat};
use crate::registry::authoring::{self, AttachRequest, IndexLeft};
use crate::registry::oci::CREATED;
use crate::registry::reference::parse_digest;
use crate::registry::store::Opened;
use crate::registry::{ImageRef, Platform};
use crate::report::listing::{self, ArtifactRow};
use crate::spec;
use crate::warning::{Topic, Warning};

/// `attach`: check the spec, push the artifact, print its digest.
pub(crate) fn attach(args: &AttachArgs, printer: Printer) -> Result<ExitStatus> {
    let reference = ImageRef::parse(&args.image, args.registry.oci_layout)?;
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
    let annotations = annotations(&args.annotations, args.force)?;
    let platform = args.platform.as_deref().map(Platform::parse).transpose()?;
    let mut warnings = Vec::new();
    let stdin_busy = args.spec == Path::new("-");
    let opened = open(
        &reference,
        &args.registry,
        stdin_busy,
        &mut warnings,
        printer,
    )?;
    printer.warn_all(&warnings);
    let title = args
        .spec
        .file_name()
        .filter(|_| !stdin_busy)
        .map(|n| n.to_string_lossy().into_owned());
    let request = AttachRequest {
        spec: &bytes,
        title,
        annotations,
        platform,
    };
    let attached = authoring::attach(&*opened.sink("pull,push"), &reference, &request)
        .with_context(|| format!("image `{reference}`: nothing was attached"))?;
    printer.warn_all(&registry_warnings(&attached.warnings));
    printer.info(&format!(
        "attached {} to `{reference}` ({}) through the {}, created {}",
        attached.digest, attached.subject, attached.lookup, attached.created
    ));
    let mut out = printer.stdout();
    writeln!(out, "{}", attached.digest)?;
    out.flush()?;
    Ok(ExitStatus::Success)
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

/// `list`: the attached artifacts, newest first.
pub(crate) fn list(args: &ListArgs, printer: Printer) -> Result<ExitStatus> {
    let reference = ImageRef::parse(&args.image, args.registry.oci_layout)?;
    let platform = args.platform.as_deref().map(Platform::parse).transpose()?;
    let mut warnings = Vec::new();
    let opened = open(&reference, &args.registry, false, &mut warnings, printer)?;
    printer.warn_all(&warnings);
    let (subject, artifacts, lookup) =
        authoring::list(&*opened.sink("pull"), &reference, platform.as_ref())
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
pub(crate) fn fetch(args: &FetchArgs, printer: Printer) -> Result<ExitStatus> {
    let (fetched, warnings) =
        fetch_image_spec(&args.image, &args.lookup, &args.registry, false, printer)?;
    printer.warn_all(&warnings);
    let mut out = printer.stdout();
    out.write_all(&fetched.spec)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `detach`: remove one artifact.
pub(crate) fn detach(args: &DetachArgs, printer: Printer) -> Result<ExitStatus> {
    let reference = ImageRef::parse(&args.image, args.registry.oci_layout)?;
    let artifact =
        parse_digest(&args.artifact).map_err(|e| anyhow::anyhow!("invalid --artifact: {e}"))?;
    let platform = args.platform.as_deref().map(Platform::parse).transpose()?;
    let mut warnings = Vec::new();
    let opened = open(&reference, &args.registry, false, &mut warnings, printer)?;
    printer.warn_all(&warnings);
    let index = match &opened {
        Opened::Registry(client, registry_ref) => {
            authoring::detach(client, registry_ref, &artifact, platform.as_ref())
                .map(|(_, index)| index)
        }
        Opened::Layout(layout) => layout
            .detach(&reference, &artifact, platform.as_ref())
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
