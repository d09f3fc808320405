//! Exemptions (docs/data-model.md): one scorecard check waived for one service until it expires.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Exemption::Table)
                .col(ColumnDef::new(Exemption::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Exemption::ServiceId).big_integer().not_null())
                .col(ColumnDef::new(Exemption::CheckId).text().not_null())
                .col(ColumnDef::new(Exemption::Reason).text().not_null())
                .col(ColumnDef::new(Exemption::Approver).text().not_null())
                .col(ColumnDef::new(Exemption::ExpiresAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Exemption::ImportBatchId).big_integer().not_null())
                .col(ColumnDef::new(Exemption::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Exemption::UpdatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Exemption::Table, Exemption::ServiceId)
                        .to(Service::Table, Service::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Exemption::Table, Exemption::ImportBatchId)
                        .to(ImportBatch::Table, ImportBatch::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_exemption_service_check")
                .table(Exemption::Table)
                .col(Exemption::ServiceId)
                .col(Exemption::CheckId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Exemption::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Exemption {
    Table,
    Id,
    ServiceId,
    CheckId,
    Reason,
    Approver,
    ExpiresAt,
    ImportBatchId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Service {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ImportBatch {
    Table,
    Id,
}
