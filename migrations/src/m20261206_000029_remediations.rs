//! Automation of mitigations (docs/kpis.md §10c): who or what mitigated an incident
//! (`incident.mitigated_by`, optional so earlier imports stay valid), and `remediation`, how a
//! service remediates one failure mode, keyed by `(service_id, failure_mode)`.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_records::{
    Service, batch_fk, fk, id, index, instant_null, one_of, reference, text, text_null, unique, with_provenance,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let by = ColumnDef::new(Incident::MitigatedBy)
            .text()
            .null()
            .check(Expr::col(Incident::MitigatedBy).is_in(["human", "automation", "mixed"]))
            .to_owned();
        m.alter_table(Table::alter().table(Incident::Table).add_column(by).to_owned()).await?;

        let mut remediation = Table::create()
            .table(Remediation::Table)
            .col(id(Remediation::Id))
            .col(reference(Remediation::ServiceId))
            .col(text(Remediation::FailureMode))
            .col(one_of(Remediation::Automation, &["none", "partial", "full"]))
            .col(text_null(Remediation::RunbookUrl))
            .col(instant_null(Remediation::LastExercisedAt))
            .foreign_key(&mut fk((Remediation::Table, Remediation::ServiceId), (Service::Table, Service::Id)))
            .to_owned();
        with_provenance(&mut remediation).foreign_key(&mut batch_fk(Remediation::Table));
        m.create_table(remediation).await?;
        m.create_index(unique("ux_remediation_key", Remediation::Table, &["service_id", "failure_mode"])).await?;
        m.create_index(index("ix_remediation_service", Remediation::Table, &["service_id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Remediation::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Incident::Table).drop_column(Incident::MitigatedBy).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Incident {
    Table,
    MitigatedBy,
}

#[derive(DeriveIden, Clone, Copy)]
enum Remediation {
    Table,
    Id,
    ServiceId,
    FailureMode,
    Automation,
    RunbookUrl,
    LastExercisedAt,
}
