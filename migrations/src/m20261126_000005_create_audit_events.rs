//! The audit trail (docs/access-and-audit.md): append-only events, each hashed with the one before it.
//! `seq` is assigned by the application as previous + 1 (not autoincrement), so a removed event
//! leaves a gap the verifier names. The database refuses updates and deletes (and, on Postgres,
//! TRUNCATE); the hash chain catches what someone able to bypass that still changes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REFUSAL: &str = "audit events are append-only: they can never be changed or deleted";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditEvent::Table)
                .col(ColumnDef::new(AuditEvent::Seq).big_integer().not_null().primary_key())
                .col(ColumnDef::new(AuditEvent::At).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(AuditEvent::Actor).text().not_null())
                .col(ColumnDef::new(AuditEvent::Action).text().not_null())
                .col(ColumnDef::new(AuditEvent::Target).text().not_null())
                .col(ColumnDef::new(AuditEvent::Details).text().not_null())
                .col(ColumnDef::new(AuditEvent::PrevHash).text().not_null())
                .col(ColumnDef::new(AuditEvent::Hash).text().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_audit_event_hash")
                .table(AuditEvent::Table)
                .col(AuditEvent::Hash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_audit_event_at").table(AuditEvent::Table).col(AuditEvent::At).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_audit_event_actor").table(AuditEvent::Table).col(AuditEvent::Actor).to_owned(),
        )
        .await?;
        let sql = if m.get_database_backend() == DbBackend::Postgres {
            format!(
                "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN RAISE EXCEPTION '{REFUSAL} (% refused)', TG_OP; END $$;
                 CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
                     FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
                 CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();"
            )
        } else {
            format!(
                "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
                 BEGIN SELECT RAISE(ABORT, '{REFUSAL} (UPDATE refused)'); END;
                 CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
                 BEGIN SELECT RAISE(ABORT, '{REFUSAL} (DELETE refused)'); END;"
            )
        };
        m.get_connection().execute_unprepared(&sql).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditEvent::Table).to_owned()).await?;
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection().execute_unprepared("DROP FUNCTION IF EXISTS audit_event_append_only()").await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Seq,
    At,
    Actor,
    Action,
    Target,
    Details,
    PrevHash,
    Hash,
}
