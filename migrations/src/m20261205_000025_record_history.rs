//! Record history (docs/as-known-at.md): the version of a record that an import replaces is
//! kept, with its batch and the interval it was the current version, in the same transaction
//! as the change (`replaced_by_batch` is null when a page, alert triage, made the change). The current version stays in the record's own table (its `updated_at` is
//! when it became current), so a record's versions are its row plus its history rows, and
//! creating records costs nothing extra. `record_history_start` holds the instant from which
//! the history is complete (the last change before this migration): before it, what was known
//! cannot be told, because earlier changes replaced versions without keeping them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES: &str = r#"
CREATE TABLE record_history (
    id bigserial PRIMARY KEY,
    table_name text NOT NULL,
    record_id bigint NOT NULL,
    import_batch_id bigint NOT NULL,
    valid_from timestamptz NOT NULL,
    valid_to timestamptz NOT NULL,
    replaced_by_batch bigint,
    payload jsonb NOT NULL
);
CREATE INDEX ix_record_history_table_valid_to ON record_history (table_name, valid_to);
CREATE INDEX ix_record_history_record ON record_history (table_name, record_id);
CREATE FUNCTION record_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'record history is append-only'; END $$;
CREATE TRIGGER record_history_frozen BEFORE UPDATE OR DELETE ON record_history
    FOR EACH ROW EXECUTE FUNCTION record_history_append_only();
CREATE TABLE record_history_start (id integer PRIMARY KEY, started_at timestamptz NOT NULL);
-- History is complete from the last change before this migration: an import, or an alert
-- triaged on a page (none on a new database).
INSERT INTO record_history_start (id, started_at)
    SELECT 1, COALESCE(max(changed), '0001-01-01T00:00:00Z'::timestamptz) FROM (
        SELECT finished_at AS changed FROM import_batch WHERE status = 'applied'
        UNION ALL SELECT max(updated_at) FROM alert) AS changes;
"#;

const SQLITE: &str = r#"
CREATE TABLE record_history (
    id integer PRIMARY KEY AUTOINCREMENT,
    table_name text NOT NULL,
    record_id bigint NOT NULL,
    import_batch_id bigint NOT NULL,
    valid_from text NOT NULL,
    valid_to text NOT NULL,
    replaced_by_batch bigint,
    payload text NOT NULL
);
CREATE INDEX ix_record_history_table_valid_to ON record_history (table_name, valid_to);
CREATE INDEX ix_record_history_record ON record_history (table_name, record_id);
CREATE TRIGGER record_history_no_update BEFORE UPDATE ON record_history
    BEGIN SELECT RAISE(ABORT, 'record history is append-only'); END;
CREATE TRIGGER record_history_no_delete BEFORE DELETE ON record_history
    BEGIN SELECT RAISE(ABORT, 'record history is append-only'); END;
CREATE TABLE record_history_start (id integer PRIMARY KEY, started_at text NOT NULL);
-- History is complete from the last change before this migration: an import, or an alert
-- triaged on a page (none on a new database). Instants compare as text on SQLite (RFC 3339, UTC,
-- as the application writes them).
INSERT INTO record_history_start (id, started_at)
    SELECT 1, COALESCE(max(changed), '0001-01-01T00:00:00+00:00') FROM (
        SELECT finished_at AS changed FROM import_batch WHERE status = 'applied'
        UNION ALL SELECT max(updated_at) FROM alert);
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => db.execute_unprepared(POSTGRES).await.map(|_| ()),
            _ => db.execute_unprepared(SQLITE).await.map(|_| ()),
        }
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => db
                .execute_unprepared(
                    "DROP TABLE record_history; DROP FUNCTION record_history_append_only(); \
                     DROP TABLE record_history_start;",
                )
                .await
                .map(|_| ()),
            _ => db.execute_unprepared("DROP TABLE record_history; DROP TABLE record_history_start;").await.map(|_| ()),
        }
    }
}
