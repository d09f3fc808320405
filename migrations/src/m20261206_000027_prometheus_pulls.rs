//! SLO measurements pulled from Prometheus (docs/ingestion.md §15): an SLO may name a server and
//! two counter selectors, and `prometheus_pull` keeps, per such SLO, the last day pulled and
//! the last attempt's problem, which the service page and the jobs page show (never as zeros).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in [Slo::PrometheusUrl, Slo::GoodQuery, Slo::TotalQuery] {
            let column = ColumnDef::new(column).text().null().to_owned();
            m.alter_table(Table::alter().table(Slo::Table).add_column(column).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(PrometheusPull::Table)
                .col(ColumnDef::new(PrometheusPull::SloId).big_integer().not_null().primary_key())
                .col(ColumnDef::new(PrometheusPull::PulledThrough).date().null())
                .col(ColumnDef::new(PrometheusPull::AttemptedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(PrometheusPull::Problem).text().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(PrometheusPull::Table, PrometheusPull::SloId)
                        .to(Slo::Table, Slo::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PrometheusPull::Table).to_owned()).await?;
        for column in [Slo::PrometheusUrl, Slo::GoodQuery, Slo::TotalQuery] {
            m.alter_table(Table::alter().table(Slo::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Slo {
    Table,
    Id,
    PrometheusUrl,
    GoodQuery,
    TotalQuery,
}

#[derive(DeriveIden)]
enum PrometheusPull {
    Table,
    SloId,
    PulledThrough,
    AttemptedAt,
    Problem,
}
