//! On-call records (docs/data-model.md): `alert`, a page or notification sent to a person, keyed
//! by `(source, external_id)`; and `oncall_shift`, who was on call for a team's schedule when,
//! keyed by `(team_id, schedule, person, starts_at)`.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_records::{
    Incident, Service, Team, batch_fk, fk, id, index, instant, instant_null, one_of, reference, reference_null, text,
    text_null, unique, with_provenance,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What a person made of an alert.
const DISPOSITIONS: [&str; 5] = ["actionable", "non_actionable", "duplicate", "false_positive", "unreviewed"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut alert = Table::create()
            .table(Alert::Table)
            .col(id(Alert::Id))
            .col(text(Alert::Source))
            .col(text(Alert::ExternalId))
            .col(reference(Alert::ServiceId))
            .col(text(Alert::Rule))
            .col(instant(Alert::FiredAt))
            .col(instant_null(Alert::AcknowledgedAt))
            .col(instant_null(Alert::ResolvedAt))
            .col(ColumnDef::new(Alert::Paged).boolean().not_null())
            .col(text_null(Alert::Urgency))
            .col(text_null(Alert::Responder))
            .col(ColumnDef::new(Alert::Escalations).big_integer().null().check(Expr::col(Alert::Escalations).gte(0)))
            .col(ColumnDef::new(Alert::AutoResolved).boolean().null())
            .col(one_of(Alert::Disposition, &DISPOSITIONS))
            .col(reference_null(Alert::IncidentId))
            .col(text_null(Alert::Labels))
            .foreign_key(&mut fk((Alert::Table, Alert::ServiceId), (Service::Table, Service::Id)))
            .foreign_key(&mut fk((Alert::Table, Alert::IncidentId), (Incident::Table, Incident::Id)))
            .to_owned();
        with_provenance(&mut alert).foreign_key(&mut batch_fk(Alert::Table));
        m.create_table(alert).await?;
        m.create_index(unique("ux_alert_source_external", Alert::Table, &["source", "external_id"])).await?;
        m.create_index(index("ix_alert_service_fired", Alert::Table, &["service_id", "fired_at"])).await?;
        m.create_index(index("ix_alert_fired", Alert::Table, &["fired_at"])).await?;

        let mut shift = Table::create()
            .table(OncallShift::Table)
            .col(id(OncallShift::Id))
            .col(reference(OncallShift::TeamId))
            .col(text(OncallShift::Schedule))
            .col(text(OncallShift::Person))
            .col(instant(OncallShift::StartsAt))
            .col(instant(OncallShift::EndsAt))
            .foreign_key(&mut fk((OncallShift::Table, OncallShift::TeamId), (Team::Table, Team::Id)))
            .to_owned();
        with_provenance(&mut shift).foreign_key(&mut batch_fk(OncallShift::Table));
        m.create_table(shift).await?;
        m.create_index(unique(
            "ux_oncall_shift_key",
            OncallShift::Table,
            &["team_id", "schedule", "person", "starts_at"],
        ))
        .await?;
        m.create_index(index("ix_oncall_shift_team_starts", OncallShift::Table, &["team_id", "starts_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(OncallShift::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Alert::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Alert {
    Table,
    Id,
    Source,
    ExternalId,
    ServiceId,
    Rule,
    FiredAt,
    AcknowledgedAt,
    ResolvedAt,
    Paged,
    Urgency,
    Responder,
    Escalations,
    AutoResolved,
    Disposition,
    IncidentId,
    Labels,
}

#[derive(DeriveIden, Clone, Copy)]
enum OncallShift {
    Table,
    Id,
    TeamId,
    Schedule,
    Person,
    StartsAt,
    EndsAt,
}
