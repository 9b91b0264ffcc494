//! `validate-node`: one node against one spec (from a file or an image's artifact).

use std::io::{self, Write};

use anyhow::{Result, bail};

use super::discover::{discover, node_name, read_snapshot, select_node};
use super::image::fetch_image_spec;
use super::{ExitStatus, Global, display_path, load_spec, read_input, warn};
use crate::cli::{ReportFormat, ValidateArgs};
use crate::registry::LookupPath;
use crate::report::{self, ImageInfo, Origin, Verdict};
use crate::rules;
use crate::spec;

/// `validate-node`.
pub(crate) fn run(args: &ValidateArgs, global: Global, stdout_tty: bool) -> Result<ExitStatus> {
    let mut warnings: Vec<String> = Vec::new();
    let (spec_bytes, spec_name, image) = match (&args.image, &args.spec) {
        (Some(image), _) => {
            let stdin_busy = args.features.as_deref() == Some(std::path::Path::new("-"));
            let (fetched, fetch_warnings) =
                fetch_image_spec(image, &args.lookup, &args.registry, stdin_busy)?;
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
    let loaded = load_spec(&spec_bytes, &spec_name, &mut warnings)?;
    let spec = &loaded.spec;
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
    let evaluation = rules::evaluate(spec, &features, &options);
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
    let mut report = report::build(spec, &evaluation, &features, origin, warnings);
    if let Some(path) = args
        .spec
        .as_deref()
        .filter(|p| *p != std::path::Path::new("-"))
    {
        report.locate(&path.display().to_string(), &loaded.positions);
    }
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
            ReportFormat::Junit => report::ci::render_junit(&report, &mut out)?,
            ReportFormat::Github => report::ci::render_github(&report, &mut out)?,
        }
    }
    out.flush()?;
    Ok(match report.verdict {
        Verdict::Compatible => ExitStatus::Success,
        Verdict::Incompatible => ExitStatus::Incompatible,
        Verdict::Error => ExitStatus::Error,
    })
}
