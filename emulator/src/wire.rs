//! Spark wire formats shared by the routes: envelopes, timestamps, small parsers.
//!
//! Field names and casing follow the real platform samples (snake_case v3 envelope,
//! camelCase v1 "product" envelope, flat v4 documents); see `spark-platform.md` §1.5.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// `2024-11-20T23:19:50.191Z`: millisecond precision and `Z`, as v3 meta and batches use.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The current time in [`timestamp`] format.
pub fn now_ts() -> String {
    timestamp(Utc::now())
}

/// `1970-12-03 04:56:56`: the schema's `bookUploadDate` style (space, no zone).
pub fn plain_datetime(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A fresh random (version 4) UUID for a `call_id`. Drawn from the thread-local generator:
/// `Uuid::new_v4` asks the kernel (`getrandom`) on every call, which showed in the execute
/// path's profile. Same 122 random bits, so ids stay unique as before.
pub fn call_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

/// A JSON response with status 200 and `application/json`.
pub fn ok(body: Value) -> Response {
    json_response(StatusCode::OK, body)
}

/// A JSON response with the given status.
pub fn json_response(status: StatusCode, body: Value) -> Response {
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut res = (status, bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    res
}

/// v3 success envelope: `{"status":"Success","response_data":…,"response_meta":…,"error":null}`.
/// Built by moving the values in (`json!` would deep-copy them through the serializer).
pub fn v3_success(response_data: Value, response_meta: Value) -> Value {
    let mut m = Map::new();
    m.insert("status".into(), Value::String("Success".into()));
    m.insert("response_data".into(), response_data);
    m.insert("response_meta".into(), response_meta);
    m.insert("error".into(), Value::Null);
    Value::Object(m)
}

/// Serialize a JSON body once, so the same bytes can be sent and kept in the history.
pub fn to_bytes(body: &impl serde::Serialize) -> bytes::Bytes {
    bytes::Bytes::from(serde_json::to_vec(body).unwrap_or_default())
}

/// A 200 response with an already serialized JSON body.
pub fn ok_bytes(body: bytes::Bytes) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    res
}

/// A file answer (workbook, zip): 200 with the bytes, their content type and length, and
/// `Content-Disposition: attachment` naming `file_name`.
pub fn attachment(
    body: impl Into<bytes::Bytes>,
    content_type: &'static str,
    file_name: &str,
) -> Response {
    let body: bytes::Bytes = body.into();
    let len = body.len();
    let mut res = (StatusCode::OK, body).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    set_attachment_name(headers, file_name);
    res
}

/// Marks an answer as a download named `file_name`. Quotes are dropped so the header stays
/// well formed; a name that is still not a valid header value leaves the header out.
pub fn set_attachment_name(headers: &mut axum::http::HeaderMap, file_name: &str) {
    let value = format!("attachment; filename=\"{}\"", file_name.replace('"', ""));
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
}

/// Minimal v3 `response_meta` of non-execute calls: `{system, request_timestamp}`.
pub fn short_meta() -> Value {
    json!({"system": "SPARK", "request_timestamp": now_ts()})
}

/// v1 "product" envelope: `{"status":"Success","message":null,"errorCode":null,"data":…}`.
pub fn v1_success(data: Value) -> Value {
    json!({"status": "Success", "message": null, "errorCode": null, "data": data})
}

/// Read a JSON value that may be a string (comma list) or an array of strings.
pub fn string_list(value: Option<&Value>) -> Option<Vec<String>> {
    let list: Vec<String> = match value? {
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => return None,
    };
    if list.is_empty() { None } else { Some(list) }
}

/// A string field of a JSON object, if present and a string.
pub fn str_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// Parse an ISO 8601 instant or date (`2024-01-01`, `2024-01-01T00:00:00Z`,
/// `2023-10-31T01:30:00.000-05:00`, `2024-01-01T00:00:00.000000` without zone = UTC).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Convert a columnar table (`[["h1","h2"],[1,2],…]`) into row objects; other values unchanged.
pub fn rows_from_columnar(value: Value) -> Value {
    match value {
        Value::Array(rows) if is_columnar(&rows) => {
            let mut iter = rows.into_iter();
            let headers: Vec<String> = match iter.next() {
                Some(Value::Array(h)) => h
                    .into_iter()
                    .map(|v| match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Value::Array(
                iter.map(|row| {
                    let cells = match row {
                        Value::Array(cells) => cells,
                        other => vec![other],
                    };
                    let obj: Map<String, Value> = headers
                        .iter()
                        .cloned()
                        .zip(cells.into_iter().map(rows_from_columnar))
                        .collect();
                    Value::Object(obj)
                })
                .collect(),
            )
        }
        other => other,
    }
}

/// True when `rows` is a header row of strings followed by arrays.
pub fn is_columnar(rows: &[Value]) -> bool {
    match rows.first() {
        Some(Value::Array(headers)) => {
            !headers.is_empty()
                && headers.iter().all(Value::is_string)
                && rows[1..].iter().all(Value::is_array)
        }
        _ => false,
    }
}

/// Convert row objects into a columnar table with the given headers (`array_outputs`).
pub fn columnar_from_rows(rows: &[Value], headers: &[String]) -> Value {
    let mut out = Vec::with_capacity(rows.len() + 1);
    out.push(Value::Array(
        headers.iter().cloned().map(Value::String).collect(),
    ));
    for row in rows {
        let cells = headers
            .iter()
            .map(|h| row.get(h).cloned().unwrap_or(Value::Null))
            .collect();
        out.push(Value::Array(cells));
    }
    Value::Array(out)
}
