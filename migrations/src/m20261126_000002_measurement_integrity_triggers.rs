//! Postgres only: SLO measurements are by far the largest table (millions of rows per import),
//! and per-row foreign-key triggers cost more than the insert itself. Their two references are
//! checked instead by statement-level triggers that test a whole statement's new rows with one
//! anti-join, plus parent-side triggers that refuse to delete or renumber a referenced SLO or
//! import batch. Referential integrity stays enforced by the database; only its cost changes.
//! SQLite keeps the ordinary foreign keys.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE slo_measurement DROP CONSTRAINT IF EXISTS slo_measurement_slo_id_fkey;
ALTER TABLE slo_measurement DROP CONSTRAINT IF EXISTS slo_measurement_import_batch_id_fkey;

CREATE FUNCTION slo_measurement_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    orphan record;
BEGIN
    SELECT n.slo_id, n.import_batch_id INTO orphan FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM slo s WHERE s.id = n.slo_id)
       OR NOT EXISTS (SELECT 1 FROM import_batch b WHERE b.id = n.import_batch_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'slo_measurement references a missing slo (%) or import_batch (%)',
            orphan.slo_id, orphan.import_batch_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER slo_measurement_references_on_insert AFTER INSERT ON slo_measurement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION slo_measurement_check_references();
CREATE TRIGGER slo_measurement_references_on_update AFTER UPDATE ON slo_measurement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION slo_measurement_check_references();

CREATE FUNCTION slo_measurement_protect_slo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.id <> OLD.id)
       AND EXISTS (SELECT 1 FROM slo_measurement m WHERE m.slo_id = OLD.id) THEN
        RAISE EXCEPTION 'slo % still has measurements', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER slo_protect_measurements BEFORE DELETE OR UPDATE OF id ON slo
    FOR EACH ROW EXECUTE FUNCTION slo_measurement_protect_slo();

CREATE FUNCTION slo_measurement_protect_batch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.id <> OLD.id)
       AND EXISTS (SELECT 1 FROM slo_measurement m WHERE m.import_batch_id = OLD.id) THEN
        RAISE EXCEPTION 'import batch % still has measurements', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER import_batch_protect_measurements BEFORE DELETE OR UPDATE OF id ON import_batch
    FOR EACH ROW EXECUTE FUNCTION slo_measurement_protect_batch();
"#;

const DOWN: &str = r#"
DROP TRIGGER IF EXISTS import_batch_protect_measurements ON import_batch;
DROP TRIGGER IF EXISTS slo_protect_measurements ON slo;
DROP TRIGGER IF EXISTS slo_measurement_references_on_update ON slo_measurement;
DROP TRIGGER IF EXISTS slo_measurement_references_on_insert ON slo_measurement;
DROP FUNCTION IF EXISTS slo_measurement_protect_batch();
DROP FUNCTION IF EXISTS slo_measurement_protect_slo();
DROP FUNCTION IF EXISTS slo_measurement_check_references();
ALTER TABLE slo_measurement ADD CONSTRAINT slo_measurement_slo_id_fkey FOREIGN KEY (slo_id) REFERENCES slo(id);
ALTER TABLE slo_measurement ADD CONSTRAINT slo_measurement_import_batch_id_fkey
    FOREIGN KEY (import_batch_id) REFERENCES import_batch(id);
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection().execute_unprepared(DOWN).await?;
        Ok(())
    }
}
