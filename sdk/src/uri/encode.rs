//! Percent-encoding of URL path segments. Every id or name that goes into a path
//! passes through [`segment`]; no caller formats raw values into a path.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Characters escaped inside one path segment: controls, space, the URL delimiters
/// (`/ ? #`), `%` itself (so a literal `%20` in a name stays literal), brackets (used by
/// the SDK as version delimiters) and the characters WHATWG escapes in paths.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Percent-encodes one path segment (UTF-8 for non-ASCII).
///
/// ```no_run
/// use cspark::transport::path_segment;
/// assert_eq!(path_segment("my folder/x?"), "my%20folder%2Fx%3F");
/// ```
pub fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}
