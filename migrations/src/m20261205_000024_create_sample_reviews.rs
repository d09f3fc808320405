//! Sample reviews (docs/sample-reviews.md): a sample of one population's records in an audit
//! window, drawn at random from a seed, by ids or by days, and each sampled record's review.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ReviewSample::Table)
                .col(ColumnDef::new(ReviewSample::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(ReviewSample::Population).text().not_null())
                .col(ColumnDef::new(ReviewSample::WindowFrom).date().not_null())
                .col(ColumnDef::new(ReviewSample::WindowTo).date().not_null())
                // JSON of the method: `{"method": "random", "size", "seed"}`, `ids` or `days`.
                .col(ColumnDef::new(ReviewSample::Method).text().not_null())
                .col(ColumnDef::new(ReviewSample::CreatedBy).text().not_null())
                .col(ColumnDef::new(ReviewSample::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SampleItem::Table)
                .col(ColumnDef::new(SampleItem::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(SampleItem::SampleId).big_integer().not_null())
                // The order it was drawn in (1-based).
                .col(ColumnDef::new(SampleItem::Position).integer().not_null())
                .col(ColumnDef::new(SampleItem::RecordId).big_integer().not_null())
                // The record's external id (or what names it) when it was drawn.
                .col(ColumnDef::new(SampleItem::Label).text().not_null())
                // `pending`, `ready`, `approved` or `flagged`.
                .col(ColumnDef::new(SampleItem::Status).text().not_null())
                .col(ColumnDef::new(SampleItem::Comment).text().null())
                .col(ColumnDef::new(SampleItem::ReviewedBy).text().null())
                .col(ColumnDef::new(SampleItem::ReviewedAt).timestamp_with_time_zone().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(SampleItem::Table, SampleItem::SampleId)
                        .to(ReviewSample::Table, ReviewSample::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_sample_item_record")
                .table(SampleItem::Table)
                .col(SampleItem::SampleId)
                .col(SampleItem::RecordId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SampleItem::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ReviewSample::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ReviewSample {
    Table,
    Id,
    Population,
    WindowFrom,
    WindowTo,
    Method,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SampleItem {
    Table,
    Id,
    SampleId,
    Position,
    RecordId,
    Label,
    Status,
    Comment,
    ReviewedBy,
    ReviewedAt,
}
