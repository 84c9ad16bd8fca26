#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Credentials on the wire, and the OAuth token lifecycle.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Reply, Server, builder, execute_ok, token_reply};
use cspark::clock::ManualClock;
use cspark::{Auth, SparkError};
use serde_json::json;

fn ok_or_token(hit: &common::Hit, token: &str) -> Reply {
    if hit.is_token() {
        token_reply(token, 360)
    } else {
        execute_ok(json!({"y": 2}))
    }
}

async fn one_call(auth: Auth) -> common::Hit {
    let server = Server::start(|h, _| ok_or_token(h, "tok-1")).await;
    let client = builder(&server).auth(auth).build().unwrap();
    client
        .services()
        .execute("f/s", &json!({"x": 1}))
        .await
        .unwrap();
    server.api_hits().pop().unwrap()
}

#[tokio::test]
async fn api_key_sends_synthetic_key_and_tenant() {
    let hit = one_call(Auth::api_key("key-123")).await;
    assert_eq!(hit.header("x-synthetic-key").as_deref(), Some("key-123"));
    assert_eq!(hit.header("x-tenant-name").as_deref(), Some("my-tenant"));
    assert_eq!(hit.header("authorization"), None);
}

#[tokio::test]
async fn bearer_with_and_without_prefix() {
    for raw in ["abc.def", "Bearer abc.def", "  bearer   abc.def "] {
        let hit = one_call(Auth::bearer(raw)).await;
        assert_eq!(
            hit.header("authorization").as_deref(),
            Some("Bearer abc.def"),
            "{raw:?}"
        );
        assert_eq!(hit.header("x-synthetic-key"), None);
    }
}

#[tokio::test]
async fn open_sends_no_credentials() {
    for auth in [Auth::Open, Auth::api_key("open"), Auth::bearer("open")] {
        let hit = one_call(auth).await;
        assert_eq!(hit.header("authorization"), None);
        assert_eq!(hit.header("x-synthetic-key"), None);
        assert_eq!(hit.header("x-tenant-name").as_deref(), Some("my-tenant"));
    }
}

#[tokio::test]
async fn standard_headers_on_every_request() {
    let hit = one_call(Auth::Open).await;
    let ua = hit.header("user-agent").unwrap();
    assert!(
        ua.starts_with(&format!(
            "Coherent Spark SDK v{} (Rust/",
            env!("CARGO_PKG_VERSION")
        )),
        "{ua}"
    );
    let spark_ua = hit.header("x-spark-ua").unwrap();
    assert!(
        spark_ua.starts_with(&format!(
            "agent=spark-rust-sdk/{}; env=Rust/",
            env!("CARGO_PKG_VERSION")
        )),
        "{spark_ua}"
    );
    let id = hit.header("x-request-id").unwrap();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
}

#[tokio::test]
async fn extra_headers_cannot_override_sdk_headers() {
    let server = Server::start(|h, _| ok_or_token(h, "t")).await;
    let client = builder(&server)
        .auth(Auth::api_key("real"))
        .header("x-custom", "yes")
        .header("x-tenant-name", "other")
        .header("x-synthetic-key", "fake")
        .build()
        .unwrap();
    client.services().execute("f/s", &json!({})).await.unwrap();
    let hit = server.api_hits().pop().unwrap();
    assert_eq!(hit.header("x-custom").as_deref(), Some("yes"));
    assert_eq!(hit.header("x-tenant-name").as_deref(), Some("my-tenant"));
    assert_eq!(hit.header("x-synthetic-key").as_deref(), Some("real"));
}

#[tokio::test]
async fn oauth_fetches_token_before_first_call() {
    let server = Server::start(|h, _| ok_or_token(h, "tok-eager")).await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "csecret"))
        .build()
        .unwrap();
    client.services().execute("f/s", &json!({})).await.unwrap();
    let hits = server.hits();
    assert_eq!(hits.len(), 2, "{hits:?}");
    let token = &hits[0];
    assert!(token.is_token());
    assert_eq!(token.method, "POST");
    assert_eq!(
        token.path,
        "/auth/realms/my-tenant/protocol/openid-connect/token"
    );
    assert_eq!(
        token.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&token.body)
        .into_owned()
        .collect();
    assert!(form.contains(&("grant_type".into(), "client_credentials".into())));
    assert!(form.contains(&("client_id".into(), "cid".into())));
    assert!(form.contains(&("client_secret".into(), "csecret".into())));
    assert_eq!(
        token.header("authorization"),
        None,
        "no stale bearer on the token request"
    );
    assert_eq!(token.header("x-tenant-name").as_deref(), Some("my-tenant"));
    assert_eq!(
        hits[1].header("authorization").as_deref(),
        Some("Bearer tok-eager")
    );
}

#[tokio::test]
async fn authenticate_warms_the_cache() {
    let server = Server::start(|h, _| ok_or_token(h, "tok")).await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "cs"))
        .build()
        .unwrap();
    client.authenticate().await.unwrap();
    assert_eq!(server.token_hits().len(), 1);
    assert_eq!(server.api_hits().len(), 0);
    client.services().execute("f/s", &json!({})).await.unwrap();
    assert_eq!(server.token_hits().len(), 1);
}

#[tokio::test]
async fn token_refreshed_before_expiry_using_the_clock() {
    let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = counter.clone();
    let server = Server::start(move |h, _| {
        if h.is_token() {
            let n = c.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            token_reply(&format!("tok-{n}"), 120)
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server)
        .auth(Auth::oauth("cid", "cs"))
        .clock(clock.clone())
        .build()
        .unwrap();
    client.services().execute("f/s", &json!({})).await.unwrap();
    // ttl 120 s, skew min(60 s, ttl/2) = 60 s: still fresh at 59 s.
    clock.advance(Duration::from_secs(59));
    client.services().execute("f/s", &json!({})).await.unwrap();
    assert_eq!(server.token_hits().len(), 1);
    clock.advance(Duration::from_secs(2));
    client.services().execute("f/s", &json!({})).await.unwrap();
    assert_eq!(server.token_hits().len(), 2);
    let auths: Vec<_> = server
        .api_hits()
        .iter()
        .map(|h| h.header("authorization").unwrap())
        .collect();
    assert_eq!(auths, ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);
}

#[tokio::test]
async fn one_refresh_on_401_then_success() {
    // The token endpoint hands out a token the API treats as revoked, then a good one.
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let s = served.clone();
    let server2 = Server::start(move |h, _| {
        if h.is_token() {
            let n = s.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return token_reply(if n == 0 { "stale" } else { "fresh" }, 360);
        }
        match h.header("authorization").as_deref() {
            Some("Bearer fresh") => execute_ok(json!({"ok": true})),
            _ => Reply::json(
                401,
                json!({"errorCode": "INVALID_TOKEN", "status": "Error"}),
            ),
        }
    })
    .await;
    let client = builder(&server2)
        .auth(Auth::oauth("cid", "cs"))
        .build()
        .unwrap();
    let out = client.services().execute("f/s", &json!({})).await.unwrap();
    assert_eq!(out.outputs()["ok"], json!(true));
    assert_eq!(server2.token_hits().len(), 2);
    let api = server2.api_hits();
    assert_eq!(api.len(), 2);
    assert_eq!(
        api[0].header("x-request-id"),
        api[1].header("x-request-id"),
        "same call, same request id"
    );
    assert_eq!(
        api[1].header("authorization").as_deref(),
        Some("Bearer fresh")
    );
}

#[tokio::test]
async fn persistent_401_gives_up_after_one_refresh() {
    let server = Server::start(|h, _| {
        if h.is_token() {
            token_reply("t", 360)
        } else {
            Reply::json(401, json!({"errorCode": "INVALID_TOKEN"}))
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "cs"))
        .max_retries(5)
        .build()
        .unwrap();
    let err = client
        .services()
        .execute("f/s", &json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::Auth {
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.api_hits().len(), 2);
    assert_eq!(server.token_hits().len(), 2);
    assert!(
        err.to_string().contains("freshly issued OAuth token"),
        "{err}"
    );
}

#[tokio::test]
async fn token_endpoint_401_is_final_after_one_request() {
    let server = Server::start(|h, _| {
        if h.is_token() {
            Reply::json(401, json!({"error": "unauthorized_client", "error_description": "Invalid client secret"}))
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "wrong"))
        .max_retries(5)
        .build()
        .unwrap();
    let err = client
        .services()
        .execute("f/s", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(server.token_hits().len(), 1);
    assert_eq!(server.api_hits().len(), 0);
    match &err {
        SparkError::Auth {
            status,
            message,
            request_id,
            ..
        } => {
            assert_eq!(*status, Some(401));
            assert!(
                message.contains("rejected the client credentials"),
                "{message}"
            );
            assert_eq!(
                request_id.as_deref(),
                server.token_hits()[0].header("x-request-id").as_deref()
            );
        }
        other => panic!("expected Auth, got {other:?}"),
    }
}

#[tokio::test]
async fn token_endpoint_503_is_retried() {
    let server = Server::start(|h, i| {
        if h.is_token() && i == 0 {
            Reply::json(503, json!({}))
        } else {
            ok_or_token(h, "t")
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "cs"))
        .build()
        .unwrap();
    client.services().execute("f/s", &json!({})).await.unwrap();
    assert_eq!(server.token_hits().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_flight_under_50_concurrent_calls() {
    let server = Server::start(|h, _| {
        if h.is_token() {
            token_reply("t", 360).delayed(Duration::from_millis(50))
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "cs"))
        .build()
        .unwrap();
    let calls = (0..50).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.services().execute("f/s", &json!({})).await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(server.token_hits().len(), 1);
    assert_eq!(server.api_hits().len(), 50);
}

#[tokio::test]
async fn oauth_from_file_both_spellings() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("camel.json", r#"{"clientId":"id-1","clientSecret":"s-1"}"#),
        (
            "snake.json",
            r#"{"client_id":"id-1","client_secret":"s-1","other":1}"#,
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        match Auth::oauth_file(&path).unwrap() {
            Auth::OAuth(c) => {
                assert_eq!(c.client_id(), "id-1");
                assert_eq!(c.client_secret().expose(), "s-1");
            }
            other => panic!("{other:?}"),
        }
    }
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{}").unwrap();
    let err = Auth::oauth_file(&bad).unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::Config {
                field: "oauth_path",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn token_url_for_spark_and_other_hosts() {
    let spark = cspark::BaseUrl::parse(
        "https://excel.uat.us.coherent.global/fieldengineering",
        None,
    )
    .unwrap();
    assert_eq!(
        spark.token_url(),
        "https://keycloak.uat.us.coherent.global/auth/realms/fieldengineering/protocol/openid-connect/token"
    );
    let local = cspark::BaseUrl::parse("http://127.0.0.1:8000/my-tenant", None).unwrap();
    assert_eq!(
        local.token_url(),
        "http://127.0.0.1:8000/auth/realms/my-tenant/protocol/openid-connect/token"
    );
}

#[test]
fn jwt_gives_base_url_and_tenant() {
    use base64::Engine as _;
    let enc = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let token = format!(
        "{}.{}.sig",
        enc(json!({"alg": "HS256", "typ": "JWT"})),
        enc(
            json!({"iss": "https://keycloak.my-env.coherent.global/auth/realms/my-tenant", "realm": "my-tenant"})
        )
    );
    let info = cspark::jwt::decode(&format!("Bearer {token}")).unwrap();
    assert_eq!(
        info.base_url.full(),
        "https://excel.my-env.coherent.global/my-tenant"
    );
    assert_eq!(info.tenant, "my-tenant");
    let client = cspark::Client::builder()
        .env_lookup(common::no_env)
        .jwt(&token)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        client.base_url().full(),
        "https://excel.my-env.coherent.global/my-tenant"
    );
    assert!(cspark::jwt::decode("not-a-jwt").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_failed_token_request() {
    let server = Server::start(|h, _| {
        if h.is_token() {
            // Slow enough that all 50 callers are queued before it answers.
            Reply::json(401, json!({"error": "unauthorized_client"}))
                .delayed(Duration::from_millis(300))
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "wrong"))
        .build()
        .unwrap();
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.services().execute("f/s", &json!({})).await })
        })
        .collect();
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        assert!(
            matches!(
                err,
                SparkError::Auth {
                    status: Some(401),
                    ..
                }
            ),
            "{err:?}"
        );
    }
    assert_eq!(server.token_hits().len(), 1);
    assert_eq!(server.api_hits().len(), 0);
    // A later call tries again.
    let _ = client
        .services()
        .execute("f/s", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(server.token_hits().len(), 2);
}

#[tokio::test]
async fn absurd_or_missing_expires_in_is_survivable() {
    for body in [
        json!({"access_token": "t", "expires_in": 1e15}),
        json!({"access_token": "t", "expires_in": -5}),
        json!({"access_token": "t"}),
    ] {
        let b = body.clone();
        let server = Server::start(move |h, _| {
            if h.is_token() {
                Reply::json(200, b.clone())
            } else {
                execute_ok(json!({}))
            }
        })
        .await;
        let client = builder(&server)
            .auth(Auth::oauth("cid", "cs"))
            .build()
            .unwrap();
        client.services().execute("f/s", &json!({})).await.unwrap();
        client.services().execute("f/s", &json!({})).await.unwrap();
        assert_eq!(server.token_hits().len(), 1, "{body}");
    }
    let server = Server::start(|h, _| {
        if h.is_token() {
            Reply::json(200, json!({"access_token": ""}))
        } else {
            execute_ok(json!({}))
        }
    })
    .await;
    let client = builder(&server)
        .auth(Auth::oauth("cid", "cs"))
        .build()
        .unwrap();
    let err = client
        .services()
        .execute("f/s", &json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SparkError::Auth { .. }) && err.to_string().contains("no access_token"),
        "{err}"
    );
}
