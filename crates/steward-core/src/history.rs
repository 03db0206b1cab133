//! History: the append-only trail of every create, update and transition, and the rules of its
//! hash chain. Each entry's digest covers its content; each entry's hash covers the previous hash,
//! its sequence number and its digest. Chaining digests rather than content means an entry's
//! personal data can later be redacted while the chain still verifies.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::id::UserId;
use crate::named_enum;
use crate::record::RecordKind;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

named_enum! {
    HistoryAction {
        Create = "create",
        Update = "update",
        Transition = "transition",
        Link = "link",
        Unlink = "unlink",
        MemberAdded = "member_added",
        MemberRemoved = "member_removed",
        SlaWarning = "sla_warning",
        SlaBreach = "sla_breach",
        Comment = "comment",
        Attach = "attach",
        /// A reminder Steward sent about the record (a certificate's step falling due).
        Reminder = "reminder",
    }
}

/// One entry as it will be written: values are kept as the JSON text that is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryContent {
    pub record_kind: RecordKind,
    pub record_id: i64,
    pub actor: Option<UserId>,
    /// Microseconds since the Unix epoch.
    pub at_micros: i64,
    pub action: HistoryAction,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// A stored entry as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub seq: i64,
    /// Reference of the record this entry belongs to.
    pub record: String,
    pub actor: Option<UserId>,
    pub at: DateTime<Utc>,
    pub action: HistoryAction,
    pub field: Option<String>,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// The digest of an entry's content. Every part is length-prefixed, so no two different entries
/// can produce the same byte stream.
pub fn digest(e: &EntryContent) -> String {
    let actor = e.actor.map(|a| a.0.to_string()).unwrap_or_default();
    let opt = |v: &Option<String>| match v {
        Some(s) => format!("1{s}"),
        None => "0".to_string(),
    };
    sha256_hex(&[
        e.record_kind.as_str().as_bytes(),
        e.record_id.to_string().as_bytes(),
        actor.as_bytes(),
        e.at_micros.to_string().as_bytes(),
        e.action.as_str().as_bytes(),
        opt(&e.field).as_bytes(),
        opt(&e.old_value).as_bytes(),
        opt(&e.new_value).as_bytes(),
    ])
}

/// The chain hash of entry `seq`, given the previous entry's hash.
pub fn chain(prev_hash: &str, seq: i64, digest: &str) -> String {
    sha256_hex(&[prev_hash.as_bytes(), seq.to_string().as_bytes(), digest.as_bytes()])
}

/// The fields whose values differ between two versions of a record, with old and new values as
/// JSON text. `updated_at` is left out: every entry carries its own time.
pub fn diff<T: Serialize>(old: &T, new: &T) -> Vec<(String, String, String)> {
    let (Ok(Value::Object(a)), Ok(Value::Object(b))) = (serde_json::to_value(old), serde_json::to_value(new)) else {
        return Vec::new();
    };
    b.iter()
        .filter(|(k, _)| k.as_str() != "updated_at")
        .filter_map(|(k, nv)| {
            let ov = a.get(k).unwrap_or(&Value::Null);
            (ov != nv).then(|| (k.clone(), ov.to_string(), nv.to_string()))
        })
        .collect()
}

/// A problem found while verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    /// The entry's content no longer matches its digest: it was edited.
    Edited { seq: i64, record: String },
    /// The entry's hash does not follow from its predecessor: entries were removed, inserted or
    /// reordered before it, or its hash was rewritten.
    Broken { seq: i64, record: String },
    /// Sequence numbers jump: entries between were deleted.
    Missing { after: i64, next: i64 },
    /// The last entry is not the one the chain head records: trailing entries were deleted.
    Truncated { head_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for ChainFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainFault::Edited { seq, record } => {
                write!(
                    f,
                    "history entry {seq} ({record}) was edited: its content does not match its digest"
                )
            }
            ChainFault::Broken { seq, record } => write!(
                f,
                "history entry {seq} ({record}) does not follow from the entry before it: entries were inserted, removed, reordered or rehashed"
            ),
            ChainFault::Missing { after, next } => {
                write!(f, "history entries {} to {} are missing (deleted)", after + 1, next - 1)
            }
            ChainFault::Truncated { head_seq, last_seq } => write!(
                f,
                "the chain head names entry {head_seq} but the last entry is {last_seq}: entries were deleted from the end"
            ),
        }
    }
}

/// A stored entry as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub seq: i64,
    pub content: EntryContent,
    pub digest: String,
    pub hash: String,
}

/// Walks entries in `seq` order, carrying the previous hash between batches.
#[derive(Debug)]
pub struct Verifier {
    prev_seq: i64,
    prev_hash: String,
    pub checked: u64,
    pub faults: Vec<ChainFault>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            prev_seq: 0,
            prev_hash: GENESIS.to_string(),
            checked: 0,
            faults: Vec::new(),
        }
    }
}

impl Verifier {
    pub fn last_seq(&self) -> i64 {
        self.prev_seq
    }

    pub fn check(&mut self, e: &StoredEntry) {
        let record = format!("{}-{}", e.content.record_kind.prefix(), e.content.record_id);
        if e.seq != self.prev_seq + 1 {
            self.faults.push(ChainFault::Missing {
                after: self.prev_seq,
                next: e.seq,
            });
        }
        if digest(&e.content) != e.digest {
            self.faults.push(ChainFault::Edited {
                seq: e.seq,
                record: record.clone(),
            });
        }
        if chain(&self.prev_hash, e.seq, &e.digest) != e.hash {
            self.faults.push(ChainFault::Broken { seq: e.seq, record });
        }
        self.prev_seq = e.seq;
        self.prev_hash = e.hash.clone();
        self.checked += 1;
    }

    /// Records an entry whose stored kind or action no longer parses: it was edited.
    pub fn unreadable(&mut self, seq: i64, record: String, hash: &str) {
        self.faults.push(ChainFault::Edited { seq, record });
        self.prev_seq = seq;
        self.prev_hash = hash.to_string();
        self.checked += 1;
    }

    /// Compares the end of the walk with the chain head the store keeps.
    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> Self {
        if head_seq != self.prev_seq || head_hash != self.prev_hash {
            self.faults.push(ChainFault::Truncated {
                head_seq,
                last_seq: self.prev_seq,
            });
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str, new: &str) -> StoredEntry {
        let content = EntryContent {
            record_kind: RecordKind::Incident,
            record_id: 1,
            actor: Some(UserId(2)),
            at_micros: 1_700_000_000_000_000 + seq,
            action: HistoryAction::Update,
            field: Some("title".into()),
            old_value: Some("\"a\"".into()),
            new_value: Some(new.into()),
        };
        let d = digest(&content);
        StoredEntry {
            seq,
            hash: chain(prev, seq, &d),
            digest: d,
            content,
        }
    }

    fn good_chain(n: i64) -> Vec<StoredEntry> {
        let mut out: Vec<StoredEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map(|e| e.hash.clone()).unwrap_or(GENESIS.to_string());
            out.push(entry(seq, &prev, &format!("\"v{seq}\"")));
        }
        out
    }

    fn verify(entries: &[StoredEntry], head: (i64, &str)) -> Vec<ChainFault> {
        let mut v = Verifier::default();
        for e in entries {
            v.check(e);
        }
        v.finish(head.0, head.1).faults
    }

    #[test]
    fn intact_chain_verifies() {
        let c = good_chain(5);
        assert!(verify(&c, (5, &c[4].hash)).is_empty());
        assert!(verify(&[], (0, GENESIS)).is_empty());
    }

    #[test]
    fn edit_delete_reorder_and_truncation_are_named() {
        let c = good_chain(5);
        let head = (5, c[4].hash.clone());

        let mut edited = c.clone();
        edited[2].content.new_value = Some("\"forged\"".into());
        assert_eq!(
            verify(&edited, (head.0, &head.1)),
            [ChainFault::Edited {
                seq: 3,
                record: "INC-1".into()
            }]
        );

        let mut deleted = c.clone();
        deleted.remove(1);
        let f = verify(&deleted, (head.0, &head.1));
        assert!(f.contains(&ChainFault::Missing { after: 1, next: 3 }), "{f:?}");

        let mut reordered = c.clone();
        reordered.swap(1, 2);
        let f = verify(&reordered, (head.0, &head.1));
        assert!(f.iter().any(|x| matches!(x, ChainFault::Broken { .. })), "{f:?}");

        let truncated = &c[..4];
        assert_eq!(
            verify(truncated, (head.0, &head.1)),
            [ChainFault::Truncated {
                head_seq: 5,
                last_seq: 4
            }]
        );
    }

    #[test]
    fn diff_lists_changed_fields_only() {
        #[derive(Serialize)]
        struct R {
            a: i32,
            b: &'static str,
            updated_at: i32,
        }
        let d = diff(
            &R {
                a: 1,
                b: "x",
                updated_at: 1,
            },
            &R {
                a: 2,
                b: "x",
                updated_at: 2,
            },
        );
        assert_eq!(d, [("a".to_string(), "1".to_string(), "2".to_string())]);
    }
}
