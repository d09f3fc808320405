//! Campaigns (docs/campaigns.md): a dated goal for a set of services, and the standing recorded
//! for it each day (its burn-up; the one recorded on the deadline is its result). Kept in the
//! database so every replica and restart shows the same history.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Campaign::Table)
                .col(ColumnDef::new(Campaign::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Campaign::Slug).text().not_null().unique_key())
                .col(ColumnDef::new(Campaign::Title).text().not_null())
                .col(ColumnDef::new(Campaign::Description).text().not_null())
                .col(ColumnDef::new(Campaign::Owner).text().not_null())
                // JSON: `CampaignGoal` and `CampaignScope`.
                .col(ColumnDef::new(Campaign::Goal).text().not_null())
                .col(ColumnDef::new(Campaign::Scope).text().not_null())
                .col(ColumnDef::new(Campaign::Deadline).date().not_null())
                .col(ColumnDef::new(Campaign::CreatedBy).text().not_null())
                .col(ColumnDef::new(Campaign::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Campaign::UpdatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Campaign::CancelledAt).timestamp_with_time_zone().null())
                // JSON: the standing recorded on the deadline, once it has passed.
                .col(ColumnDef::new(Campaign::Result).text().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CampaignPoint::Table)
                .col(ColumnDef::new(CampaignPoint::CampaignId).big_integer().not_null())
                .col(ColumnDef::new(CampaignPoint::Day).date().not_null())
                .col(ColumnDef::new(CampaignPoint::Met).integer().not_null())
                .col(ColumnDef::new(CampaignPoint::Total).integer().not_null())
                // JSON: the services not meeting the goal.
                .col(ColumnDef::new(CampaignPoint::OpenServices).text().not_null())
                .col(ColumnDef::new(CampaignPoint::RecordedAt).timestamp_with_time_zone().not_null())
                .primary_key(Index::create().col(CampaignPoint::CampaignId).col(CampaignPoint::Day))
                .foreign_key(
                    ForeignKey::create()
                        .from(CampaignPoint::Table, CampaignPoint::CampaignId)
                        .to(Campaign::Table, Campaign::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CampaignPoint::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Campaign::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Campaign {
    Table,
    Id,
    Slug,
    Title,
    Description,
    Owner,
    Goal,
    Scope,
    Deadline,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    CancelledAt,
    Result,
}

#[derive(DeriveIden)]
enum CampaignPoint {
    Table,
    CampaignId,
    Day,
    Met,
    Total,
    OpenServices,
    RecordedAt,
}
