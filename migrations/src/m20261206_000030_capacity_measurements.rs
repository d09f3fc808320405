//! Capacity measurements (docs/data-model.md): a service's daily peak use of one resource
//! against its capacity, keyed by `(service_id, resource, day)`.

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
            .table(CapacityMeasurement::Table)
            .col(id(CapacityMeasurement::Id))
            .col(reference(CapacityMeasurement::ServiceId))
            .col(text(CapacityMeasurement::Resource))
            .col(ColumnDef::new(CapacityMeasurement::Day).date().not_null())
            .col(
                ColumnDef::new(CapacityMeasurement::PeakUsed)
                    .double()
                    .not_null()
                    .check(Expr::col(CapacityMeasurement::PeakUsed).gte(0)),
            )
            .col(
                ColumnDef::new(CapacityMeasurement::Capacity)
                    .double()
                    .not_null()
                    .check(Expr::col(CapacityMeasurement::Capacity).gt(0)),
            )
            .foreign_key(&mut fk(
                (CapacityMeasurement::Table, CapacityMeasurement::ServiceId),
                (Service::Table, Service::Id),
            ))
            .to_owned();
        with_provenance(&mut table).foreign_key(&mut batch_fk(CapacityMeasurement::Table));
        m.create_table(table).await?;
        m.create_index(unique(
            "ux_capacity_measurement_key",
            CapacityMeasurement::Table,
            &["service_id", "resource", "day"],
        ))
        .await?;
        m.create_index(index("ix_capacity_measurement_day", CapacityMeasurement::Table, &["day"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CapacityMeasurement::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum CapacityMeasurement {
    Table,
    Id,
    ServiceId,
    Resource,
    Day,
    PeakUsed,
    Capacity,
}
