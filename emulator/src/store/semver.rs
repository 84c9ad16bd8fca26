//! Semantic versions `major.minor.patch` as Spark numbers service versions, and partial
//! versions (`1.2`) as service URIs name them.

use serde::{Deserialize, Serialize};

/// A semantic version `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SemVer(pub u64, pub u64, pub u64);

impl SemVer {
    /// Parse `1.2.3`; `None` for anything else.
    pub fn parse(text: &str) -> Option<SemVer> {
        let parts = parse_parts(text)?;
        match parts.as_slice() {
            [a, b, c] => Some(SemVer(*a, *b, *c)),
            _ => None,
        }
    }

    /// Does this version match a full or partial version (`1`, `1.2`, `1.2.3`)?
    pub fn matches(&self, partial: &[u64]) -> bool {
        let mine = [self.0, self.1, self.2];
        partial.len() <= 3 && partial.iter().zip(mine.iter()).all(|(a, b)| a == b)
    }

    /// The next version for a `version_difference` of `major`, `minor` (default) or `patch`.
    pub fn bump(self, difference: &str) -> SemVer {
        match difference.to_ascii_lowercase().as_str() {
            "major" => SemVer(self.0.saturating_add(1), 0, 0),
            "patch" => SemVer(self.0, self.1, self.2.saturating_add(1)),
            _ => SemVer(self.0, self.1.saturating_add(1), 0),
        }
    }
}

impl std::fmt::Display for SemVer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// Parse `1`, `1.2` or `1.2.3` into its numbers.
pub fn parse_parts(text: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = text.trim().split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty() && p.len() <= 3)
}
