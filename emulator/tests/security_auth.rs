//! Authentication has no side doors (issue 15): every route of the router, walked without
//! credentials on an emulator started with an API key and an OAuth client, answers 401 or
//! 404 unless `access::OPEN_ROUTES` declares it open, whatever the tenant segment (`auth`,
//! `AUTH`, `_emulator…`) or folder (`public`) says; the public routes serve only services
//! declared public; the runner's upload, the file links and the token endpoint follow the
//! configured credentials; `undefined` is never a credential.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use cspark_emulator::{EmulatorConfig, EmulatorHandle, route_patterns};
use serde_json::{Value, json};

const CLIENT: (&str, &str) = ("client-1", "secret-1");

/// The routes `access::OPEN_ROUTES` declares open (the walk skips exactly these).
const OPEN: &[&str] = &[
    "/health",
    "/auth/realms/{tenant}/protocol/openid-connect/token",
    "/version",
    "/healthcheck",
    "/status",
    "/_emulator/counters",
    "/_emulator/counters/reset",
];

/// The runner's bundle uploads (`access::RUNNER_UPLOAD_ROUTES`).
const RUNNER_UPLOADS: &[&str] = &["/api/v3/upload", "/upload"];

async fn keyed() -> EmulatorHandle {
    let h = start_with(
        EmulatorConfig::default()
            .with_api_key(KEY)
            .with_oauth_client(CLIENT.0, CLIENT.1),
    )
    .await;
    // A service in a folder named `public`: once an open door on the v1 routes.
    let cylinder = cspark_emulator::demo::workbook("demo", "volume-cylinder").unwrap();
    h.publish_workbook(
        "public",
        "volume-cylinder",
        cylinder.file_name,
        cylinder.bytes.to_vec(),
        "minor",
    )
    .unwrap();
    h
}

/// Fill a route pattern's parameters with values naming real things (the demo cylinder),
/// so that a request that got through the gate would find something to serve.
fn fill(pattern: &str, tenant: &str, folder: &str, version_id: &str, service_id: &str) -> String {
    pattern
        .split('/')
        .map(|seg| match seg {
            "{tenant}" => tenant.to_string(),
            "{folder}" | "{product}" => folder.to_string(),
            "{service}" | "{name}" | "{engine}" => "volume-cylinder".to_string(),
            "{service_id}" => service_id.to_string(),
            s if s.starts_with("{*") => format!("folders/{folder}/services/volume-cylinder"),
            s if s.starts_with('{') && s.contains("version") => version_id.to_string(),
            s if s.starts_with('{') => "1".to_string(),
            s => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A body that names the cylinder every way a handler could read it.
fn locating_body(version_id: &str) -> Value {
    json!({
        "service": "demo/volume-cylinder",
        "request_meta": {"service_uri": "demo/volume-cylinder", "version_id": version_id},
        "request_data": {"inputs": {"Radius": 1, "Height": 1}},
        "inputs": [{"Radius": 1, "Height": 1}],
    })
}

#[tokio::test]
async fn every_route_without_credentials_is_refused_unless_declared_open() {
    let h = keyed().await;
    let version = &h
        .state()
        .store()
        .versions("demo", "volume-cylinder")
        .unwrap()[0];
    let (version_id, service_id) = (version.info.id.clone(), version.info.service_id.clone());
    let patterns = route_patterns();
    assert!(
        patterns.len() > 60,
        "the router lists its routes: {patterns:?}"
    );
    for open in OPEN {
        assert!(patterns.iter().any(|p| p == open), "{open} is a route");
    }
    let methods = [
        reqwest::Method::GET,
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
        reqwest::Method::DELETE,
    ];
    // One client: a new one per request would spend the walk building TLS configurations.
    let http = client();
    let mut refused = 0;
    let mut wrong = Vec::new();
    for pattern in patterns.iter().filter(|p| !OPEN.contains(&p.as_str())) {
        // Public routes take no credentials, so they may also answer as a route does before
        // it reaches a service: 405 (method), 501 (proxy), or a tenant mismatch; never data.
        // So may the runner's uploads, which load known versions without credentials (and
        // refuse to publish, tested below): 405, or 400 for a body that is no bundle.
        let runner_upload = RUNNER_UPLOADS.contains(&pattern.as_str());
        let public = pattern.split('/').any(|s| s == "public");
        let folders: &[&str] = if pattern.contains("{folder}") {
            &["demo", "public"]
        } else {
            &["demo"]
        };
        let tenants: &[&str] = if pattern.contains("{tenant}") {
            &[
                "my-tenant",
                "auth",
                "AUTH",
                "_emulator",
                "_emulator_x",
                "api",
            ]
        } else {
            &["my-tenant"]
        };
        for tenant in tenants {
            for folder in folders {
                let url = format!(
                    "{}{}",
                    h.url(),
                    fill(pattern, tenant, folder, &version_id, &service_id)
                );
                for method in &methods {
                    let res = http
                        .request(method.clone(), &url)
                        .json(&locating_body(&version_id))
                        .send()
                        .await
                        .unwrap();
                    let status = res.status().as_u16();
                    let body = res.text().await.unwrap_or_default();
                    let refusal = [401, 404].contains(&status)
                        || (public
                            && ([405, 501].contains(&status)
                                || (status == 400 && body.contains("TENANT_MISMATCH"))))
                        || (runner_upload && [400, 405].contains(&status));
                    if refusal {
                        refused += 1;
                    } else {
                        let body: String = body.chars().take(120).collect();
                        wrong.push(format!("{method} {url} -> {status} {body}"));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "answered without credentials:\n{}",
        wrong.join("\n")
    );
    assert!(refused > 1000, "{refused} requests refused");
    // The same emulator serves those routes to a caller with the key: the walk was refused
    // for want of credentials, not because the routes do not exist.
    let (status, _) = get(&format!(
        "{}/api/v1/product/public/engines/get/volume-cylinder",
        h.url()
    ))
    .await;
    assert_eq!(status, 200);
    let res = http
        .get(format!("{}/_emulator/files/{version_id}", h.url()))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn a_tenant_segment_never_replaces_the_credential_or_the_tenant_check() {
    let h = keyed().await;
    let inputs = json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}});
    for tenant in ["auth", "AUTH", "_emulator", "_emulatorfoo"] {
        let url = format!(
            "{}/{tenant}/api/v3/folders/demo/services/volume-cylinder/execute",
            h.url()
        );
        let res = client().post(&url).json(&inputs).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401, "{url} without a key");
        // With the key, the tenant still has to be this emulator's.
        let (status, body) = post(&url, inputs.clone()).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert!(body.to_string().contains("TENANT_MISMATCH"), "{body}");
    }
}

#[tokio::test]
async fn public_routes_serve_only_services_declared_public() {
    let h = start_with(EmulatorConfig::default().with_public_service("demo/volume-cylinder")).await;
    let b = h.base_url();
    let inputs = json!({"request_data": {"inputs": {"Radius": 1, "Height": 2}}});
    let open_post = |url: String, body: Value| async move {
        decode(client().post(url).json(&body).send().await.unwrap()).await
    };
    let (status, body) = open_post(
        format!("{b}/api/v3/public/folders/demo/services/volume-cylinder/execute"),
        inputs.clone(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let loan = &h.state().store().versions("demo", "loan-calc").unwrap()[0];
    let loan_vid = loan.info.id.clone();
    // Not declared public (PublicAPI False): refused on every public form.
    for url in [
        format!("{b}/api/v3/public/folders/demo/services/loan-calc/execute"),
        format!("{b}/api/v3/public/version/{loan_vid}"),
        format!("{b}/api/v3/public/service/{}", loan.info.service_id),
    ] {
        let (status, body) = open_post(url.clone(), inputs.clone()).await;
        assert_eq!(status, 401, "{url}: {body}");
    }
    let (status, body) = open_post(
        format!("{b}/api/v4/public/execute"),
        json!({"service": "demo/loan-calc", "inputs": [{}]}),
    )
    .await;
    assert_eq!(status, 401, "v4: {body}");
    let res = client()
        .get(format!(
            "{b}/api/v3/public/folders/demo/services/loan-calc/metadata"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let res = client()
        .get(format!(
            "{b}/api/v3/nodegen/public/getnodegenzipbyId/version/{loan_vid}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    // Even with a key: the public routes are for public services.
    let (status, _) = post(
        &format!("{b}/api/v3/public/folders/demo/services/loan-calc/execute"),
        inputs.clone(),
    )
    .await;
    assert_eq!(status, 401);
    // The private route still serves it to a caller with credentials.
    let (status, _) = post(
        &format!("{b}/api/v3/folders/demo/services/loan-calc/execute"),
        json!({"request_data": {"inputs": {}}}),
    )
    .await;
    assert_ne!(status, 401);
}

#[tokio::test]
async fn with_api_keys_alone_the_token_endpoint_issues_no_token() {
    let token = |h: &EmulatorHandle| {
        let url = format!(
            "{}/auth/realms/my-tenant/protocol/openid-connect/token",
            h.url()
        );
        async move {
            client()
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials&client_id=anyone&client_secret=anything")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let keyed = start_with(EmulatorConfig::default().with_api_key(KEY)).await;
    assert_eq!(token(&keyed).await, 401);
    let with_client = start_with(
        EmulatorConfig::default()
            .with_api_key(KEY)
            .with_oauth_client(CLIENT.0, CLIENT.1),
    )
    .await;
    assert_eq!(token(&with_client).await, 401);
    // Open mode issues tokens to any client.
    let open = start().await;
    assert_eq!(token(&open).await, 200);
}

#[tokio::test]
async fn undefined_is_never_a_credential() {
    let url = |h: &EmulatorHandle| execute_url(h, "demo", "volume-cylinder");
    let inputs = json!({"request_data": {"inputs": {"Radius": 1, "Height": 1}}});
    for h in [start().await, keyed().await] {
        for (name, value) in [
            ("authorization", "Bearer undefined"),
            ("authorization", "Bearer null"),
            ("authorization", "Bearer "),
            ("x-synthetic-key", "undefined"),
        ] {
            let res = client()
                .post(url(&h))
                .header(name, value)
                .json(&inputs)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 401, "{name}: {value}");
        }
    }
    // Open mode still takes any real-looking credential.
    let open = start().await;
    let res = client()
        .post(url(&open))
        .bearer_auth("some-token")
        .json(&inputs)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn file_links_and_the_runner_upload_follow_the_configured_credentials() {
    let h = keyed().await;
    let vid = h
        .state()
        .store()
        .versions("demo", "volume-cylinder")
        .unwrap()[0]
        .info
        .id
        .clone();
    let res = client()
        .get(format!("{}/_emulator/files/{vid}", h.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401, "workbook served without a key");
    let bundle = client()
        .get(format!(
            "{}/api/v3/nodegen/getnodegenzipbyId/version/{vid}",
            h.base_url()
        ))
        .header("x-synthetic-key", KEY)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let upload = |bundle: Vec<u8>, with_key: bool| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bundle).file_name("volume-cylinder.zip"),
        );
        let mut req = client()
            .post(format!("{}/api/v3/upload", h.url()))
            .multipart(form);
        if with_key {
            req = req.header("x-synthetic-key", KEY);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    // A version the store has (same id, same workbook) may be loaded without credentials,
    // as runners do not authenticate; publishing a new one may not.
    assert_eq!(upload(bundle.to_vec(), false).await, 200);
    let unknown = with_unknown_version(&bundle);
    assert_eq!(
        upload(unknown.clone(), false).await,
        401,
        "an open upload published into the keyed store"
    );
    let versions = || {
        h.state()
            .store()
            .versions("demo", "volume-cylinder")
            .unwrap()
    };
    assert_eq!(versions().len(), 1);
    assert_eq!(upload(unknown, true).await, 200);
    assert_eq!(versions().len(), 2);
}

#[tokio::test]
async fn documents_say_public_api_true_only_for_services_declared_public() {
    let h = start_with(EmulatorConfig::default().with_public_service("demo/volume-cylinder")).await;
    let b = h.base_url();
    let public_api = |schema: &Value| {
        schema["bookProperties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "PublicAPI")
            .map(|p| p["value"].clone())
    };
    for (service, expected) in [("volume-cylinder", "True"), ("loan-calc", "False")] {
        let (status, schema) = get(&format!(
            "{}/api/v1/product/demo/engines/get/{service}",
            h.url()
        ))
        .await;
        assert_eq!(status, 200, "{schema}");
        assert_eq!(public_api(&schema), Some(json!(expected)), "{service}");
    }
    // The WASM bundle's ModelMetaData.json says the same, as a boolean.
    for (service, expected) in [("volume-cylinder", true), ("loan-calc", false)] {
        let res = client()
            .get(format!(
                "{b}/api/v3/nodegen/getnodegenzipbyId/folders/demo/services/{service}"
            ))
            .header("x-synthetic-key", KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{service}");
        let zip = res.bytes().await.unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
        let mut meta = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("ModelMetaData.json").unwrap(),
            &mut meta,
        )
        .unwrap();
        let meta: Value = serde_json::from_str(&meta).unwrap();
        assert_eq!(
            meta["EngineInformation"]["PublicAPI"],
            json!(expected),
            "{service}"
        );
    }
}
