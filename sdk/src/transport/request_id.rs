//! Request ids: random version-4 UUIDs, as before, but drawn from the thread-local
//! userspace generator instead of one `getrandom` system call per call (which showed up
//! in the P1 profile; see BENCHMARKS.md).

/// A new `x-request-id`: a random (version 4, RFC 4122 variant) UUID in lower-case
/// hyphenated form.
pub(crate) fn new_request_id() -> String {
    let uuid = uuid::Builder::from_random_bytes(rand::random::<[u8; 16]>()).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    uuid.hyphenated().encode_lower(&mut text).to_owned()
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::new_request_id;

    #[test]
    fn ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<String> = (0..1_000).map(|_| new_request_id()).collect();
        assert_eq!(ids.len(), 1_000);
        for id in &ids {
            let parsed = uuid::Uuid::parse_str(id).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 4);
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
            assert_eq!(parsed.hyphenated().to_string(), *id);
        }
    }
}
