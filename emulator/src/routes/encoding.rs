//! Compressed request bodies: `Content-Encoding: gzip | deflate` (zlib or raw) is decoded
//! before the handlers see the body; anything else is a Spark-shaped 400.

use std::io::Read;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;

use crate::error::{ApiError, Family};

/// Decode a compressed body in place; uncompressed requests pass through untouched.
pub(super) async fn decode_body(
    req: Request,
    family: Family,
    limit: usize,
) -> Result<Request, ApiError> {
    let encoding = match req.headers().get(header::CONTENT_ENCODING) {
        None => return Ok(req),
        Some(v) => v.to_str().unwrap_or("").trim().to_ascii_lowercase(),
    };
    if encoding.is_empty() || encoding == "identity" {
        return Ok(req);
    }
    let (mut parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|e| ApiError::bad_request(family, format!("cannot read request body: {e}")))?;
    let decoded = inflate(&bytes, &encoding, limit).map_err(|reason| {
        ApiError::bad_request(family, format!("cannot decode {encoding} body: {reason}"))
    })?;
    parts.headers.remove(header::CONTENT_ENCODING);
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Request::from_parts(parts, Body::from(decoded)))
}

fn inflate(bytes: &[u8], encoding: &str, limit: usize) -> Result<Vec<u8>, String> {
    let limit = limit as u64;
    let mut out = Vec::new();
    let read = |r: &mut dyn Read, out: &mut Vec<u8>| {
        r.take(limit).read_to_end(out).map_err(|e| e.to_string())
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
    Ok(out)
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
