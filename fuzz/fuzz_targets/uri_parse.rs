//! `cspark::ServiceUri::parse` on arbitrary strings: never panics; whatever parses has a
//! stable `Display` (parse(display(u)) == u) and a buildable execute URL.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = cspark::ServiceUri::parse(text) else {
        return;
    };
    let shown = uri.to_string();
    let again = cspark::ServiceUri::parse(&shown);
    assert!(
        again.is_ok(),
        "{text:?} parsed, but its display {shown:?} does not"
    );
    if let Ok(base) = cspark::BaseUrl::parse("http://127.0.0.1:1/t", None) {
        let url = uri.execute_url(&base);
        assert!(url.starts_with("http://127.0.0.1:1/t/"), "{url}");
    }
});
