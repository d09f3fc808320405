//! The records of docs/data-model.md with their constraints: natural keys unique, references as
//! foreign keys, enumerations and ranges as CHECKs, indexes for the KPI queries.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) fn id<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().auto_increment().primary_key().to_owned()
}
pub(crate) fn text<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).text().not_null().to_owned()
}
pub(crate) fn text_null<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).text().null().to_owned()
}
pub(crate) fn instant<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().not_null().to_owned()
}
pub(crate) fn instant_null<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).timestamp_with_time_zone().null().to_owned()
}
pub(crate) fn reference<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().to_owned()
}
pub(crate) fn reference_null<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().to_owned()
}
fn minutes_null<T: IntoIden + Copy + 'static>(name: T) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().check(Expr::col(name).gte(0)).to_owned()
}
/// A text column restricted to `values`.
pub(crate) fn one_of<T: IntoIden + Copy + 'static>(name: T, values: &[&str]) -> ColumnDef {
    ColumnDef::new(name).text().not_null().check(Expr::col(name).is_in(values.iter().copied())).to_owned()
}
pub(crate) fn fk(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

/// Provenance and timestamps every ingested record carries.
pub(crate) fn with_provenance(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table.col(reference(Common::ImportBatchId)).col(instant(Common::CreatedAt)).col(instant(Common::UpdatedAt))
}

pub(crate) fn unique(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).unique().to_owned();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

pub(crate) fn index(name: &str, table: impl IntoIden, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).to_owned();
    for column in columns {
        index.col(Alias::new(*column));
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ImportBatch::Table)
                .col(id(ImportBatch::Id))
                .col(text(ImportBatch::Kind))
                .col(text(ImportBatch::Source))
                .col(text(ImportBatch::Format))
                .col(text_null(ImportBatch::FileName))
                .col(text(ImportBatch::Actor))
                .col(ColumnDef::new(ImportBatch::Sha256).text().not_null())
                .col(ColumnDef::new(ImportBatch::Received).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportBatch::Created).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportBatch::Updated).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportBatch::Unchanged).big_integer().not_null().default(0))
                .col(ColumnDef::new(ImportBatch::Rejected).big_integer().not_null().default(0))
                .col(one_of(ImportBatch::Status, &["running", "applied", "rejected"]))
                .col(instant(ImportBatch::StartedAt))
                .col(instant_null(ImportBatch::FinishedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_import_batch_started", ImportBatch::Table, &["started_at"])).await?;

        let mut team =
            Table::create().table(Team::Table).col(id(Team::Id)).col(text(Team::Slug)).col(text(Team::Name)).to_owned();
        with_provenance(&mut team).foreign_key(&mut batch_fk(Team::Table));
        m.create_table(team).await?;
        m.create_index(unique("ux_team_slug", Team::Table, &["slug"])).await?;

        let mut service = Table::create()
            .table(Service::Table)
            .col(id(Service::Id))
            .col(text(Service::Slug))
            .col(text(Service::Name))
            .col(ColumnDef::new(Service::Tier).small_integer().not_null().check(Expr::col(Service::Tier).between(0, 3)))
            .col(reference(Service::TeamId))
            .col(one_of(Service::Lifecycle, &["active", "retired"]))
            .foreign_key(&mut fk((Service::Table, Service::TeamId), (Team::Table, Team::Id)))
            .to_owned();
        with_provenance(&mut service).foreign_key(&mut batch_fk(Service::Table));
        m.create_table(service).await?;
        m.create_index(unique("ux_service_slug", Service::Table, &["slug"])).await?;
        m.create_index(index("ix_service_team", Service::Table, &["team_id"])).await?;

        let mut slo = Table::create()
            .table(Slo::Table)
            .col(id(Slo::Id))
            .col(reference(Slo::ServiceId))
            .col(text(Slo::Slug))
            .col(text(Slo::Name))
            .col(one_of(Slo::Indicator, &["availability", "latency", "freshness", "correctness", "other"]))
            .col(
                ColumnDef::new(Slo::Objective)
                    .double()
                    .not_null()
                    .check(Expr::col(Slo::Objective).gt(0).and(Expr::col(Slo::Objective).lt(100))),
            )
            .col(ColumnDef::new(Slo::WindowDays).integer().not_null().check(Expr::col(Slo::WindowDays).between(1, 366)))
            .col(one_of(Slo::Budgeting, &["occurrences", "timeslices"]))
            .col(minutes_null(Slo::ThresholdMs))
            .foreign_key(&mut fk((Slo::Table, Slo::ServiceId), (Service::Table, Service::Id)))
            .to_owned();
        with_provenance(&mut slo).foreign_key(&mut batch_fk(Slo::Table));
        m.create_table(slo).await?;
        m.create_index(unique("ux_slo_service_slug", Slo::Table, &["service_id", "slug"])).await?;

        let mut measurement = Table::create()
            .table(SloMeasurement::Table)
            .col(id(SloMeasurement::Id))
            .col(reference(SloMeasurement::SloId))
            .col(ColumnDef::new(SloMeasurement::Day).date().not_null())
            .col(ColumnDef::new(SloMeasurement::Good).big_integer().not_null())
            .col(ColumnDef::new(SloMeasurement::Total).big_integer().not_null())
            .check(
                Expr::col(SloMeasurement::Good)
                    .gte(0)
                    .and(Expr::col(SloMeasurement::Good).lte(Expr::col(SloMeasurement::Total))),
            )
            .foreign_key(&mut fk((SloMeasurement::Table, SloMeasurement::SloId), (Slo::Table, Slo::Id)))
            .to_owned();
        with_provenance(&mut measurement).foreign_key(&mut batch_fk(SloMeasurement::Table));
        m.create_table(measurement).await?;
        // Serves both the natural key and "this SLO's days in a period".
        m.create_index(unique("ux_slo_measurement_slo_day", SloMeasurement::Table, &["slo_id", "day"])).await?;

        let severity_range = Expr::col(Incident::Severity).between(0, 4);
        let ordered = |earlier: Incident, later: Incident| {
            Expr::col(earlier).is_null().or(Expr::col(later).is_null()).or(Expr::col(earlier).lte(Expr::col(later)))
        };
        let mut incident = Table::create()
            .table(Incident::Table)
            .col(id(Incident::Id))
            .col(text(Incident::Source))
            .col(text(Incident::ExternalId))
            .col(text(Incident::Title))
            .col(ColumnDef::new(Incident::Severity).small_integer().not_null().check(severity_range))
            .col(instant(Incident::StartedAt))
            .col(instant_null(Incident::DetectedAt))
            .col(instant_null(Incident::AcknowledgedAt))
            .col(instant_null(Incident::MitigatedAt))
            .col(instant_null(Incident::ResolvedAt))
            .col(ColumnDef::new(Incident::CustomerImpacting).boolean().not_null())
            .col(minutes_null(Incident::CustomerImpactMinutes))
            .col(ColumnDef::new(Incident::ChangeRelated).boolean().not_null())
            .col(text_null(Incident::RootCauseCategory))
            .col(reference_null(Incident::RepeatOfId))
            .col(one_of(
                Incident::Status,
                &["open", "investigating", "identified", "monitoring", "mitigated", "resolved", "closed"],
            ))
            .check(ordered(Incident::StartedAt, Incident::DetectedAt))
            .check(ordered(Incident::DetectedAt, Incident::AcknowledgedAt))
            .check(ordered(Incident::AcknowledgedAt, Incident::MitigatedAt))
            .check(ordered(Incident::MitigatedAt, Incident::ResolvedAt))
            .check(ordered(Incident::StartedAt, Incident::MitigatedAt))
            .check(ordered(Incident::StartedAt, Incident::ResolvedAt))
            .foreign_key(&mut fk((Incident::Table, Incident::RepeatOfId), (Incident::Table, Incident::Id)))
            .to_owned();
        with_provenance(&mut incident).foreign_key(&mut batch_fk(Incident::Table));
        m.create_table(incident).await?;
        m.create_index(unique("ux_incident_source_external", Incident::Table, &["source", "external_id"])).await?;
        m.create_index(index("ix_incident_started", Incident::Table, &["started_at"])).await?;
        m.create_index(index("ix_incident_mitigated", Incident::Table, &["mitigated_at"])).await?;

        m.create_table(
            Table::create()
                .table(IncidentService::Table)
                .col(reference(IncidentService::IncidentId))
                .col(reference(IncidentService::ServiceId))
                .primary_key(Index::create().col(IncidentService::IncidentId).col(IncidentService::ServiceId))
                .foreign_key(
                    &mut fk((IncidentService::Table, IncidentService::IncidentId), (Incident::Table, Incident::Id))
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .foreign_key(&mut fk(
                    (IncidentService::Table, IncidentService::ServiceId),
                    (Service::Table, Service::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_incident_service_service", IncidentService::Table, &["service_id", "incident_id"]))
            .await?;

        let mut postmortem = Table::create()
            .table(Postmortem::Table)
            .col(id(Postmortem::Id))
            .col(reference(Postmortem::IncidentId))
            .col(one_of(Postmortem::Status, &["draft", "published"]))
            .col(instant_null(Postmortem::PublishedAt))
            .col(text_null(Postmortem::Url))
            .check(Expr::col(Postmortem::Status).ne("published").or(Expr::col(Postmortem::PublishedAt).is_not_null()))
            .foreign_key(&mut fk((Postmortem::Table, Postmortem::IncidentId), (Incident::Table, Incident::Id)))
            .to_owned();
        with_provenance(&mut postmortem).foreign_key(&mut batch_fk(Postmortem::Table));
        m.create_table(postmortem).await?;
        m.create_index(unique("ux_postmortem_incident", Postmortem::Table, &["incident_id"])).await?;

        let mut action = Table::create()
            .table(PostmortemAction::Table)
            .col(id(PostmortemAction::Id))
            .col(text(PostmortemAction::Source))
            .col(text(PostmortemAction::ExternalId))
            .col(reference_null(PostmortemAction::IncidentId))
            .col(reference(PostmortemAction::ServiceId))
            .col(text(PostmortemAction::Title))
            .col(text_null(PostmortemAction::Owner))
            .col(text_null(PostmortemAction::Priority))
            .col(ColumnDef::new(PostmortemAction::DueDate).date().null())
            .col(one_of(PostmortemAction::Status, &["open", "done", "wont_do"]))
            .col(instant_null(PostmortemAction::CompletedAt))
            .check(
                Expr::col(PostmortemAction::Status)
                    .ne("done")
                    .or(Expr::col(PostmortemAction::CompletedAt).is_not_null()),
            )
            .foreign_key(&mut fk(
                (PostmortemAction::Table, PostmortemAction::IncidentId),
                (Incident::Table, Incident::Id),
            ))
            .foreign_key(&mut fk((PostmortemAction::Table, PostmortemAction::ServiceId), (Service::Table, Service::Id)))
            .to_owned();
        with_provenance(&mut action).foreign_key(&mut batch_fk(PostmortemAction::Table));
        m.create_table(action).await?;
        m.create_index(unique("ux_action_source_external", PostmortemAction::Table, &["source", "external_id"]))
            .await?;
        m.create_index(index("ix_action_service_due", PostmortemAction::Table, &["service_id", "due_date"])).await?;
        m.create_index(index("ix_action_due", PostmortemAction::Table, &["due_date"])).await?;
        m.create_index(index("ix_action_incident", PostmortemAction::Table, &["incident_id"])).await?;

        let mut dr = Table::create()
            .table(DrTest::Table)
            .col(id(DrTest::Id))
            .col(text(DrTest::Source))
            .col(text(DrTest::ExternalId))
            .col(reference(DrTest::ServiceId))
            .col(one_of(
                DrTest::Scenario,
                &["failover", "restore", "backup_verification", "region_evacuation", "other"],
            ))
            .col(instant(DrTest::PerformedAt))
            .col(one_of(DrTest::Outcome, &["pass", "partial", "fail"]))
            .col(minutes_null(DrTest::RtoTargetMinutes))
            .col(minutes_null(DrTest::RtoAchievedMinutes))
            .col(minutes_null(DrTest::RpoTargetMinutes))
            .col(minutes_null(DrTest::RpoAchievedMinutes))
            .col(text_null(DrTest::EvidenceUrl))
            .col(text_null(DrTest::EvidenceSha256))
            .col(text_null(DrTest::Notes))
            .foreign_key(&mut fk((DrTest::Table, DrTest::ServiceId), (Service::Table, Service::Id)))
            .to_owned();
        with_provenance(&mut dr).foreign_key(&mut batch_fk(DrTest::Table));
        m.create_table(dr).await?;
        m.create_index(unique("ux_dr_test_source_external", DrTest::Table, &["source", "external_id"])).await?;
        m.create_index(index("ix_dr_test_service_performed", DrTest::Table, &["service_id", "performed_at"])).await?;
        m.create_index(index("ix_dr_test_performed", DrTest::Table, &["performed_at"])).await?;

        let mut deployment = Table::create()
            .table(Deployment::Table)
            .col(id(Deployment::Id))
            .col(text(Deployment::Source))
            .col(text(Deployment::ExternalId))
            .col(reference(Deployment::ServiceId))
            .col(instant(Deployment::DeployedAt))
            .col(one_of(Deployment::Outcome, &["success", "rolled_back", "failed"]))
            .col(reference_null(Deployment::IncidentId))
            .foreign_key(&mut fk((Deployment::Table, Deployment::ServiceId), (Service::Table, Service::Id)))
            .foreign_key(&mut fk((Deployment::Table, Deployment::IncidentId), (Incident::Table, Incident::Id)))
            .to_owned();
        with_provenance(&mut deployment).foreign_key(&mut batch_fk(Deployment::Table));
        m.create_table(deployment).await?;
        m.create_index(unique("ux_deployment_source_external", Deployment::Table, &["source", "external_id"])).await?;
        m.create_index(index("ix_deployment_service_deployed", Deployment::Table, &["service_id", "deployed_at"]))
            .await?;
        m.create_index(index("ix_deployment_deployed", Deployment::Table, &["deployed_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Deployment::Table.into_iden(),
            DrTest::Table.into_iden(),
            PostmortemAction::Table.into_iden(),
            Postmortem::Table.into_iden(),
            IncidentService::Table.into_iden(),
            Incident::Table.into_iden(),
            SloMeasurement::Table.into_iden(),
            Slo::Table.into_iden(),
            Service::Table.into_iden(),
            Team::Table.into_iden(),
            ImportBatch::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

pub(crate) fn batch_fk(table: impl IntoIden) -> ForeignKeyCreateStatement {
    fk((table, Common::ImportBatchId), (ImportBatch::Table, ImportBatch::Id))
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Common {
    ImportBatchId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ImportBatch {
    Table,
    Id,
    Kind,
    Source,
    Format,
    FileName,
    Actor,
    Sha256,
    Received,
    Created,
    Updated,
    Unchanged,
    Rejected,
    Status,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Team {
    Table,
    Id,
    Slug,
    Name,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Service {
    Table,
    Id,
    Slug,
    Name,
    Tier,
    TeamId,
    Lifecycle,
}

#[derive(DeriveIden, Clone, Copy)]
enum Slo {
    Table,
    Id,
    ServiceId,
    Slug,
    Name,
    Indicator,
    Objective,
    WindowDays,
    Budgeting,
    ThresholdMs,
}

#[derive(DeriveIden, Clone, Copy)]
enum SloMeasurement {
    Table,
    Id,
    SloId,
    Day,
    Good,
    Total,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Incident {
    Table,
    Id,
    Source,
    ExternalId,
    Title,
    Severity,
    StartedAt,
    DetectedAt,
    AcknowledgedAt,
    MitigatedAt,
    ResolvedAt,
    CustomerImpacting,
    CustomerImpactMinutes,
    ChangeRelated,
    RootCauseCategory,
    RepeatOfId,
    Status,
}

#[derive(DeriveIden, Clone, Copy)]
enum IncidentService {
    Table,
    IncidentId,
    ServiceId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Postmortem {
    Table,
    Id,
    IncidentId,
    Status,
    PublishedAt,
    Url,
}

#[derive(DeriveIden, Clone, Copy)]
enum PostmortemAction {
    Table,
    Id,
    Source,
    ExternalId,
    IncidentId,
    ServiceId,
    Title,
    Owner,
    Priority,
    DueDate,
    Status,
    CompletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DrTest {
    Table,
    Id,
    Source,
    ExternalId,
    ServiceId,
    Scenario,
    PerformedAt,
    Outcome,
    RtoTargetMinutes,
    RtoAchievedMinutes,
    RpoTargetMinutes,
    RpoAchievedMinutes,
    EvidenceUrl,
    EvidenceSha256,
    Notes,
}

#[derive(DeriveIden, Clone, Copy)]
enum Deployment {
    Table,
    Id,
    Source,
    ExternalId,
    ServiceId,
    DeployedAt,
    Outcome,
    IncidentId,
}
