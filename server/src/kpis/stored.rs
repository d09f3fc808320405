//! Figures of closed periods kept in the database (table `stored_figure`), shared by every
//! replica and surviving restarts: a closed quarter is loaded and computed once per period
//! version, not once per process. Only closed periods are stored; the open one moves with the
//! clock. A row counts only for the period version and the KPI definitions it was computed
//! with; an unreadable row is recomputed, never an error for the reader.

use std::sync::LazyLock;

use app::domain::kpi::{KPI_DEFINITIONS_VERSION, KpiValues};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

/// What a stored row was computed with besides its data: the pinned definitions, and the
/// fields a KPI report carries (a release that adds a KPI without a definitions bump must not
/// read an older row's missing value as "no data").
pub static DEFINITIONS: LazyLock<String> = LazyLock::new(|| {
    let fields = serde_json::to_value(KpiValues::default())
        .ok()
        .and_then(|v| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>().join(",")))
        .unwrap_or_default();
    let shape = hex::encode(&Sha256::digest(fields.as_bytes())[..6]);
    format!("{KPI_DEFINITIONS_VERSION}+{shape}")
});

/// The stored figures of `key` when computed at `version` with today's definitions.
pub async fn read<T: DeserializeOwned, C: ConnectionTrait>(db: &C, key: &str, version: i64) -> Option<T> {
    let sql = "SELECT body FROM stored_figure WHERE key = $1 AND version = $2 AND definitions_version = $3";
    let values = [Value::from(key), Value::from(version), Value::from(DEFINITIONS.as_str())];
    let row = match db.query_one_raw(crate::db::statement(db.get_database_backend(), sql, values)).await {
        Ok(row) => row?,
        Err(error) => {
            tracing::warn!(key, %error, "cannot read stored figures; computing them");
            return None;
        }
    };
    let body: String = row.try_get("", "body").ok()?;
    match serde_json::from_str(&body) {
        Ok(figures) => {
            crate::metrics::cache_lookup("stored", "hit");
            Some(figures)
        }
        Err(error) => {
            tracing::warn!(key, %error, "stored figures are unreadable; computing them");
            None
        }
    }
}

/// The body last stored for `key` under today's definitions, whatever its period version,
/// and that version: figures kept for readers to be served while newer ones are computed.
pub async fn read_latest<C: ConnectionTrait>(db: &C, key: &str) -> Option<(i64, String)> {
    let sql = "SELECT version, body FROM stored_figure WHERE key = $1 AND definitions_version = $2";
    let values = [Value::from(key), Value::from(DEFINITIONS.as_str())];
    let row = match db.query_one_raw(crate::db::statement(db.get_database_backend(), sql, values)).await {
        Ok(row) => row?,
        Err(error) => {
            tracing::warn!(key, %error, "cannot read kept figures; computing them");
            return None;
        }
    };
    Some((row.try_get("", "version").ok()?, row.try_get("", "body").ok()?))
}

/// Stores `figures` of `key` as computed at `version`, unless a replica stored a newer version
/// meanwhile. A failure is logged: the figures were computed and are served all the same.
pub async fn write<T: Serialize, C: ConnectionTrait>(db: &C, key: &str, version: i64, figures: &T, now: DateTime<Utc>) {
    match serde_json::to_string(figures) {
        Ok(body) => write_body(db, key, version, body, now).await,
        Err(error) => tracing::warn!(key, %error, "cannot serialise figures to store them"),
    }
}

/// [`write`] of figures already serialised.
pub async fn write_body<C: ConnectionTrait>(db: &C, key: &str, version: i64, body: String, now: DateTime<Utc>) {
    let sql = "INSERT INTO stored_figure (key, version, definitions_version, computed_at, body) \
               VALUES ($1, $2, $3, $4, $5) \
               ON CONFLICT (key) DO UPDATE SET version = excluded.version, \
               definitions_version = excluded.definitions_version, computed_at = excluded.computed_at, \
               body = excluded.body WHERE stored_figure.version <= excluded.version";
    let values = [
        Value::from(key),
        Value::from(version),
        Value::from(DEFINITIONS.as_str()),
        Value::from(now),
        Value::from(body),
    ];
    crate::metrics::cache_lookup("stored", "miss");
    if let Err(error) = db.execute_raw(crate::db::statement(db.get_database_backend(), sql, values)).await {
        tracing::warn!(key, %error, "cannot store computed figures");
    }
}

/// Deletes rows computed under other definitions (an upgrade's leftovers); returns how many.
pub async fn prune<C: ConnectionTrait>(db: &C) -> Result<u64, DbErr> {
    let sql = "DELETE FROM stored_figure WHERE definitions_version <> $1";
    let result =
        db.execute_raw(crate::db::statement(db.get_database_backend(), sql, [DEFINITIONS.as_str().into()])).await?;
    Ok(result.rows_affected())
}
