//! Costs (docs/data-model.md): what a service cost in one month in one currency, with the units
//! of the driver it is divided by; keyed by `(service_id, month, currency)`.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_records::{
    Service, batch_fk, fk, id, index, reference, text, unique, with_provenance,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create()
            .table(Cost::Table)
            .col(id(Cost::Id))
            .col(reference(Cost::ServiceId))
            // The month's first day.
            .col(ColumnDef::new(Cost::Month).date().not_null())
            .col(ColumnDef::new(Cost::Amount).double().not_null().check(Expr::col(Cost::Amount).gte(0)))
            .col(text(Cost::Currency))
            .col(text(Cost::UnitDriver))
            .col(ColumnDef::new(Cost::Units).double().not_null().check(Expr::col(Cost::Units).gt(0)))
            .foreign_key(&mut fk((Cost::Table, Cost::ServiceId), (Service::Table, Service::Id)))
            .to_owned();
        with_provenance(&mut table).foreign_key(&mut batch_fk(Cost::Table));
        m.create_table(table).await?;
        m.create_index(unique("ux_cost_key", Cost::Table, &["service_id", "month", "currency"])).await?;
        m.create_index(index("ix_cost_month", Cost::Table, &["month"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Cost::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Cost {
    Table,
    Id,
    ServiceId,
    Month,
    Amount,
    Currency,
    UnitDriver,
    Units,
}
