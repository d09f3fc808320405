//! What each committed import could change: the data version it committed as, and the earliest
//! instant its records (old and new values, and the records they link to) mention. A period
//! that ended by then cannot have moved, so its computed figures stay valid; `since` NULL means
//! any period (catalog records: teams, services, SLOs, exemptions, readiness answers). Seeded
//! with the current version as a change of everything, so nothing computed before counts.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DataChange::Table)
                .col(ColumnDef::new(DataChange::Version).big_integer().not_null().primary_key())
                .col(ColumnDef::new(DataChange::Since).timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO data_change (version, since) SELECT version, NULL FROM data_version WHERE id = 1",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DataChange::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum DataChange {
    Table,
    Version,
    Since,
}
