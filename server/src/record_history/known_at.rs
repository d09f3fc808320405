//! Computing "as known at" an instant: a transaction in which every versioned table's name is
//! a temporary view of the version each record had at that instant (the row itself if it has
//! not changed since, else the history row valid then; absent if created later). Unqualified
//! names resolve to temporary objects first on both backends, so every query of the KPI
//! engine, the populations and the evidence pack reads the past unchanged. The transaction is
//! rolled back when done, which drops the views.

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement, TransactionTrait,
};

use super::{INCIDENT_SERVICES, Versioned, tables};

#[derive(Debug, thiserror::Error)]
pub enum KnownAtError {
    /// 400: before the history is complete, what was known cannot be told.
    #[error("as_known_at {at} is before {since}, from when Plumbline keeps every version of the records")]
    BeforeHistory { at: DateTime<Utc>, since: DateTime<Utc> },
    /// 400: nothing is known yet about the future.
    #[error("as_known_at {at} is in the future")]
    InFuture { at: DateTime<Utc> },
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Reads an `as_known_at` parameter: an RFC 3339 instant. The error is a message for a 400.
pub fn parse(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("as_known_at must be an RFC 3339 instant like 2026-10-01T09:00:00Z, got {text:?}"))
}

/// The instant from which every version is kept.
pub async fn history_start<C: ConnectionTrait>(db: &C) -> Result<DateTime<Utc>, DbErr> {
    let sql = "SELECT started_at FROM record_history_start WHERE id = 1";
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    row.map(|row| row.try_get::<DateTime<Utc>>("", "started_at"))
        .transpose()?
        .ok_or_else(|| DbErr::RecordNotFound("record_history_start".into()))
}

/// Whether the records as known at `at` can be told (the errors are 400s).
pub async fn check<C: ConnectionTrait>(db: &C, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), KnownAtError> {
    if at > now {
        return Err(KnownAtError::InFuture { at });
    }
    let since = history_start(db).await?;
    if at < since {
        return Err(KnownAtError::BeforeHistory { at, since });
    }
    Ok(())
}

/// A transaction reading the records as known at `at` (see the module). Roll it back when done.
pub async fn begin(
    db: &DatabaseConnection,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DatabaseTransaction, KnownAtError> {
    check(db, at, now).await?;
    let backend = db.get_database_backend();
    let txn = match backend {
        // Not read-only: temporary objects are created (and dropped at the rollback).
        DbBackend::Postgres => db.begin_with_config(Some(sea_orm::IsolationLevel::RepeatableRead), None).await?,
        _ => db.begin().await?,
    };
    match create_views(&txn, backend, at).await {
        Ok(()) => Ok(txn),
        Err(error) => {
            txn.rollback().await?;
            Err(error.into())
        }
    }
}

/// The qualifier naming the live tables beside the views (`main` on SQLite).
pub async fn live_schema<C: ConnectionTrait>(txn: &C) -> Result<String, DbErr> {
    let backend = txn.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok("main".to_owned());
    }
    let row = txn.query_one_raw(Statement::from_string(backend, "SELECT current_schema() AS s")).await?;
    let schema: String = row.map(|r| r.try_get("", "s")).transpose()?.unwrap_or_else(|| "public".into());
    Ok(format!("\"{}\"", schema.replace('"', "\"\"")))
}

async fn create_views(txn: &DatabaseTransaction, backend: DbBackend, at: DateTime<Utc>) -> Result<(), DbErr> {
    let schema = live_schema(txn).await?;
    let time_type = if backend == DbBackend::Postgres { "timestamptz" } else { "text" };
    let ddl = format!("CREATE TEMP TABLE plumbline_known_at (at {time_type})");
    txn.execute_raw(Statement::from_string(backend, ddl)).await?;
    let insert = "INSERT INTO plumbline_known_at (at) VALUES ($1)";
    txn.execute_raw(Statement::from_sql_and_values(backend, insert, [at.into()])).await?;
    for table in tables() {
        txn.execute_raw(Statement::from_string(backend, view(backend, &schema, &table))).await?;
    }
    txn.execute_raw(Statement::from_string(backend, incident_services_view(backend, &schema))).await?;
    if backend == DbBackend::Postgres {
        // Statements this connection prepared earlier were resolved to the tables; re-plan
        // them so they read the views. (Dropping the views at the rollback invalidates the
        // plans made here.)
        txn.execute_raw(Statement::from_string(backend, "DISCARD PLANS")).await?;
    }
    Ok(())
}

const AT: &str = "(SELECT at FROM plumbline_known_at)";

fn view(backend: DbBackend, schema: &str, table: &Versioned) -> String {
    let name = table.table;
    let quoted: Vec<String> = table.columns.iter().map(|c| format!("\"{c}\"")).collect();
    let current = format!("SELECT {} FROM {schema}.{name} WHERE updated_at <= {AT}", quoted.join(", "));
    let valid = format!("h.table_name = '{name}' AND h.valid_from <= {AT} AND h.valid_to > {AT}");
    let earlier = match backend {
        DbBackend::Postgres => {
            // `id` from the history row itself, so a lookup by id uses its index.
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|c| if *c == "id" { "h.record_id AS \"id\"".to_owned() } else { format!("r.\"{c}\"") })
                .collect();
            format!(
                "SELECT {} FROM {schema}.record_history h, LATERAL jsonb_populate_record(NULL::{schema}.{name}, \
                 h.payload) r WHERE {valid}",
                columns.join(", ")
            )
        }
        _ => {
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|c| match *c {
                    "id" => "h.record_id AS \"id\"".to_owned(),
                    _ => format!("json_extract(h.payload, '$.{c}') AS \"{c}\""),
                })
                .collect();
            format!("SELECT {} FROM {schema}.record_history h WHERE {valid}", columns.join(", "))
        }
    };
    format!("CREATE TEMP VIEW {name} AS {current} UNION ALL {earlier}")
}

fn incident_services_view(backend: DbBackend, schema: &str) -> String {
    let current = format!(
        "SELECT s.incident_id, s.service_id FROM {schema}.{INCIDENT_SERVICES} s \
         JOIN {schema}.incident i ON i.id = s.incident_id WHERE i.updated_at <= {AT}"
    );
    let valid = format!("h.table_name = 'incident' AND h.valid_from <= {AT} AND h.valid_to > {AT}");
    let earlier = match backend {
        DbBackend::Postgres => format!(
            "SELECT h.record_id AS incident_id, e.value::bigint AS service_id FROM {schema}.record_history h, \
             LATERAL jsonb_array_elements_text(h.payload -> 'service_ids') e(value) WHERE {valid}"
        ),
        _ => format!(
            "SELECT h.record_id AS incident_id, j.value AS service_id FROM {schema}.record_history h, \
             json_each(h.payload, '$.service_ids') j WHERE {valid}"
        ),
    };
    format!("CREATE TEMP VIEW {INCIDENT_SERVICES} AS {current} UNION ALL {earlier}")
}
