//! The transform documents of a tenant (`/api/v4/transforms/…`), by folder and name (both
//! matched ignoring case). Checking a document and the wire shapes are the routes' business.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// A stored transform document.
#[derive(Clone, Debug)]
pub struct Transform {
    pub id: String,
    pub name: String,
    /// `transform_type`.
    pub kind: String,
    /// The document as saved (a JSON text).
    pub document: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

/// Transforms by (folder lower-cased, name lower-cased).
#[derive(Default)]
pub struct Transforms(Mutex<BTreeMap<(String, String), Transform>>);

fn key(folder: &str, name: &str) -> (String, String) {
    (folder.to_lowercase(), name.to_lowercase())
}

impl Transforms {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), Transform>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Save `document` as `folder/name`, replacing one of the same name (which keeps its id and
    /// creation time); returns the id.
    pub fn save(&self, folder: &str, name: &str, kind: String, document: String) -> String {
        let mut map = self.lock();
        let now = Utc::now();
        let key = key(folder, name);
        let (id, created) = match map.get(&key) {
            Some(old) => (old.id.clone(), old.created),
            None => (uuid::Uuid::new_v4().to_string(), now),
        };
        map.insert(
            key,
            Transform {
                id: id.clone(),
                name: name.to_string(),
                kind,
                document,
                created,
                updated: now,
            },
        );
        id
    }

    /// The transform `folder/name`.
    pub fn get(&self, folder: &str, name: &str) -> Option<Transform> {
        self.lock().get(&key(folder, name)).cloned()
    }

    /// Remove and return the transform `folder/name`.
    pub fn remove(&self, folder: &str, name: &str) -> Option<Transform> {
        self.lock().remove(&key(folder, name))
    }

    /// The transforms of `folder`, by name.
    pub fn in_folder(&self, folder: &str) -> Vec<Transform> {
        let folder = folder.to_lowercase();
        self.lock()
            .iter()
            .filter(|((f, _), _)| *f == folder)
            .map(|(_, t)| t.clone())
            .collect()
    }
}
