//! Request bodies: their size limit and their compression. A body over the limit, as sent
//! or once inflated, is a 413 (never cut short and run); `Content-Encoding: gzip | deflate`
//! (zlib or raw) is decoded before the handlers see the body; anything else is a
//! Spark-shaped 400.

use std::io::Read;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};

use crate::error::{ApiError, Family};
use crate::limits::Limits;

/// The body limit of a request: uploads (multipart) have their own.
pub(super) fn body_limit(req: &Request, limits: &Limits) -> usize {
    if is_multipart(req) {
        limits.upload_body_bytes
    } else {
        limits.json_body_bytes
    }
}

/// Is the body multipart (uploads), by its `Content-Type`?
fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        })
}

fn too_large(family: Family, limit: usize, what: &str) -> ApiError {
    ApiError::Rejected {
        family,
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: format!("the request body {what} is larger than the limit of {limit} bytes"),
    }
}

/// Enforce `limit` on the body and decode a compressed one in place. A declared length over
/// the limit is refused before anything is read; an undeclared (chunked) or compressed body
/// is read up to the limit; multipart bodies are left to the multipart reader, which applies
/// the same limit (the router's `DefaultBodyLimit`) as it streams.
pub(super) async fn limit_and_decode(
    req: Request,
    family: Family,
    limit: usize,
) -> Result<Request, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(family, limit, "as sent"));
    }
    let encoding = req
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("").trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity");
    if encoding.is_none() && (declared.is_some() || is_multipart(&req)) {
        // hyper delivers exactly the declared length; multipart streams under its limit.
        return Ok(req);
    }
    let (mut parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if is_length_limit(&e) {
            too_large(family, limit, "as sent")
        } else if crate::body_timeout::is_body_timeout(&e) {
            ApiError::Rejected {
                family,
                status: StatusCode::REQUEST_TIMEOUT,
                message: e.to_string(),
            }
        } else {
            ApiError::bad_request(family, format!("cannot read request body: {e}"))
        }
    })?;
    let Some(encoding) = encoding else {
        return Ok(Request::from_parts(parts, Body::from(bytes)));
    };
    let decoded = match inflate(&bytes, &encoding, limit) {
        Ok(Inflated::Whole(decoded)) => decoded,
        Ok(Inflated::OverLimit) => return Err(too_large(family, limit, "once decompressed")),
        Err(reason) => {
            return Err(ApiError::bad_request(
                family,
                format!("cannot decode {encoding} body: {reason}"),
            ));
        }
    };
    parts.headers.remove(header::CONTENT_ENCODING);
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Request::from_parts(parts, Body::from(decoded)))
}

/// Is this body error the length limit of `to_bytes`?
fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.to_string().contains("length limit exceeded") {
            return true;
        }
        source = err.source();
    }
    false
}

enum Inflated {
    Whole(Vec<u8>),
    OverLimit,
}

fn inflate(bytes: &[u8], encoding: &str, limit: usize) -> Result<Inflated, String> {
    // One byte past the limit tells a body of exactly `limit` bytes from a longer one.
    let cap = limit as u64 + 1;
    let mut out = Vec::new();
    let read = |r: &mut dyn Read, out: &mut Vec<u8>| {
        r.take(cap).read_to_end(out).map_err(|e| e.to_string())
    };
    match encoding {
        "gzip" | "x-gzip" => read(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out)?,
        "deflate" => {
            if read(&mut flate2::read::ZlibDecoder::new(bytes), &mut out).is_err() {
                out.clear();
                read(&mut flate2::read::DeflateDecoder::new(bytes), &mut out)?;
            }
            out.len()
        }
        other => return Err(format!("unsupported content-encoding {other:?}")),
    };
    if out.len() > limit {
        return Ok(Inflated::OverLimit);
    }
    Ok(Inflated::Whole(out))
}

/// Bodies smaller than this are sent uncompressed even when the client accepts gzip.
const COMPRESS_MIN: usize = 1024;

/// gzip a JSON response when the request accepted it (`Accept-Encoding: gzip`) and the body
/// is worth it; other responses pass through untouched.
pub(super) async fn compress_response(
    res: axum::response::Response,
    accepts_gzip: bool,
) -> axum::response::Response {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    let small = res
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n < COMPRESS_MIN);
    if !accepts_gzip || !is_json || small || res.headers().contains_key(header::CONTENT_ENCODING) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return axum::response::Response::from_parts(parts, Body::empty());
    };
    if bytes.len() < COMPRESS_MIN {
        return axum::response::Response::from_parts(parts, Body::from(bytes));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let compressed = std::io::Write::write_all(&mut gz, &bytes).and_then(|_| gz.finish());
    match compressed {
        Ok(out) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(
                header::CONTENT_ENCODING,
                axum::http::HeaderValue::from_static("gzip"),
            );
            parts.headers.insert(
                header::VARY,
                axum::http::HeaderValue::from_static("accept-encoding"),
            );
            axum::response::Response::from_parts(parts, Body::from(out))
        }
        Err(_) => axum::response::Response::from_parts(parts, Body::from(bytes)),
    }
}

/// Does the request accept gzip?
pub(super) fn accepts_gzip(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|enc| {
            let mut parts = enc.trim().split(';');
            let name = parts.next().unwrap_or("").trim();
            let q_zero = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !q_zero
        })
}
