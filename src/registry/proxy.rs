//! Which proxy a request goes through, chosen as Go's `net/http` does (what NFD, oras, crane
//! and skopeo users have configured): `HTTPS_PROXY` for `https://` URLs, `HTTP_PROXY` for
//! `http://` ones (upper case first, then lower case), minus the hosts `NO_PROXY` excludes.
//!
//! `NO_PROXY` is a comma list, entries trimmed: `*` (no proxy at all); a domain
//! (`example.com` matches it and its subdomains, `.example.com` its subdomains only, `*.`
//! is read as `.`); an IP address or a CIDR range (`10.0.0.0/8`); a domain or IP may carry a
//! port (`example.com:5000`) and then matches that port only. `localhost` and loopback
//! addresses are never proxied. The choice is pure: the environment is read once into
//! [`Proxies`].

use std::net::IpAddr;

/// The proxy settings of the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Proxies {
    https: Option<Setting>,
    http: Option<Setting>,
    no_proxy: Vec<Exclusion>,
}

/// One proxy variable.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setting {
    /// The variable it came from (`HTTPS_PROXY`, `https_proxy`, ...).
    var: &'static str,
    /// The proxy URL, with `http://` added when no scheme was given.
    url: String,
}

/// The proxy one request goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chosen {
    /// The proxy URL (it may hold credentials: show it with [`Chosen::display`]).
    pub url: String,
    /// The variable it came from.
    pub var: &'static str,
}

impl Chosen {
    /// `host:port` of the proxy and the variable, never its credentials.
    pub(crate) fn display(&self) -> String {
        format!("`{}` (from {})", redact_userinfo(&self.url), self.var)
    }
}

/// One `NO_PROXY` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Exclusion {
    /// `*`.
    All,
    /// A domain: `suffix` starts with `.`; `exact` also matches the name without the dot.
    Domain {
        suffix: String,
        exact: bool,
        port: Option<u16>,
    },
    /// An IP address.
    Ip { ip: IpAddr, port: Option<u16> },
    /// A CIDR range.
    Range { network: IpAddr, bits: u8 },
}

impl Proxies {
    /// Reads the proxy variables through `get` (the process environment in production).
    pub(crate) fn from_vars(get: impl Fn(&str) -> Option<String>) -> Proxies {
        let first = |names: [&'static str; 2]| {
            names.into_iter().find_map(|n| {
                get(n)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .map(|v| (n, v))
            })
        };
        let setting = |names| {
            first(names).map(|(var, url)| Setting {
                var,
                url: if url.contains("://") {
                    url
                } else {
                    format!("http://{url}")
                },
            })
        };
        let no_proxy = first(["NO_PROXY", "no_proxy"])
            .map(|(_, list)| list.split(',').filter_map(parse_entry).collect())
            .unwrap_or_default();
        Proxies {
            https: setting(["HTTPS_PROXY", "https_proxy"]),
            http: setting(["HTTP_PROXY", "http_proxy"]),
            no_proxy,
        }
    }

    /// Reads the process environment.
    pub(crate) fn from_env() -> Proxies {
        Proxies::from_vars(|k| std::env::var(k).ok())
    }

    /// The proxy for a request to `scheme://host[:port]`, or `None` to go direct.
    pub(crate) fn choose(&self, scheme: &str, authority: &str) -> Option<Chosen> {
        let setting = match scheme {
            "https" => self.https.as_ref()?,
            _ => self.http.as_ref()?,
        };
        let default_port = if scheme == "https" { 443 } else { 80 };
        let (host, port) = split_authority(authority, default_port);
        if self.excluded(&host, port) {
            return None;
        }
        Some(Chosen {
            url: setting.url.clone(),
            var: setting.var,
        })
    }

    fn excluded(&self, host: &str, port: u16) -> bool {
        let ip = host.parse::<IpAddr>().ok();
        if host == "localhost" || ip.is_some_and(|ip| ip.is_loopback()) {
            return true;
        }
        self.no_proxy.iter().any(|e| match e {
            Exclusion::All => true,
            Exclusion::Domain {
                suffix,
                exact,
                port: p,
            } => {
                (host.ends_with(suffix.as_str()) || (*exact && host == &suffix[1..]))
                    && p.is_none_or(|p| p == port)
            }
            Exclusion::Ip { ip: want, port: p } => ip == Some(*want) && p.is_none_or(|p| p == port),
            Exclusion::Range { network, bits } => {
                ip.is_some_and(|ip| in_range(ip, *network, *bits))
            }
        })
    }
}

/// `host` (lower case, IPv6 without brackets) and port of an authority.
fn split_authority(authority: &str, default_port: u16) -> (String, u16) {
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => (rest, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = port.and_then(|p| p.parse().ok()).unwrap_or(default_port);
    (host.trim_end_matches('.').to_ascii_lowercase(), port)
}

fn parse_entry(entry: &str) -> Option<Exclusion> {
    let entry = entry.trim().to_ascii_lowercase();
    if entry.is_empty() {
        return None;
    }
    if entry == "*" {
        return Some(Exclusion::All);
    }
    if let Some((network, bits)) = entry.split_once('/') {
        let network: IpAddr = network.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let bits: u8 = bits.parse().ok().filter(|b| *b <= max)?;
        return Some(Exclusion::Range { network, bits });
    }
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(Exclusion::Ip { ip, port: None });
    }
    // `host:port`, `[v6]:port`, `[v6]`.
    let (host, port) = if let Some(rest) = entry.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host.to_owned(), after.strip_prefix(':'))
    } else {
        match entry.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (entry.clone(), None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(Exclusion::Ip { ip, port });
    }
    let host = host.strip_prefix('*').unwrap_or(&host);
    let host = host.trim_end_matches('.');
    if host.is_empty() || host == "." {
        return None;
    }
    Some(match host.strip_prefix('.') {
        Some(_) => Exclusion::Domain {
            suffix: host.to_owned(),
            exact: false,
            port,
        },
        None => Exclusion::Domain {
            suffix: format!(".{host}"),
            exact: true,
            port,
        },
    })
}

fn in_range(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    let (ip, network, width) = match (ip, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            (u128::from(u32::from(a)), u128::from(u32::from(n)), 32u32)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return false,
    };
    let shift = width - u32::from(bits);
    shift >= width || (ip >> shift) == (network >> shift)
}

/// A URL with any `user:password@` replaced by `***@`.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    if scheme.is_empty() {
        format!("{authority}{path}")
    } else {
        format!("{scheme}://{authority}{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(vars: &[(&str, &str)]) -> Proxies {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Proxies::from_vars(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    fn via(p: &Proxies, scheme: &str, authority: &str) -> Option<String> {
        p.choose(scheme, authority).map(|c| c.url)
    }

    #[test]
    fn picks_the_variable_of_the_scheme_upper_case_first() {
        let p = proxies(&[
            ("HTTPS_PROXY", "proxy.corp:3128"),
            ("https_proxy", "http://lower:1"),
            ("http_proxy", "http://plain:8080"),
        ]);
        assert_eq!(
            via(&p, "https", "ghcr.io").as_deref(),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(p.choose("https", "ghcr.io").unwrap().var, "HTTPS_PROXY");
        assert_eq!(
            via(&p, "http", "registry.lan:5000").as_deref(),
            Some("http://plain:8080")
        );
        assert_eq!(via(&proxies(&[]), "https", "ghcr.io"), None);
        assert_eq!(
            via(&proxies(&[("HTTPS_PROXY", " ")]), "https", "ghcr.io"),
            None
        );
    }

    #[test]
    fn no_proxy_follows_go() {
        let p = proxies(&[
            ("HTTPS_PROXY", "http://p:3128"),
            ("HTTP_PROXY", "http://p:3128"),
            (
                "no_proxy",
                " example.com, .sub.org ,*.star.net, internal:5000, 10.0.0.0/8, 192.168.1.7, [fd00::1]:443, fd12::/16",
            ),
        ]);
        let direct = [
            "example.com",
            "EXAMPLE.com:443",
            "a.b.example.com",
            "x.sub.org",
            "y.star.net",
            "internal:5000",
            "10.1.2.3:5000",
            "192.168.1.7",
            "[fd00::1]",
            "[fd12:3::9]:5000",
            "localhost:5000",
            "127.0.0.1:5000",
            "127.9.9.9",
            "[::1]:5000",
        ];
        for host in direct {
            assert_eq!(via(&p, "https", host), None, "{host} should go direct");
        }
        let proxied = [
            "notexample.com",
            "sub.org",
            "star.net",
            "internal",
            "internal:5001",
            "11.0.0.1",
            "192.168.1.8",
            "[fd00::1]:5000",
            "localhost.example.org",
        ];
        for host in proxied {
            assert!(via(&p, "https", host).is_some(), "{host} should be proxied");
        }
        let all = proxies(&[("HTTPS_PROXY", "p:1"), ("NO_PROXY", "*")]);
        assert_eq!(via(&all, "https", "ghcr.io"), None);
        // Upper case wins over lower case.
        let both = proxies(&[
            ("HTTPS_PROXY", "p:1"),
            ("NO_PROXY", "a.io"),
            ("no_proxy", "b.io"),
        ]);
        assert_eq!(via(&both, "https", "a.io"), None);
        assert!(via(&both, "https", "b.io").is_some());
    }

    #[test]
    fn credentials_in_a_proxy_url_are_never_shown() {
        let c = Chosen {
            url: "http://user:s3cret@proxy:3128".into(),
            var: "HTTPS_PROXY",
        };
        assert_eq!(c.display(), "`http://***@proxy:3128` (from HTTPS_PROXY)");
        assert_eq!(
            redact_userinfo("https://u:p@h/v2/?q=a@b"),
            "https://***@h/v2/?q=a@b"
        );
    }
}
