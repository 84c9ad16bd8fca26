//! Folders ("products" in the v1 API): a small registry kept next to the service catalogue.
//! Folders that only exist implicitly (a service was published into them) are added on first
//! sight, so every folder of the catalogue is visible through the folder API.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Folder {
    /// Folder UUID.
    pub id: String,
    /// Name (case kept).
    pub name: String,
    /// Category (default `Other`).
    pub category: String,
    /// Description.
    pub description: Option<String>,
    /// Status (default `Design`).
    pub status: String,
    /// Start date.
    pub start_date: Option<DateTime<Utc>>,
    /// Launch date.
    pub launch_date: Option<DateTime<Utc>>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub modified_at: DateTime<Utc>,
    /// Whether a cover image was uploaded.
    pub has_cover: bool,
}

impl Folder {
    /// A folder with default fields.
    pub fn new(name: &str) -> Folder {
        let now = Utc::now();
        Folder {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_string(),
            category: "Other".into(),
            description: None,
            status: "Design".into(),
            start_date: None,
            launch_date: None,
            created_at: now,
            modified_at: now,
            has_cover: false,
        }
    }
}

/// The folder registry (keyed by lower-cased name), saved as `folders.json` with a data dir.
#[derive(Default)]
pub struct Folders {
    map: Mutex<BTreeMap<String, Folder>>,
    file: Option<PathBuf>,
}

impl Folders {
    /// A registry persisted in `file`, loading what it already holds.
    pub fn persistent(file: Option<PathBuf>) -> Folders {
        let map = file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|b| serde_json::from_slice::<Vec<Folder>>(&b).ok())
            .map(|list| {
                list.into_iter()
                    .map(|f| (f.name.to_lowercase(), f))
                    .collect()
            })
            .unwrap_or_default();
        Folders {
            map: Mutex::new(map),
            file,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Folder>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn save(&self, map: &BTreeMap<String, Folder>) {
        let Some(file) = &self.file else { return };
        let list: Vec<&Folder> = map.values().collect();
        let result = serde_json::to_vec_pretty(&list)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                if let Some(dir) = file.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(file, bytes)
            });
        if let Err(e) = result {
            tracing::error!(file = %file.display(), error = %e, "cannot save folders");
        }
    }

    /// Add folders named by the catalogue that the registry does not know yet.
    pub fn ensure<'a>(&self, names: impl Iterator<Item = &'a str>) {
        let mut map = self.lock();
        let mut added = false;
        for name in names {
            if let std::collections::btree_map::Entry::Vacant(slot) = map.entry(name.to_lowercase())
            {
                slot.insert(Folder::new(name));
                added = true;
            }
        }
        if added {
            self.save(&map);
        }
    }

    /// Insert a new folder; `false` if the name is taken.
    pub fn create(&self, folder: Folder) -> bool {
        let mut map = self.lock();
        let key = folder.name.to_lowercase();
        if map.contains_key(&key) {
            return false;
        }
        map.insert(key, folder);
        self.save(&map);
        true
    }

    /// Find by id or by name.
    pub fn find(&self, id_or_name: &str) -> Option<Folder> {
        let map = self.lock();
        map.get(&id_or_name.to_lowercase())
            .or_else(|| map.values().find(|f| f.id.eq_ignore_ascii_case(id_or_name)))
            .cloned()
    }

    /// Change a folder (found by id or name) in place.
    pub fn update(&self, id_or_name: &str, change: impl FnOnce(&mut Folder)) -> Option<Folder> {
        let mut map = self.lock();
        let key = map
            .iter()
            .find(|(k, f)| {
                f.id.eq_ignore_ascii_case(id_or_name) || **k == id_or_name.to_lowercase()
            })
            .map(|(k, _)| k.clone())?;
        let old = map.remove(&key)?;
        let mut folder = old;
        change(&mut folder);
        folder.modified_at = Utc::now();
        let updated = folder.clone();
        map.insert(folder.name.to_lowercase(), folder);
        self.save(&map);
        Some(updated)
    }

    /// Remove a folder (by id or name); returns it.
    pub fn remove(&self, id_or_name: &str) -> Option<Folder> {
        let mut map = self.lock();
        let key = map
            .iter()
            .find(|(k, f)| {
                f.id.eq_ignore_ascii_case(id_or_name) || **k == id_or_name.to_lowercase()
            })
            .map(|(k, _)| k.clone())?;
        let removed = map.remove(&key);
        self.save(&map);
        removed
    }

    /// Every folder, by name.
    pub fn all(&self) -> Vec<Folder> {
        self.lock().values().cloned().collect()
    }
}
