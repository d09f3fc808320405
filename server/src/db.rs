//! Connecting to Postgres or the embedded SQLite file, and applying migrations.

use migrations::{Migrator, MigratorTrait};
use std::path::PathBuf;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement};

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return "***".into() };
    match rest.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

/// Where the data lives: an explicit URL, or the embedded SQLite file.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Url(String),
    Embedded(PathBuf),
}

impl DatabaseTarget {
    pub fn from_env(url: Option<String>, data_dir: PathBuf) -> Self {
        match url.filter(|u| !u.trim().is_empty()) {
            Some(url) => DatabaseTarget::Url(url),
            None => DatabaseTarget::Embedded(data_dir.join("plumbline.sqlite3")),
        }
    }

    pub fn url(&self) -> String {
        match self {
            DatabaseTarget::Url(url) => url.clone(),
            DatabaseTarget::Embedded(path) => format!("sqlite://{}?mode=rwc", path.display()),
        }
    }

    pub fn is_embedded(&self) -> bool {
        matches!(self, DatabaseTarget::Embedded(_))
    }
}

impl std::fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseTarget::Url(url) => write!(f, "{}", redact_url(url)),
            DatabaseTarget::Embedded(path) => write!(f, "embedded SQLite at {}", path.display()),
        }
    }
}

/// Connections a process keeps unless `PLUMBLINE_DB_POOL_SIZE` says otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 10;

pub async fn connect(target: &DatabaseTarget) -> Result<DatabaseConnection, DbErr> {
    connect_with_pool(target, DEFAULT_POOL_SIZE).await
}

/// Connects with at most `pool_size` connections.
pub async fn connect_with_pool(target: &DatabaseTarget, pool_size: u32) -> Result<DatabaseConnection, DbErr> {
    if let DatabaseTarget::Embedded(path) = target
        && let Some(dir) = path.parent()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create data directory {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(target.url());
    // A few connections kept open: a page's loads run side by side, and opening one on demand
    // costs ~100 ms on Postgres.
    let pool_size = pool_size.max(1);
    options.sqlx_logging(false).max_connections(pool_size).min_connections(pool_size.min(4));
    // Imports look rows up by lists of keys (`external_id IN (…1000 values…)`). Postgres'
    // generic plan for such a prepared statement filters every row of the source instead of
    // probing the index (seen: 3 s per lookup at 150k rows); custom plans use the index.
    // JIT compilation is off: it cost 70–130 ms on each KPI aggregate (a few hundred ms of
    // execution), more than it saved.
    options.map_sqlx_postgres_opts(|pg| pg.options([("plan_cache_mode", "force_custom_plan"), ("jit", "off")]));
    let db = Database::connect(options).await.map_err(|error| without_password(error, target))?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // Readers keep working while an import holds the write lock.
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

/// A small pool for background recomputes, beside the request pool: on Postgres its sessions
/// run each query without parallel workers, so a recompute keeps at most one database core
/// busy while pages are served on the other (a parallel aggregate of a large organisation
/// otherwise takes every core for seconds). Elsewhere, the request pool itself.
pub async fn connect_background(target: &DatabaseTarget, requests: &DatabaseConnection) -> DatabaseConnection {
    if requests.get_database_backend() != DbBackend::Postgres {
        return requests.clone();
    }
    let mut options = ConnectOptions::new(target.url());
    options.sqlx_logging(false).max_connections(2).min_connections(0);
    options.map_sqlx_postgres_opts(|pg| {
        pg.options([("plan_cache_mode", "force_custom_plan"), ("jit", "off"), ("max_parallel_workers_per_gather", "0")])
    });
    match Database::connect(options).await {
        Ok(db) => db,
        Err(error) => {
            let error = without_password(error, target);
            tracing::warn!(%error, "cannot open the background pool; recomputes share the request pool");
            requests.clone()
        }
    }
}

/// A read-only transaction that sees one state of the data throughout: REPEATABLE READ on
/// Postgres; on SQLite (WAL) every read transaction already sees one snapshot, taken at its
/// first read. For work whose parts must agree (evidence packs, published snapshots).
pub async fn begin_consistent_read(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{AccessMode, IsolationLevel, TransactionTrait};
    match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await
        }
        _ => db.begin().await,
    }
}

/// The connection error with the URL's password taken out: some drivers' messages quote the
/// whole connection string, and these errors are printed and logged.
fn without_password(error: DbErr, target: &DatabaseTarget) -> DbErr {
    let DatabaseTarget::Url(url) = target else { return error };
    let text = error.to_string();
    let password = url
        .split_once("://")
        .and_then(|(_, rest)| rest.rsplit_once('@'))
        .and_then(|(credentials, _)| credentials.split_once(':'))
        .map(|(_, password)| password)
        .filter(|password| !password.is_empty());
    match password {
        Some(password) if text.contains(password) => {
            DbErr::Conn(sea_orm::RuntimeErr::Internal(text.replace(password, "***")))
        }
        _ => error,
    }
}

/// The advisory lock key replicas take while migrating (any constant unique to Plumbline).
const MIGRATION_LOCK: i64 = 0x706c_756d_626c; // "plumbl"

/// Applies pending migrations. On Postgres, replicas starting together on one database take
/// turns: the migrations run in one transaction holding an advisory lock, so the second replica
/// waits, then finds the work done instead of racing the first to create the same tables; a
/// migration that fails leaves nothing half-applied (Postgres DDL is transactional). Using the
/// lock's own connection, it needs no second one from the pool. SQLite is one process.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::TransactionTrait;
    if db.get_database_backend() != DbBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    // Nothing to apply: change nothing, so a role that owns no table (docs/operations.md §16)
    // starts too (the migrator would first try to create its own table).
    if all_applied(db).await {
        return Ok(());
    }
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")).await?;
    Migrator::up(&txn, None).await?;
    // Committing releases the lock; on an error the dropped transaction rolls back and frees it.
    txn.commit().await
}

/// Whether every migration this build knows is recorded as applied (false when that cannot be
/// read, e.g. on an empty database).
async fn all_applied(db: &DatabaseConnection) -> bool {
    let statement = Statement::from_string(db.get_database_backend(), "SELECT version FROM seaql_migrations");
    let Ok(rows) = db.query_all_raw(statement).await else { return false };
    let applied: std::collections::HashSet<String> =
        rows.iter().filter_map(|row| row.try_get::<String>("", "version").ok()).collect();
    let known: std::collections::HashSet<String> =
        Migrator::migrations().iter().map(|migration| migration.name().to_owned()).collect();
    // Exactly this build's: a newer schema goes to the migrator, which refuses it.
    applied == known
}

/// Ids per `IN (…)` list, well under both backends' bind-parameter limits (SQLite's is 32,766).
pub const IN_LIST_CHUNK: usize = 5000;

/// SQLSTATE codes (and SQLite result codes) of failures caused by a concurrent writer, after
/// which the same work succeeds when tried again: serialization failure, deadlock, a unique
/// key another transaction inserted first, and SQLite's busy and locked database. SQLite reports
/// extended codes: a read transaction that must write after another connection committed gets
/// BUSY_SNAPSHOT (517) at once, whatever the busy timeout; also BUSY_RECOVERY (261),
/// BUSY_TIMEOUT (773) and LOCKED_SHAREDCACHE (262).
const TRANSIENT_CODES: [&str; 9] = ["40001", "40P01", "23505", "5", "6", "261", "517", "773", "262"];

/// Whether `error` came from a concurrent writer rather than from the request or a fault.
pub fn is_transient(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error))) = error else {
        return false;
    };
    match &**error {
        sea_orm::sqlx::Error::Database(database) => {
            database.code().is_some_and(|code| TRANSIENT_CODES.contains(&code.as_ref()))
        }
        _ => false,
    }
}

/// The current data version: how many imports have committed (see the `data_version` table's
/// migration), ordered as they committed.
pub async fn data_version<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM data_version WHERE id = 1",
        ))
        .await?;
    Ok(row.map(|row| row.try_get::<i64>("", "version")).transpose()?.unwrap_or(0))
}

/// `sql` written with `$1`-style parameters, for the connection's backend (SQLite reads `?1`:
/// the same numbered parameter). Keeps hand-written SQL in one spelling for both databases.
pub fn statement(
    backend: sea_orm::DbBackend,
    sql: &str,
    values: impl IntoIterator<Item = sea_orm::Value>,
) -> Statement {
    let sql = match backend {
        sea_orm::DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Counts one more committed change of records; called inside the writing transaction, last.
pub async fn bump_data_version<C: ConnectionTrait>(txn: &C) -> Result<(), DbErr> {
    txn.execute_unprepared("UPDATE data_version SET version = version + 1 WHERE id = 1").await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_debug_output() {
        let target = DatabaseTarget::Url("postgres://app:hunter2@db:5432/plumbline".into());
        let shown = format!("{target:?}");
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("app:***@db:5432/plumbline"));
    }

    #[tokio::test]
    async fn a_connection_error_never_carries_the_password() {
        // An unknown scheme is refused with the whole connection string quoted.
        for url in ["postgress://app:hunter2@127.0.0.1:1/plumbline"] {
            let target = DatabaseTarget::Url(url.to_owned());
            let error = connect(&target).await.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(!error.is_empty(), "{url} cannot connect");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }
}
