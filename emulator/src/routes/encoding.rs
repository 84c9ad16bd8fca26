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
