//! The audit trail (docs/access-and-audit.md): events appended inside the transaction of the change they
//! record, so both commit or neither does; the hash chain verified page by page; its head.
//! The chain itself (canonical form, hashing, verification) is `app::domain::audit`.

use app::domain::audit::{
    self as chain, AuditEvent, BreakReason, BrokenLink, ChainVerifier, GENESIS, StoredEvent, VerifiedChain,
};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Serialize;
use serde_json::Value;

use crate::entities::audit_event;

/// What to record. `actor` is whoever caused the change (`"local"` in local mode).
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: String,
    /// Dotted verb, e.g. `import.applied`, `snapshot.published`.
    pub action: String,
    /// What it was done to, e.g. `import_batch:42`, `snapshot:2026-Q3`.
    pub target: String,
    /// Anything that helps an auditor; numbers other than integers are stored as strings.
    pub details: Value,
}

impl AuditEntry {
    pub fn new(actor: &str, action: &str, target: &str, details: Value) -> Self {
        AuditEntry { actor: actor.to_owned(), action: action.to_owned(), target: target.to_owned(), details }
    }
}

/// A stored event as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The chain's newest event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Key of the Postgres advisory lock that serialises appends (any constant no other lock uses).
const APPEND_LOCK_KEY: i64 = 0x504c_4d42_4175_6474; // "PLMBAudt"

/// Rows read per query while verifying, so memory stays constant however long the chain is.
pub const VERIFY_PAGE_ROWS: u64 = 5_000;

/// Appends one event as the next link of the chain. Given the caller's transaction, the event
/// commits or rolls back with the change it records (call it last, just before committing: the
/// append lock is held until that transaction ends). Given a plain connection, the event gets a
/// transaction of its own.
///
/// Appends are serialised so two writers never link to the same head: on Postgres by a
/// transaction-scoped advisory lock; on SQLite by taking the database's single write lock
/// before reading the head. (A SQLite transaction that only *read* before this call may then
/// fail as busy and roll back; it never forks the chain. The `seq` primary key backs both up.)
pub async fn append<C>(conn: &C, entry: AuditEntry, now: DateTime<Utc>) -> Result<AuditRecord, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    // A savepoint inside the caller's transaction, or a transaction of its own.
    let txn = conn.begin().await?;
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})")).await?;
        }
        DbBackend::Sqlite => {
            // A write that matches no row still takes the write lock (waiting while it is busy).
            txn.execute_unprepared("UPDATE audit_event SET seq = seq WHERE 0 = 1").await?;
        }
        _ => {}
    }
    let (prev_seq, prev_hash) = match head(&txn).await? {
        Some(Head { seq, hash }) => (seq, hash),
        None => (0, GENESIS.to_owned()),
    };
    let event = AuditEvent {
        seq: prev_seq + 1,
        // The databases keep microseconds; hash exactly what will be read back.
        at: now.trunc_subsecs(6),
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        details: chain::exact_details(entry.details),
    };
    let stored = chain::seal(&prev_hash, event);
    audit_event::Entity::insert(audit_event::ActiveModel {
        seq: Set(stored.event.seq),
        at: Set(stored.event.at),
        actor: Set(stored.event.actor.clone()),
        action: Set(stored.event.action.clone()),
        target: Set(stored.event.target.clone()),
        details: Set(chain::canonical_json(&stored.event.details)),
        prev_hash: Set(stored.prev_hash.clone()),
        hash: Set(stored.hash.clone()),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    let StoredEvent { event, prev_hash, hash } = stored;
    Ok(AuditRecord {
        seq: event.seq,
        at: event.at,
        actor: event.actor,
        action: event.action,
        target: event.target,
        details: event.details,
        prev_hash,
        hash,
    })
}

/// The newest event's seq and hash; `None` while the trail is empty.
pub async fn head<C: ConnectionTrait>(db: &C) -> Result<Option<Head>, DbErr> {
    let row: Option<(i64, String)> = audit_event::Entity::find()
        .select_only()
        .columns([audit_event::Column::Seq, audit_event::Column::Hash])
        .order_by_desc(audit_event::Column::Seq)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.map(|(seq, hash)| Head { seq, hash }))
}

/// Walks the whole chain in seq order, [`VERIFY_PAGE_ROWS`] at a time. The outer error is the
/// database failing; the inner one is the first broken link.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<Result<VerifiedChain, BrokenLink>, DbErr> {
    let mut verifier = ChainVerifier::new();
    // From the very lowest seq, so rows renumbered to zero or below are seen too.
    let mut after = i64::MIN;
    loop {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gt(after))
            .order_by_asc(audit_event::Column::Seq)
            .limit(VERIFY_PAGE_ROWS)
            .all(db)
            .await?;
        let full_page = rows.len() as u64 == VERIFY_PAGE_ROWS;
        for row in rows {
            after = row.seq;
            let stored = match stored_event(row) {
                Ok(stored) => stored,
                Err(broken) => return Ok(Err(broken)),
            };
            if let Err(broken) = verifier.push(&stored) {
                return Ok(Err(broken));
            }
        }
        if !full_page {
            return Ok(Ok(verifier.finish()));
        }
    }
}

fn stored_event(row: audit_event::Model) -> Result<StoredEvent, BrokenLink> {
    let details = serde_json::from_str(&row.details)
        .map_err(|_| BrokenLink { seq: row.seq, reason: BreakReason::Unreadable { field: "details" } })?;
    Ok(StoredEvent {
        event: AuditEvent {
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            action: row.action,
            target: row.target,
            details,
        },
        prev_hash: row.prev_hash,
        hash: row.hash,
    })
}

/// Filters of the listing; `from` is inclusive, `to` exclusive, `after` a seq.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub after: Option<i64>,
    /// Only events up to this seq (an export stops at the head it started from).
    pub up_to: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct AuditPage {
    pub items: Vec<AuditRecord>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<i64>,
    /// The chain's head when the page was read, to anchor what was seen.
    pub head: Option<Head>,
}

/// One page of events, oldest first (the order of the chain, and stable while events are added).
pub async fn list(db: &DatabaseConnection, filter: &AuditFilter, limit: u64) -> Result<AuditPage, DbErr> {
    use audit_event::Column;
    let mut query = audit_event::Entity::find();
    if let Some(actor) = &filter.actor {
        query = query.filter(Column::Actor.eq(actor.as_str()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(Column::Action.eq(action.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(Column::At.lt(to));
    }
    if let Some(after) = filter.after {
        query = query.filter(Column::Seq.gt(after));
    }
    if let Some(up_to) = filter.up_to {
        query = query.filter(Column::Seq.lte(up_to));
    }
    let mut rows = query.order_by_asc(Column::Seq).limit(limit.saturating_add(1)).all(db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = if more { rows.last().map(|r| r.seq) } else { None };
    let head = head(db).await?;
    let items = rows
        .into_iter()
        .map(|row| AuditRecord {
            // A row whose details no longer parse is shown as stored; verification names it.
            details: serde_json::from_str(&row.details).unwrap_or_else(|_| Value::String(row.details.clone())),
            seq: row.seq,
            at: row.at,
            actor: row.actor,
            action: row.action,
            target: row.target,
            prev_hash: row.prev_hash,
            hash: row.hash,
        })
        .collect();
    Ok(AuditPage { items, next, head })
}
