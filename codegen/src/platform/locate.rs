//! Finds the node of a document that `openapiv3` refuses, as a JSON pointer.
//!
//! `openapiv3` reads `$ref`-or-item nodes through untagged enums, which buffer their input:
//! the path of an error inside one is lost (serde reports only `data did not match any
//! variant`). So after a failed read of the whole document, this module reads the parts
//! again one by one as their item types, from the outside in (path items, operations,
//! parameters, bodies, responses, components), and reports the deepest failing part with
//! the path `serde_path_to_error` finds inside it.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::normalise::{METHODS, escape};

/// JSON pointer of the node a deserialisation error is about, below `base`.
fn pointer_of(base: &str, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = base.to_string();
    for segment in path.iter() {
        match segment {
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape(key));
            }
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

/// Reads `node` as `T` (or leaves it alone when it is a `$ref`); on failure returns the
/// pointer and message of the error.
fn check<T: DeserializeOwned>(node: &Value, base: &str) -> Option<(String, String)> {
    if node.get("$ref").is_some() {
        return None;
    }
    serde_path_to_error::deserialize::<_, T>(node.clone())
        .err()
        .map(|e| (pointer_of(base, e.path()), e.inner().to_string()))
}

fn first<I: IntoIterator<Item = Option<(String, String)>>>(it: I) -> Option<(String, String)> {
    it.into_iter().flatten().next()
}

/// Entries of an object node with their pointers.
fn entries<'a>(node: Option<&'a Value>, base: &str) -> Vec<(String, &'a Value)> {
    node.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (format!("{base}/{}", escape(k)), v))
                .collect()
        })
        .unwrap_or_default()
}

fn operation(op: &Value, base: &str) -> Option<(String, String)> {
    let params = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .enumerate()
                .map(|(i, p)| check::<openapiv3::Parameter>(p, &format!("{base}/parameters/{i}")))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let body = op
        .get("requestBody")
        .and_then(|b| check::<openapiv3::RequestBody>(b, &format!("{base}/requestBody")));
    let responses = entries(op.get("responses"), &format!("{base}/responses"))
        .into_iter()
        .map(|(ptr, r)| check::<openapiv3::Response>(r, &ptr));
    first(params.into_iter().chain([body]).chain(responses))
        .or_else(|| check::<openapiv3::Operation>(op, base))
}

/// The deepest node of `doc` (an OpenAPI 3.0 document after normalisation) that does not
/// read as its `openapiv3` type, as `(pointer, message)`.
pub fn refused_node(doc: &Value) -> Option<(String, String)> {
    for (base, item) in entries(doc.get("paths"), "/paths") {
        let ops = METHODS.iter().filter_map(|m| {
            item.get(*m)
                .and_then(|op| operation(op, &format!("{base}/{m}")))
        });
        if let Some(found) = first(ops.map(Some)) {
            return Some(found);
        }
        if let Some(found) = check::<openapiv3::PathItem>(item, &base) {
            return Some(found);
        }
    }
    let components = doc.get("components");
    let section = |name: &str| {
        entries(
            components.and_then(|c| c.get(name)),
            &format!("/components/{name}"),
        )
    };
    let found = first(
        section("schemas")
            .into_iter()
            .map(|(p, v)| check::<openapiv3::Schema>(v, &p))
            .chain(
                section("parameters")
                    .into_iter()
                    .map(|(p, v)| check::<openapiv3::Parameter>(v, &p)),
            )
            .chain(
                section("requestBodies")
                    .into_iter()
                    .map(|(p, v)| check::<openapiv3::RequestBody>(v, &p)),
            )
            .chain(
                section("responses")
                    .into_iter()
                    .map(|(p, v)| check::<openapiv3::Response>(v, &p)),
            )
            .chain(
                section("headers")
                    .into_iter()
                    .map(|(p, v)| check::<openapiv3::Header>(v, &p)),
            )
            .chain(
                section("securitySchemes")
                    .into_iter()
                    .map(|(p, v)| check::<openapiv3::SecurityScheme>(v, &p)),
            ),
    );
    found.or_else(|| check::<openapiv3::OpenAPI>(doc, ""))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_node_inside_reference_or_item_nodes() {
        let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
            "/a": {"get": {"operationId": "a", "responses": {"200": {"description": 5}}}}
        }});
        let (pointer, message) = refused_node(&doc).unwrap();
        assert_eq!(pointer, "/paths/~1a/get/responses/200/description");
        assert!(message.contains("expected a string"), "{message}");

        let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"parameters": {"p": {"name": "p", "in": "nowhere"}}}});
        assert_eq!(refused_node(&doc).unwrap().0, "/components/parameters/p/in");
    }
}
