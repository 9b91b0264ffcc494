//! `copy`: carry an image's compatibility artifacts to another registry or OCI layout.

use std::io::Write;

use anyhow::{Context as _, Result};

use super::image::open;
use super::settings::Copy;
use super::{ExitStatus, Printer};
use crate::registry::transfer::copy_artifacts;

/// Copies the artifacts; prints each digest with `copied` or `present` on stdout.
pub(crate) fn run(args: &Copy, printer: Printer) -> Result<ExitStatus> {
    let (from, to, registry) = (&args.from.reference, &args.to, &args.from.registry);
    let mut warnings = Vec::new();
    let source = open(from, registry, &mut warnings, printer)?;
    // A secret on stdin is read once: the settings refuse one for two registries.
    let destination = open(to, registry, &mut warnings, printer)?;
    printer.warn_all(&warnings);
    let done = copy_artifacts(
        &*source.sink("pull"),
        from,
        &*destination.sink("pull,push"),
        to,
        args.platform.as_ref(),
        args.artifact.as_deref(),
    )
    .with_context(|| format!("copying the artifacts of `{from}` to `{to}`"))?;
    printer.warn_all(&done.warnings);
    let mut out = printer.stdout();
    for d in &done.copied {
        writeln!(out, "{d} copied")?;
    }
    for d in &done.present {
        writeln!(out, "{d} present")?;
    }
    out.flush()?;
    let how = done
        .lookup
        .map(|l| format!(" (found through the {l})"))
        .unwrap_or_default();
    printer.info(&format!(
        "copied {} artifact(s) of `{from}` to `{to}` on {}{how}; {} already there",
        done.copied.len(),
        done.subject,
        done.present.len()
    ));
    Ok(ExitStatus::Success)
}
