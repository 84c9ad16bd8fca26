#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Status → error kind, the three error-body formats, request ids and messages.

mod common;

use common::{Reply, Server, builder};
use cspark::{ApiErrorBody, ApiErrorKind, Auth, SparkError};
use serde_json::json;

async fn fail_with(reply: Reply) -> (SparkError, common::Hit) {
    let server = Server::start(move |_, _| reply.clone()).await;
    let client = builder(&server)
        .auth(Auth::api_key("k"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .services()
        .execute("my folder/s", &json!({}))
        .await
        .unwrap_err();
    (err, server.hits().pop().unwrap())
}

#[tokio::test]
async fn every_status_maps_to_its_kind() {
    let table = [
        (400, ApiErrorKind::BadRequest),
        (401, ApiErrorKind::Unauthorized),
        (403, ApiErrorKind::Forbidden),
        (404, ApiErrorKind::NotFound),
        (409, ApiErrorKind::Conflict),
        (415, ApiErrorKind::UnsupportedMediaType),
        (422, ApiErrorKind::UnprocessableEntity),
        (429, ApiErrorKind::RateLimit),
        (500, ApiErrorKind::InternalServer),
        (503, ApiErrorKind::ServiceUnavailable),
        (504, ApiErrorKind::GatewayTimeout),
        (402, ApiErrorKind::Unknown),
        (405, ApiErrorKind::Unknown),
        (408, ApiErrorKind::Unknown),
        (502, ApiErrorKind::Unknown),
        (418, ApiErrorKind::Unknown),
    ];
    for (status, kind) in table {
        let (err, hit) = fail_with(Reply::json(status, json!({}))).await;
        let api = err.api().unwrap_or_else(|| panic!("{status}: {err:?}"));
        assert_eq!(api.kind, kind, "{status}");
        assert_eq!(
            err.status(),
            Some(status),
            "the status is kept even when unmapped"
        );
        assert_eq!(err.request_id(), hit.header("x-request-id").as_deref());
        assert_eq!(
            api.path,
            "/my-tenant/api/v3/folders/my%20folder/services/s/execute"
        );
        assert_eq!(
            err.is_retryable(),
            matches!(status, 408 | 429 | 502 | 503 | 504),
            "{status}"
        );
        let line = err.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(
            line.contains(&status.to_string()) && line.contains(kind.name()),
            "{line}"
        );
    }
}

#[tokio::test]
async fn v3_envelope_is_decoded() {
    let body = json!({"status": "Error", "response_data": null, "response_meta": null,
        "error": {"error_category": "access_error", "error_type": "error.UNAUTHORIZED", "message": "INVALID_TOKEN",
                  "additional_details": {"field": ["bad"]}}});
    let (err, hit) = fail_with(Reply::json(401, body)).await;
    let api = err.api().unwrap();
    assert_eq!(
        api.body,
        ApiErrorBody::V3 {
            error_category: Some("access_error".into()),
            error_type: Some("error.UNAUTHORIZED".into()),
            message: Some("INVALID_TOKEN".into()),
            additional_details: Some(json!({"field": ["bad"]})),
        }
    );
    assert_eq!(api.code(), Some("error.UNAUTHORIZED"));
    assert_eq!(api.message(), Some("INVALID_TOKEN"));
    let id = hit.header("x-request-id").unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "POST /my-tenant/api/v3/folders/my%20folder/services/s/execute failed: HTTP 401 Unauthorized: error.UNAUTHORIZED: INVALID_TOKEN (request_id={id}, attempts=1)"
        )
    );
}

#[tokio::test]
async fn v4_error_is_decoded() {
    let (err, _) = fail_with(Reply::json(404, json!({"type": "invalid_input", "code": "SERVICE_NOT_FOUND", "message": "service could not be found"}))).await;
    let api = err.api().unwrap();
    assert_eq!(
        api.body,
        ApiErrorBody::V4 {
            error_type: Some("invalid_input".into()),
            code: Some("SERVICE_NOT_FOUND".into()),
            message: Some("service could not be found".into()),
        }
    );
    assert!(
        err.to_string()
            .contains("SERVICE_NOT_FOUND: service could not be found")
    );
}

#[tokio::test]
async fn v1_error_is_decoded() {
    let (err, _) = fail_with(Reply::json(409, json!({"status": "Error", "errorCode": "PRODUCT_ALREADY_EXISTS", "message": null, "data": null}))).await;
    assert_eq!(
        err.api().unwrap().body,
        ApiErrorBody::V1 {
            error_code: Some("PRODUCT_ALREADY_EXISTS".into()),
            message: None
        }
    );
    assert!(err.to_string().contains("PRODUCT_ALREADY_EXISTS"));
}

#[tokio::test]
async fn raw_bodies_are_truncated() {
    let (err, _) = fail_with(Reply::text(500, "upstream\nexploded")).await;
    assert!(
        !err.to_string().contains('\n'),
        "Display stays on one line: {err}"
    );
    let (err, _) = fail_with(Reply::text(500, "upstream exploded")).await;
    assert_eq!(
        err.api().unwrap().body,
        ApiErrorBody::Raw("upstream exploded".into())
    );
    let long = "x".repeat(5000);
    let (err, _) = fail_with(Reply::text(500, &long)).await;
    match &err.api().unwrap().body {
        ApiErrorBody::Raw(text) => {
            assert_eq!(text.chars().count(), cspark::MAX_BODY_EXCERPT + 1)
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().len() < 800);
}

#[tokio::test]
async fn success_with_unexpected_body_is_a_decode_error() {
    let (err, hit) = {
        let server = Server::start(|_, _| Reply::text(200, "not json")).await;
        let client = builder(&server).auth(Auth::Open).build().unwrap();
        let err = client
            .services()
            .execute("f/s", &json!({}))
            .await
            .unwrap_err();
        (err, server.hits().pop().unwrap())
    };
    assert!(matches!(err, SparkError::Decode { .. }), "{err:?}");
    assert_eq!(err.request_id(), hit.header("x-request-id").as_deref());
}

#[tokio::test]
async fn invalid_input_is_reported_before_sending() {
    let server = Server::start(|_, _| Reply::json(200, json!({}))).await;
    let client = builder(&server).auth(Auth::Open).build().unwrap();
    let err = client
        .services()
        .execute("just-a-folder", &json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::InvalidInput {
                what: "service URI",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("just-a-folder"));
    let err = client
        .services()
        .execute("f/s", &json!([1, 2]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SparkError::InvalidInput { what: "inputs", .. }),
        "{err:?}"
    );
    assert!(server.hits().is_empty());
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let (err, hit) =
        fail_with(Reply::text(302, "").with_header("location", "http://example.invalid/steal"))
            .await;
    assert_eq!(err.status(), Some(302));
    assert_eq!(err.api().unwrap().kind, ApiErrorKind::Unknown);
    assert_eq!(
        hit.path,
        "/my-tenant/api/v3/folders/my%20folder/services/s/execute"
    );
}
