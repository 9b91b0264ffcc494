//! The nodes of a `validate-node` run, evaluated, as one ordered stream.
//!
//! The inputs are this host (discovery), one node picked from a snapshot (`--node`), or the
//! nodes of snapshots. The first two are one [`Whole`] node. Snapshots go through the fleet
//! reader ([`crate::fleet::validate`], on a thread of its own) and come out as an iterator of
//! [`NodeResult`]s in input order, handed over in small batches through a bounded queue, so a
//! fleet is never held in memory. When the presenter stops taking them (it failed), the reader
//! stops too.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Result, bail};

use super::discover::{discover, node_name};
use super::plain_path;
use super::settings::Host;
use crate::features::Features;
use crate::fleet::{self, NodeResult};
use crate::report::Report;
use crate::rules::{self, Evaluation};
use crate::sources::Wanted;
use crate::spec::{Spec, Term};
use crate::warning::Warning;

/// One node, evaluated, with all its report needs.
pub(crate) struct Whole {
    /// Its name, when known.
    pub(crate) name: Option<String>,
    /// Where its features came from, as the report says it (`snapshot nodes.json`).
    pub(crate) source: String,
    /// Its features.
    pub(crate) features: Features,
    /// The spec evaluated on them.
    pub(crate) evaluation: Evaluation,
    /// Its full report, when the reader built it already (`-o json`).
    pub(crate) report: Option<Report>,
}

/// Discovers the host and evaluates `spec` on it; discovery's warnings go to `warnings`.
pub(crate) fn discovered(
    host: &Host,
    spec: &Spec,
    tags: &[String],
    warnings: &mut Vec<Warning>,
) -> Result<Whole> {
    // Only what the rules read: a feature no rule reads cannot change the verdict.
    let keys: Vec<_> = spec.terms(|_| true).map(Term::feature_key).collect();
    let found = discover(host, Wanted::of(keys.iter().map(AsRef::as_ref)))?;
    warnings.extend(found.warnings);
    let options = rules::Options {
        tags: tags.to_vec(),
        // A rule on a feature whose source failed cannot tell.
        unavailable: found.unavailable,
    };
    let evaluation = rules::evaluate(spec, &found.features, &options);
    Ok(Whole {
        name: node_name(&host.host_root),
        source: format!("discovered under {}", host.host_root.display()),
        features: found.features,
        evaluation,
        report: None,
    })
}

/// Reads the node called `name` from the snapshot at `path` and evaluates `spec` on it.
pub(crate) fn picked(
    path: &Path,
    name: &str,
    spec: &Spec,
    options: &rules::Options,
) -> Result<Whole> {
    let node = fleet::find_node(path, name).map_err(anyhow::Error::msg)?;
    let evaluation = rules::evaluate(spec, &node.features, options);
    Ok(Whole {
        name: node.name,
        source: format!("snapshot {}", plain_path(path)),
        features: node.features,
        evaluation,
        report: None,
    })
}

/// The node of a fleet reader's result that was kept whole (`keep_first`); a node that could
/// not be read is its error.
pub(crate) fn kept(result: NodeResult) -> Result<Whole> {
    let Some(kept) = result.kept else {
        bail!("{}", result.errors.join("; "));
    };
    let fleet::Kept {
        snapshot,
        evaluation,
    } = *kept;
    Ok(Whole {
        name: snapshot.name,
        source: result.source.plain(),
        features: snapshot.features,
        evaluation,
        report: result.report,
    })
}

/// The reader hands results over in batches of this many (and the rest at the end): one
/// hand-over per node added a tenth to a sixth to the CPU time of a 5,000-node fleet, in
/// thread wake-ups.
const BATCH: usize = 32;

/// How many batches may wait between the reader and the presenter.
const QUEUED: usize = 4;

/// Snapshot files this small in total are read and evaluated on this thread, all of them,
/// before they are presented: for them a reader thread (its stack, its heap, a wake-up) costs
/// more than the reading, about a tenth of a typical single-node run (a node's snapshot is a
/// few to a few tens of KiB). Small enough that holding every result costs little too: at most
/// some 10,000 nodes (`{}` each, 2 KiB of results apiece when they are errors) fit.
const INLINE_BYTES: u64 = 32 << 10;

/// Whether `paths` are regular files of at most [`INLINE_BYTES`] together.
fn small(paths: &[PathBuf]) -> bool {
    let mut total = 0u64;
    for path in paths {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() && path.as_os_str() != "-" => total += m.len(),
            _ => return false,
        }
    }
    total <= INLINE_BYTES
}

/// Runs `present` on the nodes of the snapshots `paths`, evaluated as `settings` says, in
/// input order, and returns what it returns.
pub(crate) fn snapshots<R>(
    paths: &[PathBuf],
    settings: &fleet::Settings<'_>,
    present: impl FnOnce(&mut dyn Iterator<Item = NodeResult>) -> R,
) -> R {
    if small(paths) {
        let mut all = Vec::new();
        // Collecting cannot stop the reader, whose only error that is.
        let _ = fleet::validate(paths, settings, &mut |r| {
            all.push(r);
            Ok(())
        });
        return present(&mut all.into_iter());
    }
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Vec<NodeResult>>(QUEUED);
        scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            // The reader's only error is the presenter's having stopped, which the presenter
            // reports itself.
            let read = fleet::validate(paths, settings, &mut |r| {
                batch.push(r);
                if batch.len() < BATCH {
                    return Ok(());
                }
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                tx.send(full)
                    .map_err(|_| io::Error::other("the nodes are no longer taken"))
            });
            if read.is_ok() && !batch.is_empty() {
                // A presenter that stopped has reported why.
                let _ = tx.send(batch);
            }
        });
        // The receiver is dropped when `present` returns, which stops the reader.
        let mut nodes = rx.into_iter().flatten();
        present(&mut nodes)
    })
}
