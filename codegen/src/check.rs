//! `--check`: compare freshly generated code with the committed file.

use std::path::Path;

use similar::TextDiff;

use crate::error::{Error, Result};

/// The result of comparing generated text with a file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The file exists and is byte-for-byte what would be generated.
    Fresh,
    /// The file differs; `diff` is a unified diff from the committed file to the new text.
    Stale {
        /// Unified diff (`--- committed`, `+++ generated`).
        diff: String,
    },
    /// The file does not exist.
    Missing,
}

impl Outcome {
    /// True for [`Outcome::Fresh`].
    pub fn is_fresh(&self) -> bool {
        matches!(self, Outcome::Fresh)
    }
}

/// Compares `generated` with the contents of `path`.
pub fn compare(path: &Path, generated: &str) -> Result<Outcome> {
    let committed = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Outcome::Missing),
        Err(e) => return Err(Error::io(path, e)),
    };
    Ok(compare_text(
        &path.display().to_string(),
        &committed,
        generated,
    ))
}

/// Compares two texts; `label` names the committed side in the diff header.
pub fn compare_text(label: &str, committed: &str, generated: &str) -> Outcome {
    if committed == generated {
        return Outcome::Fresh;
    }
    let diff = TextDiff::from_lines(committed, generated)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{label} (committed)"),
            &format!("{label} (generated)"),
        )
        .to_string();
    Outcome::Stale { diff }
}

/// Writes `text` to `path` (creating parent directories) unless it is already identical,
/// so that unchanged output does not touch the file's mtime (and trigger rebuilds).
pub fn write_if_changed(path: &Path, text: &str) -> Result<bool> {
    if std::fs::read_to_string(path).is_ok_and(|t| t == text) {
        return Ok(false);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
    Ok(true)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_changed_lines() {
        assert!(compare_text("f.rs", "a\nb\n", "a\nb\n").is_fresh());
        let Outcome::Stale { diff } = compare_text("f.rs", "a\nb\n", "a\nc\n") else {
            panic!("expected stale");
        };
        assert!(diff.contains("-b\n") && diff.contains("+c\n"), "{diff}");
        assert!(diff.contains("--- f.rs (committed)"), "{diff}");
    }

    #[test]
    fn missing_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            compare(&dir.path().join("nope.rs"), "x").unwrap(),
            Outcome::Missing
        );
        let p = dir.path().join("sub/out.rs");
        assert!(write_if_changed(&p, "x").unwrap());
        assert!(!write_if_changed(&p, "x").unwrap());
        assert!(compare(&p, "x").unwrap().is_fresh());
    }
}
