//! Folder categories (`/api/v1/lookup/…`): the tenant's list of names a folder's `Category`
//! may take, which `savecategory` / `deletecategory` edit (spark-platform.md §2.2; Python SDK
//! `Categories.save/delete`, TypeScript SDK `folders.categories`).

use std::sync::Mutex;

/// One category: `key` identifies it (a uuid for saved ones), `value` is the name shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub key: String,
    pub value: String,
    pub icon: String,
}

/// The categories of a tenant, in insertion order, starting with Spark's defaults.
pub struct Categories(Mutex<Vec<Category>>);

/// The categories a new Spark tenant has (the names and icons of the platform's defaults).
const DEFAULTS: &[(&str, &str)] = &[
    ("Medical", "medical.svg"),
    ("Critical Illness", "criticalillness.svg"),
    ("Lifelong Participation", "lifelongparticipation.svg"),
    ("Universal Life", "universallife.svg"),
    ("Investment Linked", "investmentlinked.svg"),
    ("Annuity", "annuity.svg"),
    ("Term", "term.svg"),
    ("VHIS", "vhis.svg"),
    ("VHIS + Medical", "vhismedical.svg"),
    ("Property & Casualty", "Property-and-casualty-icon.svg"),
    ("Other", "other.svg"),
];

impl Default for Categories {
    fn default() -> Self {
        Categories(Mutex::new(
            DEFAULTS
                .iter()
                .map(|(name, icon)| Category {
                    key: (*name).to_string(),
                    value: (*name).to_string(),
                    icon: (*icon).to_string(),
                })
                .collect(),
        ))
    }
}

impl Categories {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Category>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every category, in order.
    pub fn all(&self) -> Vec<Category> {
        self.lock().clone()
    }

    /// Add `category`, or replace the one with the same key; returns the whole list.
    pub fn save(&self, category: Category) -> Vec<Category> {
        let mut list = self.lock();
        match list.iter_mut().find(|c| c.key == category.key) {
            Some(existing) => *existing = category,
            None => list.push(category),
        }
        list.clone()
    }

    /// Remove the category keyed `key`; `None` when there is none (the list is unchanged).
    pub fn delete(&self, key: &str) -> Option<Vec<Category>> {
        let mut list = self.lock();
        let before = list.len();
        list.retain(|c| c.key != key);
        (list.len() != before).then(|| list.clone())
    }
}
