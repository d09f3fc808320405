//! Readiness self-assessments (docs/data-model.md): one answer per service and checklist item, with
//! who answered and who reviewed it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SelfAssessment::Table)
                .col(ColumnDef::new(SelfAssessment::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(SelfAssessment::ServiceId).big_integer().not_null())
                .col(ColumnDef::new(SelfAssessment::Item).text().not_null())
                .col(ColumnDef::new(SelfAssessment::Answer).text().not_null())
                .col(ColumnDef::new(SelfAssessment::EvidenceUrl).text().null())
                .col(ColumnDef::new(SelfAssessment::Comment).text().null())
                .col(ColumnDef::new(SelfAssessment::AnsweredBy).text().not_null())
                .col(ColumnDef::new(SelfAssessment::AnsweredAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(SelfAssessment::ReviewedBy).text().null())
                .col(ColumnDef::new(SelfAssessment::ReviewedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(SelfAssessment::ImportBatchId).big_integer().not_null())
                .col(ColumnDef::new(SelfAssessment::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(SelfAssessment::UpdatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(SelfAssessment::Table, SelfAssessment::ServiceId)
                        .to(Service::Table, Service::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SelfAssessment::Table, SelfAssessment::ImportBatchId)
                        .to(ImportBatch::Table, ImportBatch::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_self_assessment_service_item")
                .table(SelfAssessment::Table)
                .col(SelfAssessment::ServiceId)
                .col(SelfAssessment::Item)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SelfAssessment::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum SelfAssessment {
    Table,
    Id,
    ServiceId,
    Item,
    Answer,
    EvidenceUrl,
    Comment,
    AnsweredBy,
    AnsweredAt,
    ReviewedBy,
    ReviewedAt,
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
