//! An incident's timeline of status updates (a Statuspage incident's `incident_updates`), kept
//! as the JSON text the import normalised: read back whole, never queried inside.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Incident::Table)
                .add_column(ColumnDef::new(Incident::Timeline).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Incident::Table).drop_column(Incident::Timeline).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Incident {
    Table,
    Timeline,
}
