//! Which server connections Tessera trusts: one rule for every place the phone sends a
//! credential to a server (push enrollment, container registration).
//!
//! A plain `http://` URL, or TLS without certificate checks (`sslverify=0`), lets anyone on
//! the path read the enrollment credential and answer in the server's name — for push, with
//! its own server key, so that its forged requests verify ever after. Both are refused with a
//! specific [`InsecureTransport`] error unless the caller opts in explicitly
//! ([`TransportPolicy::AllowInsecure`]: a CLI flag that prints a warning, an FFI parameter).
//! Loopback hosts (`127.0.0.0/8`, `::1`, `localhost`) count as secure without opting in, as
//! browsers treat them: the traffic never leaves the machine, so local servers and tests work.
//!
//! The URL is read strictly (scheme, then an authority of `[userinfo@]host[:port]` with a
//! numeric port): anything a URL parser might read differently (whitespace, backslashes,
//! control characters) is refused, and a host spelled any other way than the literal forms
//! (`0x7f.1`, `%31…`, `localhost.`) is not loopback, so mistakes fall on the safe side.
//!
//! [`redact_url`] takes `user:password@` out of a URL before it goes into a message.

use std::net::IpAddr;

/// Whether a caller accepts an untrusted transport. The default is [`TransportPolicy::Secure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransportPolicy {
    /// Refuse plain `http://` and unverified TLS to any host but a loopback one.
    #[default]
    Secure,
    /// The user accepted the risk explicitly (e.g. `--insecure`): allow both, and report
    /// what was allowed so the caller can warn.
    AllowInsecure,
}

/// What makes a connection untrusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// `http://`: everything, the credential included, travels in clear text.
    PlainHttp,
    /// `https://` without certificate checks (`sslverify=0`): anyone on the path can pose as
    /// the server.
    UnverifiedTls,
}

impl Weakness {
    /// A sentence for the user: what the weakness exposes.
    pub fn explain(self) -> &'static str {
        match self {
            Weakness::PlainHttp => {
                "plain http:// sends the enrollment credential and the server's answer unencrypted"
            }
            Weakness::UnverifiedTls => {
                "sslverify=0 turns off the server certificate check, so anyone on the network path can pose as the server"
            }
        }
    }
}

/// A server URL refused under [`TransportPolicy::Secure`], or one that is not an http(s) URL
/// at all. The URL in the message has no `user:password@`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsecureTransport {
    /// The URL is not an absolute `http://` or `https://` URL with a host.
    #[error("the server URL {url} is not an http:// or https:// URL with a host")]
    NotHttp {
        /// The URL, without credentials.
        url: String,
    },
    /// Refused: the connection would be untrusted.
    #[error(
        "refusing the server {url}: {explanation}; use an https:// server with a valid certificate, \
         or accept the risk explicitly",
        explanation = .weakness.explain()
    )]
    Refused {
        /// The URL, without credentials.
        url: String,
        /// What is wrong with it.
        weakness: Weakness,
    },
}

/// Checks a server URL and its certificate-check flag against `policy`. Returns the
/// weaknesses that were accepted (empty for a secure or loopback URL; non-empty only under
/// [`TransportPolicy::AllowInsecure`], for the caller to warn about), or the refusal.
pub fn check_url(
    url: &str,
    verify_tls: bool,
    policy: TransportPolicy,
) -> Result<Vec<Weakness>, InsecureTransport> {
    let not_http = || InsecureTransport::NotHttp {
        url: redact_url(url),
    };
    // Whitespace, controls and backslashes are where URL parsers disagree: a platform HTTP
    // stack might read another host than the one checked here.
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(not_http());
    }
    let (scheme, rest) = url.split_once("://").ok_or_else(not_http)?;
    let secure_scheme = match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => false,
        _ => return Err(not_http()),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host_of_authority(authority).ok_or_else(not_http)?;
    if is_loopback(host) {
        return Ok(Vec::new());
    }
    let mut weaknesses = Vec::new();
    if !secure_scheme {
        weaknesses.push(Weakness::PlainHttp);
    } else if !verify_tls {
        weaknesses.push(Weakness::UnverifiedTls);
    }
    match (weaknesses.first(), policy) {
        (Some(&weakness), TransportPolicy::Secure) => Err(InsecureTransport::Refused {
            url: redact_url(url),
            weakness,
        }),
        _ => Ok(weaknesses),
    }
}

/// The host of `[userinfo@]host[:port]` (IPv6 with its brackets), or `None` when the
/// authority is malformed: empty host, a port that is not a number, stray brackets.
fn host_of_authority(authority: &str) -> Option<&str> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if host_port.starts_with('[') {
        let end = host_port.find(']')?;
        let (host, after) = host_port.split_at(end + 1);
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = !host.is_empty() && (host.starts_with('[') || !host.contains(['[', ']', '@']));
    (port_ok && host_ok).then_some(host)
}

/// True for `localhost` and for literal loopback addresses (`127.0.0.0/8`, `::1`, and
/// `::ffff:127.x.y.z`), as they appear in a URL's host (IPv6 in brackets).
pub fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match literal.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// `url` without the `user:password@` part of its authority, for messages and logs.
/// Leaves any other text as it is (a URL that does not parse is still cut at its `@`).
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => format!("{scheme}{}{path}", &authority[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECURE: TransportPolicy = TransportPolicy::Secure;
    const INSECURE: TransportPolicy = TransportPolicy::AllowInsecure;

    #[test]
    fn https_with_certificate_checks_is_accepted() {
        for url in [
            "https://pi.example/ttype/push",
            "HTTPS://pi.example:8443/ttype/push?x=1",
            "https://[2001:db8::1]/ttype/push",
        ] {
            assert_eq!(check_url(url, true, SECURE), Ok(vec![]), "{url}");
        }
    }

    #[test]
    fn plain_http_and_unverified_tls_are_refused_unless_allowed() {
        let cases = [
            ("http://pi.example/ttype/push", true, Weakness::PlainHttp),
            ("http://pi.example/ttype/push", false, Weakness::PlainHttp),
            (
                "https://pi.example/ttype/push",
                false,
                Weakness::UnverifiedTls,
            ),
            ("http://10.0.0.5:5000/", true, Weakness::PlainHttp),
            ("http://[2001:db8::1]/", true, Weakness::PlainHttp),
        ];
        for (url, verify, weakness) in cases {
            let refused = check_url(url, verify, SECURE).unwrap_err();
            assert_eq!(
                refused,
                InsecureTransport::Refused {
                    url: url.into(),
                    weakness
                },
                "{url}"
            );
            assert!(
                refused.to_string().contains("accept the risk explicitly")
                    && !refused.to_string().contains("tessera "),
                "{refused}"
            );
            assert_eq!(
                check_url(url, verify, INSECURE),
                Ok(vec![weakness]),
                "{url}"
            );
        }
    }

    #[test]
    fn loopback_counts_as_secure() {
        for url in [
            "http://127.0.0.1:5000/ttype/push",
            "http://127.8.9.10/",
            "http://localhost:5000/",
            "http://LOCALHOST/",
            "http://[::1]:5000/ttype/push",
            "http://[::ffff:127.0.0.1]/",
            "https://127.0.0.1/",
        ] {
            assert_eq!(check_url(url, true, SECURE), Ok(vec![]), "{url}");
            assert_eq!(
                check_url(url, false, SECURE),
                Ok(vec![]),
                "{url} sslverify=0"
            );
        }
    }

    #[test]
    fn hosts_that_only_look_like_loopback_are_not() {
        for url in [
            "http://127.0.0.1.evil.example/",
            "http://localhost.evil.example/",
            "http://localhost./",
            "http://0x7f.0.0.1/",
            "http://2130706433/",
            "http://%31%32%37.0.0.1/",
            "http://[::2]/",
            "http://128.0.0.1/",
            "http://127.0.0.1@evil.example/",
        ] {
            assert!(
                matches!(
                    check_url(url, true, SECURE),
                    Err(InsecureTransport::Refused { .. } | InsecureTransport::NotHttp { .. })
                ),
                "{url} passed as loopback"
            );
        }
    }

    #[test]
    fn what_is_not_an_http_url_is_refused_even_when_insecure_is_allowed() {
        for url in [
            "",
            "pi.example/ttype/push",
            "ftp://pi.example/",
            "file:///etc/passwd",
            "https://",
            "https:///path",
            "http://127.0.0.1\\@evil.example/",
            "http://127.0.0.1 @evil.example/",
            "https://pi.example/\npath",
        ] {
            assert!(
                matches!(
                    check_url(url, true, INSECURE),
                    Err(InsecureTransport::NotHttp { .. })
                ),
                "{url:?}"
            );
        }
    }

    #[test]
    fn messages_never_carry_user_and_password() {
        let url = "http://alice:s3cr3t@pi.example:5000/ttype/push?x=1";
        assert_eq!(redact_url(url), "http://pi.example:5000/ttype/push?x=1");
        let refused = check_url(url, true, SECURE).unwrap_err().to_string();
        assert!(
            !refused.contains("s3cr3t") && !refused.contains("alice"),
            "{refused}"
        );
        let bad = check_url("gopher://bob:pw@x/", true, SECURE)
            .unwrap_err()
            .to_string();
        assert!(!bad.contains("pw@"), "{bad}");
        assert_eq!(redact_url("https://a@b@host/p@q"), "https://host/p@q");
        assert_eq!(redact_url("https://host/p@q"), "https://host/p@q");
        assert_eq!(redact_url("user:pw@host"), "host");
    }
}
