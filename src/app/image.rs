//! Reaching an image's registry: options, credentials, and fetching the spec.

use std::io::{self, Read};

use anyhow::{Context as _, Result, bail};

use super::Printer;
use super::settings::{Image, Registry, StdinSecret};
use crate::registry::auth::{Found, Secret};
use crate::registry::layout::Layout;
use crate::registry::proxy::Proxies;
use crate::registry::store::Opened;
use crate::registry::{FetchedSpec, ImageRef, Lookup, Reference, auth, client};
use crate::warning::{Topic, Warning};

/// Fetches the spec attached to `image`. The warnings are returned on success and printed on
/// failure (a broken credentials file may be why it failed).
pub(crate) fn fetch_image_spec(
    image: &Image,
    lookup: &Lookup,
    printer: Printer,
) -> Result<(FetchedSpec, Vec<Warning>)> {
    let reference = &image.reference;
    let mut warnings = Vec::new();
    let opened = open(reference, &image.registry, &mut warnings, printer)?;
    let store = opened.sink("pull");
    let fetched = match crate::registry::fetch::fetch_from(&*store, reference, lookup) {
        Ok(f) => f,
        Err(e) => {
            printer.warn_all(&warnings);
            return Err(anyhow::Error::new(e).context(format!("image `{reference}`")));
        }
    };
    warnings.extend(
        fetched
            .warnings
            .iter()
            .map(|w| Warning::new(w.topic, format!("image `{reference}`: {}", w.message))),
    );
    Ok((fetched, warnings))
}

/// Opens the store `image` is in: its registry (with the options and credentials of
/// `registry`) or its OCI layout. The warnings go to `warnings`, and are printed when this
/// fails.
pub(crate) fn open(
    image: &ImageRef,
    registry: &Registry,
    warnings: &mut Vec<Warning>,
    printer: Printer,
) -> Result<Opened> {
    match image {
        ImageRef::Registry(reference) => {
            let client = connect(reference, registry, warnings, printer)?;
            Ok(Opened::Registry(Box::new(client), reference.clone()))
        }
        ImageRef::Layout(layout) => Ok(Opened::Layout(
            Layout::open(&layout.dir).with_context(|| format!("image `{image}`"))?,
        )),
    }
}

/// A client for the image's registry with the options and credentials of `r`. The warnings
/// go to `warnings`, and are printed when this fails.
pub(crate) fn connect(
    reference: &Reference,
    r: &Registry,
    warnings: &mut Vec<Warning>,
    printer: Printer,
) -> Result<client::Client> {
    let result = connect_inner(reference, r, warnings, printer);
    if result.is_err() {
        printer.warn_all(warnings);
        warnings.clear();
    }
    result
}

fn connect_inner(
    reference: &Reference,
    r: &Registry,
    warnings: &mut Vec<Warning>,
    printer: Printer,
) -> Result<client::Client> {
    let trace = move |line: &str| printer.debug(line);
    let secret = registry_secret(r, reference, warnings, r.debug.then_some(&trace))?;
    if r.debug {
        trace(&match &secret {
            Some(found) => format!(
                "credentials for `{}` (API host `{}`): {}",
                reference.registry,
                reference.api_host(),
                found.origin
            ),
            None => format!(
                "no credentials for `{}` (API host `{}`): anonymous",
                reference.registry,
                reference.api_host()
            ),
        });
    }
    if r.insecure {
        warnings.push(Warning::new(
            Topic::Usage,
            format!(
                "TLS certificate verification is off for `{}` (--insecure)",
                reference.registry
            ),
        ));
    }
    let options = client::Options {
        plain_http: r.plain_http,
        insecure: r.insecure,
        ca_file: r.ca_file.clone(),
        timeout: r.timeout,
        proxies: Proxies::from_env(),
        ..client::Options::default()
    };
    // Credentials belong to the host the API is served from (`registry-1.docker.io`).
    let secrets = secret
        .into_iter()
        .map(|s| (reference.api_host().to_owned(), s))
        .collect();
    let client =
        client::Client::new(options, secrets).with_context(|| format!("image `{reference}`"))?;
    Ok(if r.debug {
        client.with_trace(Box::new(trace))
    } else {
        client
    })
}

/// The credential for the image's registry: NFD's stdin flags, else stored credentials.
fn registry_secret(
    r: &Registry,
    reference: &Reference,
    warnings: &mut Vec<Warning>,
    trace: Option<&dyn Fn(&str)>,
) -> Result<Option<Found>> {
    // Whether stdin may carry the secret was settled with the settings.
    if r.stdin_secret != StdinSecret::None {
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
        if r.stdin_secret == StdinSecret::Token {
            return Ok(Some(Found {
                secret: Secret::Token(secret),
                origin: "--registry-token-stdin".to_owned(),
            }));
        }
        return match &r.username {
            Some(username) if !username.is_empty() => Ok(Some(Found {
                secret: Secret::Basic {
                    username: username.clone(),
                    password: secret,
                },
                origin: "--registry-username and --registry-password-stdin".to_owned(),
            })),
            _ => {
                // NFD ignores a password without a username and goes on anonymously.
                warnings.push(Warning::new(
                    Topic::Usage,
                    "--registry-password-stdin without --registry-username: the password is ignored (as NFD does)",
                ));
                Ok(None)
            }
        };
    }
    if r.username.is_some() {
        warnings.push(Warning::new(
            Topic::Usage,
            "--registry-username without --registry-password-stdin is ignored",
        ));
    }
    let locations = auth::Locations::from_env(r.config.as_deref());
    let found = auth::lookup(&reference.registry, &locations)?;
    if let Some(trace) = trace {
        for line in &found.trail {
            trace(&format!("credentials: {line}"));
        }
    }
    warnings.extend(found.warnings);
    Ok(found.found)
}
