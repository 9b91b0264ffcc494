//! Writes a synthetic NodeFeatureList (and optionally a spec) for trying fleet validation:
//!
//! `cargo run --release --example gen_fleet -- NODES [SEED] [--spec RULES] > fleet.json`
//!
//! With `--spec RULES` it prints a spec of RULES rules over the same features instead. The
//! generator is the tests' (`tests/support/generate.rs`).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

#[path = "../tests/support/generate.rs"]
mod generate;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = BufWriter::new(io::stdout().lock());
    let result = match args.as_slice() {
        [flag, rules] if flag == "--spec" => match rules.parse() {
            Ok(rules) => out.write_all(generate::spec_yaml(rules).as_bytes()),
            Err(_) => return usage(),
        },
        [nodes] | [nodes, _] => {
            let seed = args.get(1).map_or(Ok(1), |s| s.parse());
            match (nodes.parse(), seed) {
                (Ok(nodes), Ok(seed)) => generate::write_fleet(&mut out, nodes, seed),
                _ => return usage(),
            }
        }
        _ => return usage(),
    };
    match result.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "gen_fleet: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    let _ = writeln!(
        io::stderr(),
        "usage: gen_fleet NODES [SEED] | gen_fleet --spec RULES"
    );
    ExitCode::from(2)
}
