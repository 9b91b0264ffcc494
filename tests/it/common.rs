//! Running the binary and capturing what it prints.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What one run printed and how it ended.
#[derive(Debug)]
pub(crate) struct Output {
    /// The exit code.
    pub(crate) code: i32,
    /// Standard output.
    pub(crate) stdout: String,
    /// Standard error.
    pub(crate) stderr: String,
}

/// The repository's `testdata/` folder.
pub(crate) fn testdata(rel: &str) -> String {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    p.push("testdata");
    p.push(rel);
    p.to_string_lossy().into_owned()
}

/// Runs `nfd-compat` with `args`, feeding `stdin`, with a clean environment for colour and
/// node name.
pub(crate) fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    run_with_env(args, &[], stdin)
}

/// As [`run`], with extra environment variables.
pub(crate) fn run_with_env(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut cmd = command(args, env);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn nfd-compat");
    {
        let mut input = child.stdin.take().expect("stdin");
        if let Some(bytes) = stdin {
            // The binary may stop reading early (size limit); a broken pipe is fine then.
            let _ = input.write_all(bytes);
        }
    }
    let out = child.wait_with_output().expect("wait for nfd-compat");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The `nfd-compat args` command with a clean environment for colour, credentials and node
/// name, plus `env`.
pub(crate) fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nfd-compat"));
    cmd.args(args)
        .env_remove("NO_COLOR")
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("DOCKER_CONFIG")
        .env("NODE_NAME", "test-node")
        .envs(env.iter().copied());
    cmd
}

/// Replaces the absolute testdata path with a stable placeholder.
pub(crate) fn redact(s: &str) -> String {
    s.replace(&testdata(""), "[TESTDATA]/")
}
