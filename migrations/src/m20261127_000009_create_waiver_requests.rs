//! Waiver requests (docs/data-model.md exemptions, requested in the UI): a team asks to waive a failing
//! check of a service with a reason and an expiry; an admin other than the requester approves
//! it (which writes the `exemption` record) or rejects it. Kept whole, decided or not, as the
//! trail of who asked and who decided.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WaiverRequest::Table)
                .col(ColumnDef::new(WaiverRequest::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(WaiverRequest::ServiceId).big_integer().not_null())
                .col(ColumnDef::new(WaiverRequest::CheckId).text().not_null())
                .col(ColumnDef::new(WaiverRequest::Reason).text().not_null())
                .col(ColumnDef::new(WaiverRequest::ExpiresAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(WaiverRequest::RequestedBy).text().not_null())
                .col(ColumnDef::new(WaiverRequest::RequestedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(WaiverRequest::Status).text().not_null())
                .col(ColumnDef::new(WaiverRequest::DecidedBy).text().null())
                .col(ColumnDef::new(WaiverRequest::DecidedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(WaiverRequest::DecisionNote).text().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(WaiverRequest::Table, WaiverRequest::ServiceId)
                        .to(Service::Table, Service::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_waiver_request_status_service")
                .table(WaiverRequest::Table)
                .col(WaiverRequest::Status)
                .col(WaiverRequest::ServiceId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WaiverRequest::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum WaiverRequest {
    Table,
    Id,
    ServiceId,
    CheckId,
    Reason,
    ExpiresAt,
    RequestedBy,
    RequestedAt,
    Status,
    DecidedBy,
    DecidedAt,
    DecisionNote,
}

#[derive(DeriveIden)]
enum Service {
    Table,
    Id,
}
