//! `attach`, `list`, `fetch`, `detach`: authoring an image's compatibility artifacts.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::image::{connect, fetch_image_spec};
use super::{ExitStatus, Global, display_path, load_spec, read_input, warn, warn_all};
use crate::cli::{AttachArgs, DetachArgs, FetchArgs, ListArgs, ListFormat};
use crate::registry::authoring::{self, AttachRequest};
use crate::registry::reference::parse_digest;
use crate::registry::{Platform, Reference};
use crate::report::listing::{self, ArtifactRow};
use crate::spec;

/// `attach`: check the spec, push the artifact, print its digest.
pub(crate) fn attach(args: &AttachArgs, global: Global) -> Result<ExitStatus> {
    let reference = Reference::parse(&args.image)?;
    let name = display_path(&args.spec);
    let bytes = read_input(&args.spec, spec::MAX_SPEC_BYTES, "spec")?;
    // The load warnings are part of the lint's advice below.
    let loaded = load_spec(&bytes, &name, &mut Vec::new())
        .map_err(|e| anyhow::anyhow!("{e}; nothing was attached"))?;
    // The lint's advice before anything is pushed.
    for f in crate::lint::lint(&loaded)
        .iter()
        .filter(|f| f.severity == crate::lint::Severity::Warning)
    {
        let at = match (f.line, f.column) {
            (Some(l), Some(c)) => format!("{l}:{c}: "),
            _ => String::new(),
        };
        warn(
            global,
            &format!("spec {name}:{at}[{}] {}", f.code, f.message),
        );
    }
    let mut annotations = BTreeMap::new();
    for a in &args.annotations {
        let Some((k, v)) = a.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            bail!("invalid --annotation `{a}`: write KEY=VALUE");
        };
        annotations.insert(k.to_owned(), v.to_owned());
    }
    if let Some(created) = annotations.get("org.opencontainers.image.created")
        && crate::timestamp::Timestamp::parse_rfc3339(created).is_none()
    {
        bail!(
            "invalid --annotation org.opencontainers.image.created=`{created}`: not an RFC 3339 time"
        );
    }
    let platform = args.platform.as_deref().map(Platform::parse).transpose()?;
    let mut warnings = Vec::new();
    let stdin_busy = args.spec == Path::new("-");
    let client = connect(&reference, &args.registry, stdin_busy, &mut warnings)?;
    warn_all(global, &warnings);
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
    let attached = authoring::attach(&client, &reference, &request)
        .with_context(|| format!("image `{reference}`: nothing was attached"))?;
    warn_all(global, &attached.warnings);
    warn_info(
        global,
        &format!(
            "attached {} to `{reference}` ({}) through the {}, created {}",
            attached.digest, attached.subject, attached.lookup, attached.created
        ),
    );
    let mut out = io::stdout().lock();
    writeln!(out, "{}", attached.digest)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// An informational line on stderr (hidden by `--quiet`).
fn warn_info(global: Global, message: &str) {
    if !global.quiet {
        let _ = writeln!(io::stderr().lock(), "{message}");
    }
}

/// `list`: the attached artifacts, newest first.
pub(crate) fn list(args: &ListArgs, global: Global) -> Result<ExitStatus> {
    let reference = Reference::parse(&args.image)?;
    let platform = args.platform.as_deref().map(Platform::parse).transpose()?;
    let mut warnings = Vec::new();
    let client = connect(&reference, &args.registry, false, &mut warnings)?;
    warn_all(global, &warnings);
    let (subject, artifacts, lookup) = authoring::list(&client, &reference, platform.as_ref())
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
    let mut out = io::stdout().lock();
    match args.output {
        ListFormat::Table => listing::render_table(&listing, &mut out)?,
        ListFormat::Json => crate::report::json::render_json(&listing, &mut out)?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `fetch`: print the spec as stored.
pub(crate) fn fetch(args: &FetchArgs, global: Global) -> Result<ExitStatus> {
    let (fetched, warnings) = fetch_image_spec(&args.image, &args.lookup, &args.registry, false)?;
    warn_all(global, &warnings);
    let mut out = io::stdout().lock();
    out.write_all(&fetched.spec)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `detach`: remove one artifact.
pub(crate) fn detach(args: &DetachArgs, global: Global) -> Result<ExitStatus> {
    let reference = Reference::parse(&args.image)?;
    let artifact =
        parse_digest(&args.artifact).map_err(|e| anyhow::anyhow!("invalid --artifact: {e}"))?;
    let platform = args.platform.as_deref().map(Platform::parse).transpose()?;
    let mut warnings = Vec::new();
    let client = connect(&reference, &args.registry, false, &mut warnings)?;
    warn_all(global, &warnings);
    authoring::detach(&client, &reference, &artifact, platform.as_ref())
        .with_context(|| format!("image `{reference}`: artifact {artifact} was not removed"))?;
    warn_info(global, &format!("removed {artifact} from `{reference}`"));
    Ok(ExitStatus::Success)
}
