//! Reading the schema of one pinned service version, from the documented path first.
//!
//! Three public sources describe three paths for the same document:
//!
//! 1. `GET /api/v1/product/{folder}/engines/get/{service}/{versionId}`: Coherent's OpenAPI
//!    description (`getProductEnginesGet`); the answer wraps the schema in `data`;
//! 2. `POST /{tenant}/api/v3/GetEngineDetailByVersionId/versionid/{versionId}`: the Python and
//!    TypeScript SDKs;
//! 3. `GET /api/v1/product/{folder}/engines/getbyversionid/{service}/{versionId}`: Coherent's
//!    Postman collection.
//!
//! [`schema_by_version_id`] tries them in that order and moves on only when a path answers
//! 404 (a tenant that does not serve it); any other failure is returned as is.

use cspark::{Client, ServiceUri, SparkError};
use serde_json::Value;

/// Which of the three paths answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaSource {
    /// `GET …/engines/get/{service}/{versionId}` (Coherent's OpenAPI description).
    Documented,
    /// `POST …/api/v3/GetEngineDetailByVersionId/versionid/{versionId}` (the SDKs).
    EngineDetail,
    /// `GET …/engines/getbyversionid/{service}/{versionId}` (the Postman collection).
    ByVersionId,
}

fn not_found(e: &SparkError) -> bool {
    e.status() == Some(404)
}

/// The schema document of `folder/service` at `version_id`, unwrapped from `data` when the
/// answer is in the wrapped form, and the path that gave it.
pub async fn schema_by_version_id(
    client: &Client,
    folder: &str,
    service: &str,
    version_id: &str,
) -> Result<(Value, SchemaSource), SparkError> {
    use cspark::transport::path_segment as segment;
    let url = format!(
        "{}/api/v1/product/{}/engines/get/{}/{}",
        client.base_url().origin(),
        segment(folder),
        segment(service),
        segment(version_id)
    );
    let documented = async {
        let spec = cspark::transport::RequestSpec::get(&url)?;
        client
            .transport()
            .send(spec)
            .await?
            .json::<Value>("service schema")
    };
    match documented.await {
        Ok(doc) => return Ok((unwrap_data(doc), SchemaSource::Documented)),
        Err(e) if not_found(&e) => {}
        Err(e) => return Err(e),
    }
    match client
        .services()
        .get_schema_raw(ServiceUri::version_id(version_id)?)
        .await
    {
        Ok(doc) => return Ok((unwrap_data(doc), SchemaSource::EngineDetail)),
        Err(e) if not_found(&e) => {}
        Err(e) => return Err(e),
    }
    let uri = ServiceUri::new(folder, service)?;
    let doc = client
        .services()
        .get_schema_by_version_id_raw(&uri, version_id)
        .await?;
    Ok((unwrap_data(doc), SchemaSource::ByVersionId))
}

/// The schema inside the wrapped form `{status, data: {...}}`, else the document itself.
fn unwrap_data(doc: Value) -> Value {
    if std::ptr::eq(crate::service::schema::schema_body(&doc), &doc) {
        return doc;
    }
    match doc {
        Value::Object(mut map) => map.remove("data").unwrap_or(Value::Null),
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// A loopback server that records `METHOD path` of each request and answers with
    /// `answer(method, path)` = (status, JSON body).
    async fn server(answer: fn(&str, &str) -> (u16, String)) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            for _ in 0..32 {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let mut buf = vec![0u8; 16 * 1024];
                let mut len = 0;
                // Read the head (the requests here have tiny or no bodies).
                while len < buf.len() {
                    let n = socket.read(&mut buf[len..]).await.unwrap_or(0);
                    len += n;
                    if n == 0 || buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                let head = String::from_utf8_lossy(&buf[..len]).to_string();
                let mut words = head.split_whitespace();
                let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                log.lock().unwrap().push(format!("{method} {path}"));
                let (status, body) = answer(method, path);
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            }
        });
        (format!("http://127.0.0.1:{}/my-tenant", addr.port()), seen)
    }

    fn client(base: &str) -> Client {
        Client::builder()
            .base_url(base)
            .api_key("k")
            .max_retries(0)
            .build()
            .unwrap()
    }

    const SCHEMA: &str =
        r#"{"xlInputs": [], "xOutput": [{"name": "y"}], "bookSummary": {"bookRevision": "1.0.0"}}"#;

    #[tokio::test]
    async fn the_documented_path_comes_first_and_its_wrapped_answer_is_unwrapped() {
        let (base, seen) = server(|_, _| {
            (
                200,
                format!(r#"{{"status": "Success", "errorCode": null, "data": {SCHEMA}}}"#),
            )
        })
        .await;
        let (doc, source) = schema_by_version_id(&client(&base), "my folder", "svc", "v-1")
            .await
            .unwrap();
        assert_eq!(source, SchemaSource::Documented);
        assert_eq!(doc["bookSummary"]["bookRevision"], "1.0.0");
        assert_eq!(
            *seen.lock().unwrap(),
            vec!["GET /api/v1/product/my%20folder/engines/get/svc/v-1"]
        );
    }

    #[tokio::test]
    async fn the_other_documented_forms_are_tried_on_404_only() {
        let (base, seen) = server(|_, path| {
            if path.contains("/getbyversionid/") {
                (200, SCHEMA.to_string())
            } else {
                (
                    404,
                    r#"{"status": "Error", "errorCode": "NOT_FOUND", "message": "no"}"#.into(),
                )
            }
        })
        .await;
        let (doc, source) = schema_by_version_id(&client(&base), "f", "s", "v-2")
            .await
            .unwrap();
        assert_eq!(source, SchemaSource::ByVersionId);
        assert_eq!(doc["xOutput"][0]["name"], "y");
        assert_eq!(
            *seen.lock().unwrap(),
            vec![
                "GET /api/v1/product/f/engines/get/s/v-2",
                "POST /my-tenant/api/v3/GetEngineDetailByVersionId/versionid/v-2",
                "GET /api/v1/product/f/engines/getbyversionid/s/v-2",
            ]
        );

        // Any other failure stops at once.
        let (base, seen) = server(|_, _| (403, r#"{"message": "forbidden"}"#.into())).await;
        let err = schema_by_version_id(&client(&base), "f", "s", "v-3")
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(403));
        assert_eq!(seen.lock().unwrap().len(), 1);
    }
}
