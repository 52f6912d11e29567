//! HTTP for push: a [`Transport`] trait so a shell may bring its own HTTP stack, and
//! `UreqTransport`, the Rust default (rustls with ring; certificates verified unless the
//! token says `sslverify=0`; connect and overall timeouts) when the `http` feature is on. The
//! mobile library leaves it out: a phone's own stack honours the device's trust store, and
//! rustls would add about half a megabyte.
//!
//! Requests carry signatures and enrollment credentials: neither [`HttpRequest`]'s `Debug`
//! nor any [`TransportError`] shows a query or form value.

use std::time::Duration;

/// HTTP method of a push request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Poll.
    Get,
    /// Enrollment and answers (form-encoded body).
    Post,
}

/// One request to the privacyIDEA server.
#[derive(Clone)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: Method,
    /// URL without the query.
    pub url: String,
    /// Query parameters (GET).
    pub query: Vec<(String, String)>,
    /// Form fields, sent `application/x-www-form-urlencoded` (POST).
    pub form: Vec<(String, String)>,
    /// Verify the server's TLS certificate (false only when the token says `sslverify=0`).
    pub verify_tls: bool,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names =
            |fields: &[(String, String)]| fields.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("query", &names(&self.query))
            .field("form", &names(&self.form))
            .field("verify_tls", &self.verify_tls)
            .finish()
    }
}

/// The server's response: status, body and `Date` header. `Debug` shows the body's size, not
/// its content.
#[derive(Clone)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response body (privacyIDEA answers JSON).
    pub body: Vec<u8>,
    /// The `Date` header as sent, if any: the server's clock (see [`crate::clock`]).
    pub date: Option<String>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("date", &self.date)
            .finish()
    }
}

/// The request did not get a response. The message names no query or form value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("network failure: {message}")]
pub struct TransportError {
    /// What went wrong, for the user (e.g. "could not connect to 127.0.0.1:5001").
    pub message: String,
}

/// Sends HTTP requests for push. Implemented by [`UreqTransport`] and by shells that bring
/// their own HTTP stack. Must be usable from any thread.
pub trait Transport: Send + Sync {
    /// Sends `request` and returns the response whatever its status, or a [`TransportError`]
    /// when no response arrived.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}

#[cfg(feature = "http")]
/// Tessera's default HTTP transport (ureq + rustls).
pub struct UreqTransport {
    verifying: ureq::Agent,
    // only used for tokens whose server asked for sslverify=0 (typically a test server)
    trusting: ureq::Agent,
}

#[cfg(feature = "http")]
impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UreqTransport")
    }
}

/// Time allowed to establish a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a whole request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[cfg(feature = "http")]
impl Default for UreqTransport {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "http")]
impl UreqTransport {
    /// A transport with Tessera's timeouts.
    pub fn new() -> Self {
        let agent = |verify: bool| {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_connect(Some(CONNECT_TIMEOUT))
                .timeout_global(Some(REQUEST_TIMEOUT))
                .max_redirects(0)
                .tls_config(
                    ureq::tls::TlsConfig::builder()
                        .disable_verification(!verify)
                        .build(),
                )
                .build()
                .new_agent()
        };
        UreqTransport {
            verifying: agent(true),
            trusting: agent(false),
        }
    }
}

#[cfg(feature = "http")]
fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[cfg(feature = "http")]
/// The URL's host and port for messages: no `user:password@`, no path or query.
fn host_of(url: &str) -> String {
    let url = crate::net::redact_url(url);
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("").to_owned()
}

#[cfg(feature = "http")]
impl Transport for UreqTransport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let agent = if request.verify_tls {
            &self.verifying
        } else {
            &self.trusting
        };
        let host = host_of(&request.url);
        let fail = |what: &str| TransportError {
            message: format!("{what} ({host})"),
        };
        let result = match request.method {
            Method::Get => agent
                .get(&request.url)
                .query_pairs(pairs(&request.query))
                .call(),
            Method::Post => agent
                .post(&request.url)
                .query_pairs(pairs(&request.query))
                .send_form(pairs(&request.form)),
        };
        let mut response = result.map_err(|e| match e {
            ureq::Error::Timeout(_) => fail("the server did not answer in time"),
            ureq::Error::HostNotFound => fail("unknown host"),
            ureq::Error::ConnectionFailed => fail("could not connect"),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                fail("connection refused")
            }
            ureq::Error::Io(_) => fail("connection lost"),
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
                fail("TLS failure (certificate not trusted?)")
            }
            ureq::Error::BadUri(_) => fail("invalid URL"),
            _ => fail("HTTP failure"),
        })?;
        let status = response.status().as_u16();
        let date = response
            .headers()
            .get("date")
            .and_then(|d| d.to_str().ok())
            .map(str::to_owned);
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .map_err(|_| fail("could not read the response"))?;
        Ok(HttpResponse { status, body, date })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_a_request_names_fields_but_not_their_values() {
        let request = HttpRequest {
            method: Method::Get,
            url: "https://pi.example/ttype/push".into(),
            query: vec![("signature".into(), "SECRETSIG".into())],
            form: vec![("enrollment_credential".into(), "CRED".into())],
            verify_tls: true,
        };
        let text = format!("{request:?}");
        assert!(
            text.contains("signature") && !text.contains("SECRETSIG") && !text.contains("CRED")
        );
    }

    #[cfg(feature = "http")]
    #[test]
    fn connection_refused_is_a_clear_error_without_the_query() {
        // bind then drop a listener: the port is closed, the refusal is real
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let request = HttpRequest {
            method: Method::Get,
            url: format!("http://127.0.0.1:{port}/ttype/push"),
            query: vec![("signature".into(), "SECRETSIG".into())],
            form: vec![],
            verify_tls: true,
        };
        let err = UreqTransport::new().send(&request).unwrap_err();
        assert!(err.to_string().starts_with("network failure: "), "{err}");
        assert!(
            err.to_string().contains(&format!("127.0.0.1:{port}")),
            "{err}"
        );
        assert!(!err.to_string().contains("SECRETSIG"));
    }
}
