//! Errors as Spark sends them. Every handler returns `Result<Response, ApiError>`; the
//! error owns its HTTP mapping and never leaks internal detail (that goes to `tracing`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::wire::json_response;

/// Which envelope family an error is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// v3 envelope `{"status":"Error","response_data":null,"response_meta":null,"error":{…}}`;
    /// also used for the v1 "product" paths.
    V3,
    /// v4 flat `{"type","code","message"}` (401: `{"errorCode","status"}`).
    V4,
}

impl Family {
    /// The family of a request path: v4 paths get v4 bodies, everything else v3.
    pub fn of_path(path: &str) -> Family {
        // Paths are normalised (fixed segments lower-cased) before this is called.
        if path.contains("/api/v4/") {
            Family::V4
        } else {
            Family::V3
        }
    }
}

/// An error response in one of Spark's shapes.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// 401: missing, unknown or expired credentials.
    Unauthorized(Family),
    /// 403: authenticated but not allowed (e.g. an API key on a bearer-only path).
    Forbidden(Family),
    /// 404: unknown folder, service, version, batch or call id.
    NotFound {
        /// Envelope family.
        family: Family,
        /// v4 `code` / v3 message literal, e.g. `SERVICE_NOT_FOUND`.
        code: &'static str,
        /// Human-readable message (v4 only; v3 carries the code as its message).
        message: String,
    },
    /// 400: malformed body, bad parameter or tenant mismatch.
    BadRequest {
        /// Envelope family.
        family: Family,
        /// Machine code, e.g. `TENANT_MISMATCH`, `INVALID_REQUEST`.
        code: &'static str,
        /// Human-readable message.
        message: String,
    },
    /// A request rejected before a handler ran (bad path encoding, wrong method, oversized or
    /// non-multipart body): the status is kept, the body becomes Spark-shaped.
    Rejected {
        /// Envelope family.
        family: Family,
        /// The HTTP status chosen by the extractor / router.
        status: StatusCode,
        /// What was wrong.
        message: String,
    },
    /// Any status with an explicit code (e.g. 500 `INVALID_JOB_ID` of the ImpEx API).
    Coded {
        /// Envelope family.
        family: Family,
        /// HTTP status.
        status: StatusCode,
        /// Machine code.
        code: &'static str,
        /// Human-readable message.
        message: String,
    },
    /// A status chosen by the fault plan (429, 5xx), with optional retry-after seconds.
    Injected {
        /// Envelope family.
        family: Family,
        /// The HTTP status.
        status: StatusCode,
        /// Seconds for `Retry-After` / `x-retry-after` (429 only).
        retry_after: Option<f64>,
    },
}

impl ApiError {
    /// 404 `SERVICE_NOT_FOUND`.
    pub fn service_not_found(family: Family) -> ApiError {
        ApiError::NotFound {
            family,
            code: "SERVICE_NOT_FOUND",
            message: "service could not be found".into(),
        }
    }

    /// 404 `VERSION_NOT_FOUND`.
    pub fn version_not_found(family: Family, detail: impl Into<String>) -> ApiError {
        ApiError::NotFound {
            family,
            code: "VERSION_NOT_FOUND",
            message: detail.into(),
        }
    }

    /// 400 with code `INVALID_REQUEST` (malformed JSON, missing fields).
    pub fn bad_request(family: Family, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            family,
            code: "INVALID_REQUEST",
            message: message.into(),
        }
    }
}

fn v3_error(category: &str, kind: &str, message: &str) -> serde_json::Value {
    json!({
        "status": "Error",
        "response_data": null,
        "response_meta": null,
        "error": {
            "error_category": category,
            "error_type": kind,
            "message": message,
            "additional_details": null,
        }
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Unauthorized(Family::V4) => json_response(
                StatusCode::UNAUTHORIZED,
                json!({"errorCode": "INVALID_TOKEN", "status": "Error"}),
            ),
            ApiError::Unauthorized(Family::V3) => json_response(
                StatusCode::UNAUTHORIZED,
                json!({
                    "status": "Error", "response_data": null, "response_meta": null,
                    "error": {"error_category": "access_error",
                              "error_type": "error.UNAUTHORIZED", "message": "INVALID_TOKEN"}
                }),
            ),
            ApiError::Forbidden(Family::V4) => json_response(
                StatusCode::FORBIDDEN,
                json!({"type": "access_error", "code": "UNAUTHORIZED", "message": "UNAUTHORIZED"}),
            ),
            ApiError::Forbidden(Family::V3) => json_response(
                StatusCode::FORBIDDEN,
                v3_error("application_error", "error.UNAUTHORIZED", "UNAUTHORIZED"),
            ),
            ApiError::NotFound {
                family,
                code,
                message,
            } => json_response(
                StatusCode::NOT_FOUND,
                match family {
                    Family::V4 => {
                        json!({"type": "invalid_input", "code": code, "message": message})
                    }
                    Family::V3 => v3_error("application_error", "error.application_error", code),
                },
            ),
            ApiError::BadRequest {
                family,
                code,
                message,
            } => json_response(
                StatusCode::BAD_REQUEST,
                match family {
                    Family::V4 => {
                        json!({"type": "invalid_input", "code": code, "message": message})
                    }
                    Family::V3 => {
                        let mut body =
                            v3_error("application_error", "error.application_error", code);
                        body["error"]["additional_details"] = json!({"details": [message]});
                        body
                    }
                },
            ),
            ApiError::Coded {
                family,
                status,
                code,
                message,
            } => json_response(
                status,
                match family {
                    Family::V4 => {
                        json!({"type": "invalid_input", "code": code, "message": message})
                    }
                    Family::V3 => {
                        let mut body =
                            v3_error("application_error", "error.application_error", code);
                        body["error"]["additional_details"] = json!({"details": [message]});
                        body
                    }
                },
            ),
            ApiError::Rejected {
                family,
                status,
                message,
            } => {
                let code = match status.as_u16() {
                    404 => "RESOURCE_NOT_FOUND",
                    405 => "METHOD_NOT_ALLOWED",
                    413 => "EXCEEDED_FILE_SIZE",
                    415 => "UNSUPPORTED_MEDIA_TYPE",
                    _ => "INVALID_REQUEST",
                };
                let body = match family {
                    Family::V4 => {
                        json!({"type": "invalid_input", "code": code, "message": message})
                    }
                    Family::V3 => {
                        let mut body =
                            v3_error("application_error", "error.application_error", code);
                        body["error"]["additional_details"] = json!({"details": [message]});
                        body
                    }
                };
                json_response(status, body)
            }
            ApiError::Injected {
                family,
                status,
                retry_after,
            } => {
                let message = match status.as_u16() {
                    429 => "TOO_MANY_REQUESTS",
                    502 => "BAD_GATEWAY",
                    503 => "SERVICE_UNAVAILABLE",
                    504 => "GATEWAY_TIMEOUT",
                    _ => "Could not complete this operation",
                };
                let body = match family {
                    Family::V4 => {
                        json!({"type": "server_error", "code": message, "message": message})
                    }
                    Family::V3 => v3_error("server_error", "error.server_error", message),
                };
                let mut res = json_response(status, body);
                if let Some(secs) = retry_after {
                    let whole = secs.ceil().max(0.0) as u64;
                    if let Ok(v) = whole.to_string().parse() {
                        res.headers_mut().insert("retry-after", v);
                    }
                    if let Ok(v) = format_secs(secs).parse() {
                        res.headers_mut().insert("x-retry-after", v);
                    }
                }
                res
            }
        }
    }
}

/// `1.5` → `"1.5"`, `2.0` → `"2"`: the `x-retry-after` seconds form.
fn format_secs(secs: f64) -> String {
    if secs.fract() == 0.0 {
        format!("{}", secs as u64)
    } else {
        format!("{secs}")
    }
}
