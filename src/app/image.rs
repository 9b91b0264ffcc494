//! Reaching an image's registry: options, credentials, and fetching the spec.

use std::io::{self, Read};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};

use crate::cli::{LookupArgs, RegistryArgs};
use crate::registry::reference::parse_digest;
use crate::registry::{Fetched, Lookup, Platform, Reference, auth, auth::Secret, client};

/// Fetches the spec attached to `image`. `stdin_busy`: stdin carries other input, so a secret
/// cannot be read from it.
pub(crate) fn fetch_image_spec(
    image: &str,
    lookup: &LookupArgs,
    registry: &RegistryArgs,
    stdin_busy: bool,
) -> Result<(Fetched, Vec<String>)> {
    let reference = Reference::parse(image)?;
    let mut warnings = Vec::new();
    let lookup = resolve_lookup(lookup)?;
    let client = connect(&reference, registry, stdin_busy, &mut warnings)?;
    let fetched = crate::registry::fetch_spec(&client, &reference, &lookup)
        .with_context(|| format!("image `{reference}`"))?;
    warnings.extend(
        fetched
            .warnings
            .iter()
            .map(|w| format!("image `{reference}`: {w}")),
    );
    Ok((fetched, warnings))
}

/// Checks `--platform` and `--artifact`.
pub(crate) fn resolve_lookup(l: &LookupArgs) -> Result<Lookup> {
    Ok(Lookup {
        platform: l.platform.as_deref().map(Platform::parse).transpose()?,
        artifact: l
            .artifact
            .as_deref()
            .map(|d| parse_digest(d).map_err(|e| anyhow::anyhow!("invalid --artifact: {e}")))
            .transpose()?,
    })
}

/// A client for the image's registry with the options and credentials of `r`.
pub(crate) fn connect(
    reference: &Reference,
    r: &RegistryArgs,
    stdin_busy: bool,
    warnings: &mut Vec<String>,
) -> Result<client::Client> {
    if !(r.timeout.is_finite() && r.timeout > 0.0 && r.timeout <= 86_400.0) {
        bail!(
            "invalid --timeout {}: give a number of seconds between 0 and 86400",
            r.timeout
        );
    }
    let secret = registry_secret(r, reference, stdin_busy, warnings)?;
    if r.insecure {
        warnings.push(format!(
            "TLS certificate verification is off for `{}` (--insecure)",
            reference.registry
        ));
    }
    let ca_pem = match &r.ca_file {
        Some(path) => Some(
            crate::input::open_regular(path)
                .and_then(|f| {
                    let mut pem = Vec::new();
                    f.take(1024 * 1024).read_to_end(&mut pem).map(|_| pem)
                })
                .with_context(|| format!("cannot read --ca-file `{}`", path.display()))?,
        ),
        None => None,
    };
    let options = client::Options {
        plain_http: r.plain_http,
        insecure: r.insecure,
        ca_pem,
        timeout: Duration::from_secs_f64(r.timeout),
        ..client::Options::default()
    };
    let secrets = secret
        .into_iter()
        .map(|s| (reference.registry.clone(), s))
        .collect();
    client::Client::new(options, secrets).with_context(|| format!("image `{reference}`"))
}

/// The credential for the image's registry: NFD's stdin flags, else stored credentials.
fn registry_secret(
    r: &RegistryArgs,
    reference: &Reference,
    stdin_busy: bool,
    warnings: &mut Vec<String>,
) -> Result<Option<Secret>> {
    if r.registry_password_stdin && r.registry_token_stdin {
        bail!("cannot use --registry-token-stdin and --registry-password-stdin at the same time");
    }
    if r.registry_password_stdin || r.registry_token_stdin {
        if stdin_busy {
            bail!("stdin cannot carry both the registry secret and another input (`-`)");
        }
        let mut secret = String::new();
        io::stdin()
            .lock()
            .take(64 * 1024)
            .read_to_string(&mut secret)
            .context("cannot read the registry secret from stdin")?;
        let secret = auth::trim_stdin_secret(secret);
        if secret.is_empty() {
            bail!("the registry secret read from stdin is empty");
        }
        if r.registry_token_stdin {
            return Ok(Some(Secret::Token(secret)));
        }
        return match &r.registry_username {
            Some(username) if !username.is_empty() => Ok(Some(Secret::Basic {
                username: username.clone(),
                password: secret,
            })),
            _ => {
                // NFD ignores a password without a username and goes on anonymously.
                warnings.push("--registry-password-stdin without --registry-username: the password is ignored (as NFD does)".to_owned());
                Ok(None)
            }
        };
    }
    if r.registry_username.is_some() {
        warnings
            .push("--registry-username without --registry-password-stdin is ignored".to_owned());
    }
    match auth::lookup(&reference.registry, &auth::Locations::from_env()) {
        Ok(found) => Ok(found.map(|f| f.secret)),
        Err(e) => {
            warnings.push(format!("{e}; continuing without stored credentials"));
            Ok(None)
        }
    }
}
