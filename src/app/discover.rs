//! Getting a node's features: discovery under a host root, or a saved snapshot.

use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::{display_path, read_input};
use crate::cli::DiscoveryArgs;
use crate::features::Features;
use crate::snapshot::{self, NodeSnapshot};
use crate::sources::{self, HostRoot, Machine};

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

/// Discovers the host described by `args`, returning features and warnings.
pub(crate) fn discover(args: &DiscoveryArgs) -> Result<(Features, Vec<String>)> {
    let root = HostRoot::new(&args.host_root);
    if !args.host_root.is_dir() {
        bail!(
            "host root `{}` is not a directory",
            args.host_root.display()
        );
    }
    let machine = match &args.machine {
        Some(path) => Machine::load(path)
            .with_context(|| format!("cannot use machine capture `{}`", path.display()))?,
        None => Machine::native(),
    };
    let ctx = sources::Context::new(root, machine, std::env::var("NODE_NAME").ok());
    let discovered = sources::discover_all(&ctx);
    let warnings = discovered
        .warnings
        .iter()
        .map(|w| format!("discovery ({}): {}", w.source, w.message))
        .collect();
    Ok((discovered.features, warnings))
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
