//! Append-only persistence of one batch (`--data DIR`): `DIR/batches/{id}.jsonl`, one JSON
//! entry a line. A save appends only what changed since the last one: the results computed
//! since (each once, under a sequence number), the numbers of the results pulled since, and
//! the small state (status, counters). Pushing N chunks therefore writes O(N) bytes, where
//! rewriting the whole batch on every push wrote O(N²). Loading replays the lines; a torn last
//! line (a crash while appending) ends the replay there.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One line of a journal.
#[derive(Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub(crate) enum Entry {
    /// First line: what never changes.
    Header {
        id: String,
        version_id: String,
        requested: Option<Vec<String>>,
        request: Map<String, Value>,
        created: DateTime<Utc>,
    },
    /// The state after a change.
    State {
        status: String,
        updated: DateTime<Utc>,
        counters: [u64; 8],
    },
    /// A computed chunk, waiting to be pulled.
    Result {
        seq: u64,
        body: Value,
        records: u64,
        bytes: u64,
    },
    /// Results pulled (or discarded) since the last save.
    Pulled { seqs: Vec<u64> },
}

/// What has been written for one batch: the next sequence number and the results written
/// and not yet pulled.
#[derive(Default)]
pub(crate) struct Written {
    pub next_seq: u64,
    pub live: BTreeSet<u64>,
}

impl Written {
    /// A fresh journal (its first save writes the header).
    pub fn new() -> Written {
        Written {
            next_seq: 1,
            live: BTreeSet::new(),
        }
    }
}

/// Append `entries` to the journal at `path` (created on first use).
pub(crate) fn append(path: &Path, entries: &[Entry]) -> std::io::Result<()> {
    let mut text = Vec::new();
    for entry in entries {
        serde_json::to_writer(&mut text, entry)?;
        text.push(b'\n');
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(&text)
}

/// A batch as replayed from its journal.
pub(crate) struct Replayed {
    pub id: String,
    pub version_id: String,
    pub requested: Option<Vec<String>>,
    pub request: Map<String, Value>,
    pub created: DateTime<Utc>,
    pub status: String,
    pub updated: DateTime<Utc>,
    pub counters: [u64; 8],
    /// Unpulled results in push order: (seq, body, records, bytes).
    pub results: Vec<(u64, Value, u64, u64)>,
    pub written: Written,
}

/// Replay the journal text of one batch.
pub(crate) fn replay(text: &str) -> Result<Replayed, String> {
    let mut lines = text.lines();
    let first = lines.next().ok_or("empty batch journal")?;
    let Ok(Entry::Header {
        id,
        version_id,
        requested,
        request,
        created,
    }) = serde_json::from_str(first)
    else {
        return Err("the batch journal does not start with its header".into());
    };
    let mut state = ("created".to_string(), created, [0u64; 8]);
    let mut results: BTreeMap<u64, (Value, u64, u64)> = BTreeMap::new();
    let mut next_seq = 1;
    for line in lines {
        match serde_json::from_str::<Entry>(line) {
            Ok(Entry::State {
                status,
                updated,
                counters,
            }) => state = (status, updated, counters),
            Ok(Entry::Result {
                seq,
                body,
                records,
                bytes,
            }) => {
                next_seq = next_seq.max(seq + 1);
                results.insert(seq, (body, records, bytes));
            }
            Ok(Entry::Pulled { seqs }) => {
                for seq in seqs {
                    results.remove(&seq);
                }
            }
            Ok(Entry::Header { .. }) | Err(_) => break,
        }
    }
    let (status, updated, counters) = state;
    let live = results.keys().copied().collect();
    Ok(Replayed {
        id,
        version_id,
        requested,
        request,
        created,
        status,
        updated,
        counters,
        results: results
            .into_iter()
            .map(|(seq, (body, records, bytes))| (seq, body, records, bytes))
            .collect(),
        written: Written { next_seq, live },
    })
}
