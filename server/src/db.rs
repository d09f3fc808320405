//! Connecting to Postgres or the embedded SQLite file, and applying migrations.

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

use crate::settings::DatabaseTarget;

pub async fn connect(target: &DatabaseTarget) -> Result<DatabaseConnection, DbErr> {
    if let DatabaseTarget::Embedded(path) = target
        && let Some(dir) = path.parent()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create data directory {}: {e}", dir.display())))?;
    }
    let mut options = ConnectOptions::new(target.url());
    // A few connections kept open: a page's loads run side by side, and opening one on demand
    // costs ~100 ms on Postgres.
    options.sqlx_logging(false).max_connections(10).min_connections(4);
    // Imports look rows up by lists of keys (`external_id IN (…1000 values…)`). Postgres'
    // generic plan for such a prepared statement filters every row of the source instead of
    // probing the index (seen: 3 s per lookup at 150k rows); custom plans use the index.
    // JIT compilation is off: it cost 70–130 ms on each KPI aggregate (a few hundred ms of
    // execution), more than it saved.
    options.map_sqlx_postgres_opts(|pg| pg.options([("plan_cache_mode", "force_custom_plan"), ("jit", "off")]));
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // Readers keep working while an import holds the write lock.
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
