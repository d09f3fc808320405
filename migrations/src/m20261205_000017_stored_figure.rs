//! Figures of closed periods as computed, so that replicas and restarts share them rather than
//! load and compute a closed quarter again. A row is valid while its `version` is the period's
//! version (the latest committed import that can have moved it, see `data_change`) and its
//! `definitions_version` the KPI definitions in force; anything else is recomputed and replaced.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(StoredFigure::Table)
                .col(ColumnDef::new(StoredFigure::Key).text().not_null().primary_key())
                .col(ColumnDef::new(StoredFigure::Version).big_integer().not_null())
                .col(ColumnDef::new(StoredFigure::DefinitionsVersion).text().not_null())
                .col(ColumnDef::new(StoredFigure::ComputedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(StoredFigure::Body).text().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(StoredFigure::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum StoredFigure {
    Table,
    Key,
    Version,
    DefinitionsVersion,
    ComputedAt,
    Body,
}
