//! One row counting the commits that changed records. Every import increments it inside its
//! own transaction, just before committing: the row lock orders the increments as the commits
//! happen, so a reader that sees version N sees every import counted up to N. (Import batch
//! ids, taken when an import starts, do not: a long import that starts first commits last.)
//! Starts at the number of applied batches so existing databases begin above zero.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DataVersion::Table)
                .col(ColumnDef::new(DataVersion::Id).integer().not_null().primary_key())
                .col(ColumnDef::new(DataVersion::Version).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO data_version (id, version) \
                 SELECT 1, COUNT(*) FROM import_batch WHERE status = 'applied'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DataVersion::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum DataVersion {
    Table,
    Id,
    Version,
}
