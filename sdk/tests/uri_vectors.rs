#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Runs every vector of `tests/data/uri_vectors.json` (python-sdk.md §3.6, ts-sdk.md §4).

use cspark::services::ExecuteOptions;
use cspark::services::v3_body;
use cspark::v4_execute_url;
use cspark::{BaseUrl, ServiceUri, UriParts};
use serde_json::{Map, Value};

fn opt(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn check(v: &Value, default_base: &str) -> Result<(), String> {
    let id = v["id"].as_str().unwrap();
    let base = BaseUrl::parse(
        v.get("base")
            .and_then(Value::as_str)
            .unwrap_or(default_base),
        None,
    );
    if let Some(v4) = v.get("v4_only") {
        let url = v4_execute_url(
            &base.map_err(|e| e.to_string())?,
            v4["public"].as_bool().unwrap(),
        );
        return expect_eq(id, "v4_only", &url, v4["expected"].as_str().unwrap());
    }
    let parsed = match (v.get("uri"), v.get("parts")) {
        (Some(Value::String(s)), _) => ServiceUri::parse(s),
        (_, Some(parts)) => {
            ServiceUri::from_parts(&serde_json::from_value::<UriParts>(parts.clone()).unwrap())
        }
        _ => panic!("{id}: vector has neither uri nor parts"),
    };
    let expect_error = v.get("error").and_then(Value::as_bool).unwrap_or(false);
    let (uri, base) = match (parsed, base) {
        (Ok(u), Ok(b)) if !expect_error => (u, b),
        (Ok(u), Ok(_)) => return Err(format!("{id}: expected an error, parsed {u:?}")),
        (Err(e), _) | (_, Err(e)) if expect_error => {
            // Errors must name the input and explain the expected forms or the field.
            let text = e.to_string();
            return if text.is_empty() {
                Err(format!("{id}: empty error"))
            } else {
                Ok(())
            };
        }
        (Err(e), _) | (_, Err(e)) => return Err(format!("{id}: unexpected error {e}")),
    };
    if let Some(d) = v.get("decoded") {
        let got = serde_json::json!({
            "folder": opt(uri.folder()), "service": opt(uri.service()), "version": opt(uri.version()),
            "service_id": opt(uri.service_id_value()), "version_id": opt(uri.version_id_value()),
            "proxy": opt(uri.proxy_path()), "public": uri.is_public(),
        });
        if &got != d {
            return Err(format!("{id}: decoded {got} != {d}"));
        }
        // Display round-trips.
        let again =
            ServiceUri::parse(&uri.to_string()).map_err(|e| format!("{id}: reparse failed {e}"))?;
        if again != uri {
            return Err(format!("{id}: {uri} does not round-trip"));
        }
    }
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    if let Some(e) = s("short") {
        expect_eq(id, "short", &uri.to_string(), e)?;
    }
    if let Some(e) = s("long") {
        expect_eq(id, "long", &uri.to_long_string(), e)?;
    }
    if let Some(e) = s("execute") {
        expect_eq(id, "execute", &uri.execute_url(&base), e)?;
    }
    if let Some(e) = s("metadata") {
        expect_eq(id, "metadata", &uri.metadata_url(&base), e)?;
    }
    if let Some(e) = s("validation") {
        expect_eq(id, "validation", &uri.validation_url(&base), e)?;
    }
    if let Some(e) = s("wasm") {
        expect_eq(id, "wasm", &uri.wasm_url(&base), e)?;
    }
    if let Some(e) = s("schema") {
        expect_eq(
            id,
            "schema",
            &uri.schema_url(&base).map_err(|e| e.to_string())?,
            e,
        )?;
    }
    if let Some(e) = s("versions") {
        expect_eq(
            id,
            "versions",
            &uri.versions_url(&base).map_err(|e| e.to_string())?,
            e,
        )?;
    }
    if let Some(e) = s("v4_execute") {
        expect_eq(id, "v4_execute", &v4_execute_url(&base, uri.is_public()), e)?;
    }
    if let Some(e) = v.get("v4_service") {
        let got = opt(uri.v4_service().as_deref());
        if &got != e {
            return Err(format!("{id}: v4_service {got} != {e}"));
        }
    }
    if let Some(Value::Object(expected)) = v.get("meta") {
        let body = v3_body(&uri, &Map::new(), &ExecuteOptions::default()).unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        let meta = body["request_meta"].as_object().unwrap();
        for key in ["service_id", "version_id", "version"] {
            if meta.get(key) != expected.get(key) {
                return Err(format!(
                    "{id}: request_meta.{key} = {:?}, expected {:?}",
                    meta.get(key),
                    expected.get(key)
                ));
            }
        }
    }
    if let Some(u) = v.get("url") {
        let mut url = uri.url(&base, u["api"].as_str().unwrap(), u["endpoint"].as_str());
        if let Some(Value::Array(pairs)) = u.get("query") {
            let mut parsed = url::Url::parse(&url).unwrap();
            for p in pairs {
                parsed
                    .query_pairs_mut()
                    .append_pair(p[0].as_str().unwrap(), p[1].as_str().unwrap());
            }
            url = parsed.to_string();
        }
        expect_eq(id, "url", &url, u["expected"].as_str().unwrap())?;
    }
    if let Some(sw) = v.get("swagger") {
        let got = uri
            .swagger_url(
                &base,
                sw["category"].as_str(),
                sw["downloadable"].as_bool().unwrap(),
                sw["version_id"].as_str(),
            )
            .map_err(|e| e.to_string())?;
        expect_eq(id, "swagger", &got, sw["expected"].as_str().unwrap())?;
    }
    Ok(())
}

fn expect_eq(id: &str, what: &str, got: &str, expected: &str) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "{id}: {what}\n   got      {got}\n   expected {expected}"
        ))
    }
}

#[test]
fn all_uri_vectors() {
    let doc: Value = serde_json::from_str(include_str!("data/uri_vectors.json")).unwrap();
    let default_base = doc["default_base"].as_str().unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    let active: Vec<&Value> = vectors.iter().filter(|v| v.get("skip").is_none()).collect();
    assert!(active.len() >= 50, "only {} active vectors", active.len());
    let mut ids = std::collections::HashSet::new();
    for v in vectors {
        assert!(
            ids.insert(v["id"].as_str().unwrap()),
            "duplicate id {}",
            v["id"]
        );
        if v.get("error").is_some() || v.get("skip").is_some() {
            continue;
        }
        let keys = [
            "decoded",
            "short",
            "long",
            "execute",
            "metadata",
            "validation",
            "wasm",
            "schema",
            "versions",
            "v4_execute",
            "v4_service",
            "meta",
            "url",
            "swagger",
            "v4_only",
        ];
        assert!(
            keys.iter().any(|k| v.get(*k).is_some()),
            "{} asserts nothing",
            v["id"]
        );
    }
    let failures: Vec<String> = active
        .iter()
        .filter_map(|v| check(v, default_base).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        active.len(),
        failures.join("\n")
    );
}

#[test]
fn execute_body_matches_the_reference_shape() {
    let uri = ServiceUri::parse("f/s[1.2.3]").unwrap();
    let mut inputs = Map::new();
    inputs.insert("x".into(), Value::from(1));
    let opts = ExecuteOptions::default()
        .active_since("2024-01-01")
        .call_purpose("cp")
        .source_system("src")
        .correlation_id("cid")
        .selected_outputs(["o1", "o2"])
        .echo_inputs(true)
        .subservices(["a", "b"])
        .extra("zz", Value::from(1))
        .extra("compiler_type", Value::Null);
    let body: Value = serde_json::from_slice(&v3_body(&uri, &inputs, &opts).unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"request_data": {"inputs": {"x": 1}}, "request_meta": {
            "version": "1.2.3", "transaction_date": "2024-01-01", "call_purpose": "cp", "source_system": "src",
            "correlation_id": "cid", "excel_file": false, "requested_output": "o1,o2",
            "response_data_inputs": true, "service_category": "a,b", "zz": 1}})
    );
    let minimal = v3_body(
        &ServiceUri::parse("f/s").unwrap(),
        &Map::new(),
        &ExecuteOptions::default(),
    )
    .unwrap();
    let minimal: Value = serde_json::from_slice(&minimal).unwrap();
    assert_eq!(
        minimal,
        serde_json::json!({"request_data": {"inputs": {}}, "request_meta": {
            "call_purpose": "Single Execution", "source_system": "Spark Rust SDK", "compiler_type": "Neuron",
            "excel_file": false, "response_data_inputs": false}})
    );
}

#[test]
fn parser_never_panics_and_round_trips() {
    use rand::{Rng, SeedableRng};
    let alphabet: Vec<char> = "ab/[]% ?#.-_ü0folderservicesversionproxypublic"
        .chars()
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut parsed = 0;
    for _ in 0..20_000 {
        let len = rng.random_range(0..24);
        let input: String = (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect();
        if let Ok(uri) = ServiceUri::parse(&input) {
            parsed += 1;
            let again = ServiceUri::parse(&uri.to_string())
                .unwrap_or_else(|e| panic!("{input:?} -> {uri} -> {e}"));
            assert_eq!(again, uri, "{input:?}");
            let base = BaseUrl::parse("http://127.0.0.1:1/t", None).unwrap();
            let url = url::Url::parse(&uri.execute_url(&base)).unwrap();
            assert!(
                url.query().is_none() && url.fragment().is_none(),
                "{input:?} leaks into query/fragment: {url}"
            );
        }
    }
    assert!(
        parsed > 100,
        "the generator should hit valid locators ({parsed})"
    );
}
