//! The origin (`scheme://host`) a client reached the emulator at, for the absolute URLs the
//! emulator hands out (`download_url`, `status_url`, `get_product_url`, `BaseUrl`).
//!
//! Behind a TLS-terminating proxy the request arrives as plain HTTP, so the scheme and host the
//! client used come from the proxy's headers: `Forwarded` (RFC 7239, its first element's
//! `proto` and `host`), else `X-Forwarded-Proto` / `X-Forwarded-Host` (first value), else
//! `http` and the `Host` header. Values that are not a plain `http`/`https` scheme or a
//! plausible host are ignored, so a header cannot inject a path into the URLs.

use axum::http::HeaderMap;

/// `scheme://host` as the client sees the emulator.
pub fn origin(headers: &HeaderMap) -> String {
    let forwarded = headers
        .get("forwarded")
        .and_then(|v| v.to_str().ok())
        .map(forwarded_pairs)
        .unwrap_or_default();
    let from_forwarded = |key: &str| {
        forwarded
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
    };
    let first = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
    };
    let scheme = from_forwarded("proto")
        .or_else(|| first("x-forwarded-proto"))
        .map(|s| s.to_ascii_lowercase())
        .filter(|s| s == "http" || s == "https")
        .unwrap_or_else(|| "http".into());
    let host = from_forwarded("host")
        .or_else(|| first("x-forwarded-host"))
        .filter(|h| plausible_host(h))
        .or_else(|| {
            headers
                .get("host")
                .and_then(|h| h.to_str().ok())
                .map(String::from)
                .filter(|h| plausible_host(h))
        })
        .unwrap_or_else(|| "127.0.0.1".into());
    format!("{scheme}://{host}")
}

/// The `key=value` pairs of the first element of a `Forwarded` header, quotes removed.
fn forwarded_pairs(header: &str) -> Vec<(String, String)> {
    let first = header.split(',').next().unwrap_or_default();
    first
        .split(';')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        })
        .collect()
}

/// A host, optionally with a port: letters, digits, `.-:[]_`, nothing else.
fn plausible_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, axum::http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn forwarded_wins_then_x_forwarded_then_host() {
        let h = headers(&[
            ("host", "10.0.0.5:8480"),
            (
                "forwarded",
                "for=1.2.3.4;proto=https;host=\"spark.example\", proto=http",
            ),
            ("x-forwarded-proto", "http"),
        ]);
        assert_eq!(origin(&h), "https://spark.example");
        let h = headers(&[("host", "a:1"), ("x-forwarded-proto", "HTTPS, http")]);
        assert_eq!(origin(&h), "https://a:1");
        let h = headers(&[("host", "a:1")]);
        assert_eq!(origin(&h), "http://a:1");
    }

    #[test]
    fn hostile_values_are_ignored() {
        let h = headers(&[
            ("host", "a:1"),
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-host", "evil.example/path"),
        ]);
        assert_eq!(origin(&h), "http://a:1");
    }
}
