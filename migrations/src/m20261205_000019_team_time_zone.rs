//! A team may name its own time zone: its pages' off hours and sleep hours are read there
//! instead of in the reporting time zone (docs/kpis.md §10a).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Team::Table).add_column(ColumnDef::new(Team::TimeZone).text().null()).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Team::Table).drop_column(Team::TimeZone).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Team {
    Table,
    TimeZone,
}
