#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Base URL rules (python-sdk.md §1.3, ts-sdk.md §2.2/§4.3) and config precedence.

mod common;

use std::collections::HashMap;

use cspark::{Auth, BaseUrl, SparkError};

/// (url, tenant option) → Ok((origin, tenant, env)) or Err(field).
#[test]
fn parse_table() {
    type Expect = Result<(&'static str, &'static str, Option<&'static str>), &'static str>;
    let table: &[(&str, Option<&str>, Expect)] = &[
        (
            "https://excel.my.env.coherent.global///",
            Some("tenant"),
            Ok((
                "https://excel.my.env.coherent.global",
                "tenant",
                Some("my.env"),
            )),
        ),
        (
            "https://spark.my.env.coherent.global/tenant",
            None,
            Ok((
                "https://excel.my.env.coherent.global",
                "tenant",
                Some("my.env"),
            )),
        ),
        (
            "https://spark.my.env.coherent.global",
            Some("tenant"),
            Ok((
                "https://excel.my.env.coherent.global",
                "tenant",
                Some("my.env"),
            )),
        ),
        (
            "https://excel.test.coherent.global/t",
            Some("x"),
            Ok(("https://excel.test.coherent.global", "t", Some("test"))),
        ),
        (
            "https://excel.test.coherent.global/t/extra/path",
            None,
            Ok(("https://excel.test.coherent.global", "t", Some("test"))),
        ),
        // Deviation: every Spark service label becomes excel (the base URL names the API host).
        (
            "https://keycloak.uat.us.coherent.global/t",
            None,
            Ok(("https://excel.uat.us.coherent.global", "t", Some("uat.us"))),
        ),
        (
            "https://utility.uat.us.coherent.global/t",
            None,
            Ok(("https://excel.uat.us.coherent.global", "t", Some("uat.us"))),
        ),
        (
            "https://entitystore.uat.us.coherent.global/t",
            None,
            Ok(("https://excel.uat.us.coherent.global", "t", Some("uat.us"))),
        ),
        // Deviation: hosts are lower-cased by URL parsing; the path tenant keeps its case.
        (
            "https://EXCEL.UAT.US.coherent.global/Tenant",
            None,
            Ok((
                "https://excel.uat.us.coherent.global",
                "Tenant",
                Some("uat.us"),
            )),
        ),
        // Deviation: three env labels are normalised too.
        (
            "https://excel.a.b.c.coherent.global/t",
            None,
            Ok(("https://excel.a.b.c.coherent.global", "t", Some("a.b.c"))),
        ),
        // Deviation: an explicit tenant option is trimmed.
        (
            "https://excel.test.coherent.global",
            Some(" T "),
            Ok(("https://excel.test.coherent.global", "T", Some("test"))),
        ),
        (
            "https://excel.test.coherent.global/t?x=1",
            None,
            Ok(("https://excel.test.coherent.global", "t", Some("test"))),
        ),
        (
            "https://excel.test.coherent.global/t#frag",
            None,
            Ok(("https://excel.test.coherent.global", "t", Some("test"))),
        ),
        // Any http(s) host is accepted (emulator, private domains).
        (
            "http://127.0.0.1:8080/my-tenant",
            None,
            Ok(("http://127.0.0.1:8080", "my-tenant", None)),
        ),
        (
            "http://localhost:3000",
            Some("my-tenant"),
            Ok(("http://localhost:3000", "my-tenant", None)),
        ),
        (
            "https://spark.internal.example.com/acme/",
            None,
            Ok(("https://spark.internal.example.com", "acme", None)),
        ),
        (
            "https://excel.test.coherent.global:8443/t",
            None,
            Ok(("https://excel.test.coherent.global:8443", "t", Some("test"))),
        ),
        (
            "https://coherent.global/tenant",
            None,
            Ok(("https://coherent.global", "tenant", None)),
        ),
        (
            "http://localhost:8080/my%20tenant",
            None,
            Ok(("http://localhost:8080", "my tenant", None)),
        ),
        // Rejected.
        ("https://excel.test.coherent.global", None, Err("tenant")),
        (
            "https://excel.test.coherent.global///",
            Some("  "),
            Err("tenant"),
        ),
        (
            "file://excel.test.coherent.global/tenant",
            None,
            Err("base_url"),
        ),
        ("ftp://example.com/t", None, Err("base_url")),
        ("fake base url", None, Err("base_url")),
        ("", Some("t"), Err("base_url")),
    ];
    for (url, tenant, expect) in table {
        let got = BaseUrl::parse(url, *tenant);
        match (expect, got) {
            (Ok((origin, t, env)), Ok(b)) => {
                assert_eq!(b.origin(), *origin, "{url}");
                assert_eq!(b.tenant(), *t, "{url}");
                assert_eq!(b.env(), *env, "{url}");
            }
            (Err(field), Err(SparkError::Config { field: f, .. })) => {
                assert_eq!(f, *field, "{url}")
            }
            (e, g) => panic!("{url:?}: expected {e:?}, got {g:?}"),
        }
    }
}

#[test]
fn derived_urls() {
    let b = BaseUrl::from_env(" UAT.US ", " MyTenant ").unwrap();
    assert_eq!(b.full(), "https://excel.uat.us.coherent.global/mytenant");
    assert_eq!(
        b.health_url(),
        "https://excel.uat.us.coherent.global/health"
    );
    assert_eq!(
        b.token_url(),
        "https://keycloak.uat.us.coherent.global/auth/realms/mytenant/protocol/openid-connect/token"
    );
    assert_eq!(
        b.service_origin("utility"),
        "https://utility.uat.us.coherent.global"
    );
    assert_eq!(
        b.service_origin("entitystore"),
        "https://entitystore.uat.us.coherent.global"
    );
    let t = BaseUrl::from_env("test", "tenant-name").unwrap();
    assert_eq!(
        t.token_url(),
        "https://keycloak.test.coherent.global/auth/realms/tenant-name/protocol/openid-connect/token"
    );
    assert_eq!(
        BaseUrl::from_env("my.env", "tenant").unwrap().full(),
        "https://excel.my.env.coherent.global/tenant"
    );
    let local = BaseUrl::parse("http://127.0.0.1:8000/my-tenant", None).unwrap();
    assert_eq!(local.health_url(), "http://127.0.0.1:8000/health");
    assert_eq!(local.service_origin("keycloak"), "http://127.0.0.1:8000");
    assert!(BaseUrl::from_env("bad env", "t").is_err());
    assert!(BaseUrl::from_env("test", " ").is_err());
}

fn env_of(
    pairs: &[(&'static str, &'static str)],
) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn base_url_precedence() {
    let env = [
        (
            "CSPARK_BASE_URL",
            "https://excel.env.coherent.global/from-env",
        ),
        ("CSPARK_API_KEY", "k"),
    ];
    let explicit = cspark::Client::builder()
        .env_lookup(env_of(&env))
        .base_url("http://127.0.0.1:1/explicit")
        .build()
        .unwrap();
    assert_eq!(explicit.base_url().full(), "http://127.0.0.1:1/explicit");
    let from_env = cspark::Client::builder()
        .env_lookup(env_of(&env))
        .env("ignored")
        .tenant("ignored")
        .build()
        .unwrap();
    assert_eq!(
        from_env.base_url().full(),
        "https://excel.env.coherent.global/from-env"
    );
    let env_tenant = cspark::Client::builder()
        .env_lookup(env_of(&[
            ("CSPARK_ENV", "uat.us"),
            ("CSPARK_TENANT", "Acme"),
            ("CSPARK_API_KEY", "k"),
        ]))
        .build()
        .unwrap();
    assert_eq!(
        env_tenant.base_url().full(),
        "https://excel.uat.us.coherent.global/acme"
    );
    let err = cspark::Client::builder()
        .env_lookup(env_of(&[
            ("CSPARK_BASE_URL", "nope"),
            ("CSPARK_API_KEY", "k"),
        ]))
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::Config {
                field: "CSPARK_BASE_URL",
                ..
            }
        ),
        "{err:?}"
    );
    let err = cspark::Client::builder()
        .env_lookup(common::no_env)
        .tenant("t")
        .auth(Auth::Open)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("base URL is required"), "{err}");
    let err = cspark::Client::builder()
        .env_lookup(common::no_env)
        .env("test")
        .auth(Auth::Open)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::Config {
                field: "tenant",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn auth_precedence_and_validation() {
    let base = ("CSPARK_BASE_URL", "http://127.0.0.1:1/t");
    let kind = |pairs: &[(&'static str, &'static str)]| {
        cspark::Client::builder()
            .env_lookup(env_of(pairs))
            .build()
            .map(|c| c.config().auth.kind())
    };
    assert_eq!(kind(&[base, ("CSPARK_API_KEY", "k")]).unwrap(), "api_key");
    assert_eq!(
        kind(&[base, ("CSPARK_BEARER_TOKEN", "Bearer t")]).unwrap(),
        "bearer"
    );
    assert_eq!(kind(&[base, ("CSPARK_API_KEY", "open")]).unwrap(), "open");
    assert_eq!(
        kind(&[
            base,
            ("CSPARK_API_KEY", "k"),
            ("CSPARK_CLIENT_ID", "i"),
            ("CSPARK_CLIENT_SECRET", "s")
        ])
        .unwrap(),
        "oauth"
    );
    assert!(matches!(
        kind(&[base]),
        Err(SparkError::Config { field: "auth", .. })
    ));
    assert!(matches!(
        kind(&[base, ("CSPARK_CLIENT_ID", "i")]),
        Err(SparkError::Config {
            field: "CSPARK_CLIENT_SECRET",
            ..
        })
    ));
    assert!(matches!(
        kind(&[base, ("CSPARK_OAUTH_PATH", "/definitely/missing.json")]),
        Err(SparkError::Config {
            field: "oauth_path",
            ..
        })
    ));
    // Explicit credentials always win over the environment.
    let c = cspark::Client::builder()
        .env_lookup(env_of(&[
            base,
            ("CSPARK_CLIENT_ID", "i"),
            ("CSPARK_CLIENT_SECRET", "s"),
        ]))
        .api_key("mine")
        .build()
        .unwrap();
    assert_eq!(c.config().auth.kind(), "api_key");
    let err = cspark::Client::builder()
        .env_lookup(env_of(&[base]))
        .api_key("")
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::Config {
                field: "api_key",
                ..
            }
        ),
        "{err:?}"
    );
    let err = cspark::Client::builder()
        .env_lookup(env_of(&[base]))
        .auth(Auth::oauth("", "s"))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, SparkError::Config { field: "oauth", .. }),
        "{err:?}"
    );
}

#[test]
fn numeric_options_are_validated() {
    let b = || {
        cspark::Client::builder()
            .env_lookup(common::no_env)
            .base_url("http://127.0.0.1:1/t")
            .auth(Auth::Open)
    };
    let err = b().timeout(std::time::Duration::ZERO).build().unwrap_err();
    assert!(
        matches!(
            err,
            SparkError::Config {
                field: "timeout",
                ..
            }
        ),
        "{err:?}"
    );
    let c = b()
        .timeout(std::time::Duration::from_millis(1500))
        .max_retries(0)
        .retry_interval(std::time::Duration::from_millis(500))
        .build()
        .unwrap();
    assert_eq!(c.config().timeout, std::time::Duration::from_millis(1500));
    assert_eq!(c.config().max_retries, 0);
    let d = b().build().unwrap();
    assert_eq!(
        (
            d.config().timeout.as_secs(),
            d.config().max_retries,
            d.config().retry_interval.as_secs()
        ),
        (60, 2, 1)
    );
    let err = b().header("bad header", "v").build().unwrap_err();
    assert!(
        matches!(err, SparkError::Config { field: "header", ref value, .. } if value == "bad header"),
        "{err:?}"
    );
}
