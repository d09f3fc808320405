//! Audit checkpoints (docs/access-and-audit.md §Checkpoints): signed records of the audit
//! chain's head (its seq and hash), also delivered outside the database, against which a
//! rewritten or truncated trail is detected. This table is what the audit page lists; the
//! copies that matter to an auditor are the ones outside it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditCheckpoint::Table)
                .col(ColumnDef::new(AuditCheckpoint::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(AuditCheckpoint::Seq).big_integer().not_null())
                .col(ColumnDef::new(AuditCheckpoint::HeadHash).text().not_null())
                .col(ColumnDef::new(AuditCheckpoint::At).timestamp_with_time_zone().not_null())
                // `daily`, `evidence_pack`, `snapshot` or `manual`.
                .col(ColumnDef::new(AuditCheckpoint::Reason).text().not_null())
                .col(ColumnDef::new(AuditCheckpoint::KeyId).text().not_null())
                // Base64 of the raw Ed25519 signature of the checkpoint's signed text.
                .col(ColumnDef::new(AuditCheckpoint::Signature).text().not_null())
                // Where the copies outside the database went, for the audit page.
                .col(ColumnDef::new(AuditCheckpoint::Delivered).text().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_checkpoint_at")
                .table(AuditCheckpoint::Table)
                .col(AuditCheckpoint::At)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditCheckpoint::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AuditCheckpoint {
    Table,
    Id,
    Seq,
    HeadHash,
    At,
    Reason,
    KeyId,
    Signature,
    Delivered,
}
