//! Toil reports (docs/data-model.md): how many of a team's working hours in a week or a month
//! went to toil, keyed by `(team_id, span, period_start)`.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_records::{
    Team, batch_fk, fk, id, index, one_of, reference, text_null, unique, with_provenance,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut report = Table::create()
            .table(ToilReport::Table)
            .col(id(ToilReport::Id))
            .col(reference(ToilReport::TeamId))
            .col(one_of(ToilReport::Span, &["week", "month"]))
            .col(ColumnDef::new(ToilReport::PeriodStart).date().not_null())
            .col(
                ColumnDef::new(ToilReport::HoursTotal)
                    .double()
                    .not_null()
                    .check(Expr::col(ToilReport::HoursTotal).gt(0)),
            )
            .col(
                ColumnDef::new(ToilReport::HoursToil).double().not_null().check(
                    Expr::col(ToilReport::HoursToil)
                        .gte(0)
                        .and(Expr::col(ToilReport::HoursToil).lte(Expr::col(ToilReport::HoursTotal))),
                ),
            )
            .col(text_null(ToilReport::Category))
            .col(one_of(ToilReport::Method, &["survey", "time_tracking", "ticket_labels"]))
            .foreign_key(&mut fk((ToilReport::Table, ToilReport::TeamId), (Team::Table, Team::Id)))
            .to_owned();
        with_provenance(&mut report).foreign_key(&mut batch_fk(ToilReport::Table));
        m.create_table(report).await?;
        m.create_index(unique("ux_toil_report_key", ToilReport::Table, &["team_id", "span", "period_start"])).await?;
        m.create_index(index("ix_toil_report_start", ToilReport::Table, &["period_start"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ToilReport::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ToilReport {
    Table,
    Id,
    TeamId,
    Span,
    PeriodStart,
    HoursTotal,
    HoursToil,
    Category,
    Method,
}
