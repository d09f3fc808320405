//! Recovery objectives on services (RTO and RPO targets, in minutes) and the data an incident
//! lost, so real incidents can be checked against the objectives DR tests rehearse
//! (docs/kpis.md §10). All optional, so earlier imports stay valid.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn minutes(column: impl IntoIden + Copy + 'static) -> ColumnDef {
    ColumnDef::new(column).big_integer().null().check(Expr::col(column).gte(0)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in [minutes(Service::RtoTargetMinutes), minutes(Service::RpoTargetMinutes)] {
            m.alter_table(Table::alter().table(Service::Table).add_column(column).to_owned()).await?;
        }
        let data_loss = minutes(Incident::DataLossMinutes);
        m.alter_table(Table::alter().table(Incident::Table).add_column(data_loss).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Incident::Table).drop_column(Incident::DataLossMinutes).to_owned()).await?;
        for column in [Service::RtoTargetMinutes, Service::RpoTargetMinutes] {
            m.alter_table(Table::alter().table(Service::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Service {
    Table,
    RtoTargetMinutes,
    RpoTargetMinutes,
}

#[derive(DeriveIden, Clone, Copy)]
enum Incident {
    Table,
    DataLossMinutes,
}
