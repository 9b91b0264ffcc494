//! Getting a node's features: discovery under a host root, or a saved snapshot.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::settings::Host;
use super::{display_path, read_input};
use crate::features::Features;
use crate::snapshot::{self, NodeSnapshot};
use crate::sources::{self, HostRoot, Machine, Wanted};
use crate::warning::{Topic, Warning};

pub(crate) fn read_snapshot(path: &Path) -> Result<Vec<NodeSnapshot>> {
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

pub(crate) fn select_node(
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
        None => {
            let list = names();
            match <[NodeSnapshot; 1]>::try_from(nodes) {
                Ok([node]) => Ok(node),
                Err(nodes) => bail!(
                    "snapshot {} holds {} nodes; pick one with --node NAME: {list}",
                    display_path(path),
                    nodes.len(),
                ),
            }
        }
    }
}

/// What discovery found on a host.
pub(crate) struct Discovery {
    /// The features.
    pub(crate) features: Features,
    /// What could not be read, one line each, for stderr and the report.
    pub(crate) warnings: Vec<Warning>,
    /// The features that could not be discovered (or only in part), with why: the source and
    /// the path it could not read. A rule on them that fails "cannot tell".
    pub(crate) unavailable: BTreeMap<String, String>,
}

/// Discovers the `wanted` features of the host described by `args`.
pub(crate) fn discover(args: &Host, wanted: Wanted) -> Result<Discovery> {
    let root = HostRoot::new(&args.host_root);
    if !args.host_root.is_dir() {
        bail!(
            "host root `{}` is not a directory",
            args.host_root.display()
        );
    }
    let mut warnings = Vec::new();
    let machine = match &args.machine {
        Some(path) => Machine::load(path)
            .with_context(|| format!("cannot use machine capture `{}`", path.display()))?,
        None => {
            if let Some(why) = other_machine(&root) {
                warnings.push(Warning::new(
                    Topic::Usage,
                    format!(
                        "the cpu features (cpu.cpuid, cpu.model, ...) come from the CPU running nfd-compat, \
                         but the host under --host-root `{}` {why}; give --machine FILE with a capture \
                         of that host's CPU to check its own",
                        args.host_root.display()
                    ),
                ));
            }
            Machine::native()
        }
    };
    let mut ctx = sources::Context::new(root, machine, std::env::var("NODE_NAME").ok());
    ctx.wanted = wanted;
    let discovered = sources::discover_all(&ctx);
    let mut unavailable: BTreeMap<String, String> = BTreeMap::new();
    for w in &discovered.warnings {
        let source = w.source().unwrap_or_default();
        for feature in w.lost {
            let why = format!("the `{source}` source failed: {}", w.message);
            unavailable
                .entry((*feature).to_owned())
                .and_modify(|all| {
                    all.push_str("; ");
                    all.push_str(&why);
                })
                .or_insert(why);
        }
    }
    warnings.extend(discovered.warnings);
    Ok(Discovery {
        features: discovered.features,
        warnings,
        unavailable,
    })
}

/// Why the host under `root` looks like another machine than the one running nfd-compat: its
/// kernel's boot id differs from ours, or it has none to compare. `None` for `/` and for a
/// host whose `/proc` is this kernel's (a container with the host mounted, as NFD's pod).
fn other_machine(root: &HostRoot) -> Option<&'static str> {
    const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";
    if root.path() == Path::new("/") {
        return None;
    }
    let ours = HostRoot::new("/").read_trimmed(BOOT_ID).ok();
    match (root.read_trimmed(BOOT_ID).ok(), ours) {
        (Some(theirs), Some(ours)) if theirs == ours => None,
        (Some(_), _) => Some("runs another kernel (its boot id differs)"),
        (None, _) => {
            Some("has no readable `/proc/sys/kernel/random/boot_id` to show it is this machine")
        }
    }
}

/// The node's name for the report: `NODE_NAME` (as NFD), else the host's hostname.
pub(crate) fn node_name(host_root: &Path) -> Option<String> {
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
