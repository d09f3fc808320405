//! Notifications (docs/notifications.md): a team's subscriptions (an email address or a webhook
//! URL), and every notification created for one — once per subscription and occasion (its
//! unique `dedupe_key`), with its delivery state — which the admins' log lists.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Subscription::Table)
                .col(ColumnDef::new(Subscription::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Subscription::Team).text().not_null())
                .col(ColumnDef::new(Subscription::Channel).text().not_null())
                .col(ColumnDef::new(Subscription::Target).text().not_null())
                // The webhook's signing key (shown to admins on the notifications page); null otherwise.
                .col(ColumnDef::new(Subscription::Secret).text().null())
                .col(ColumnDef::new(Subscription::UnsubscribeToken).text().not_null().unique_key())
                .col(ColumnDef::new(Subscription::CreatedBy).text().not_null())
                .col(ColumnDef::new(Subscription::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Subscription::EndedAt).timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Notification::Table)
                .col(ColumnDef::new(Notification::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Notification::DedupeKey).text().not_null().unique_key())
                .col(ColumnDef::new(Notification::SubscriptionId).big_integer().not_null())
                .col(ColumnDef::new(Notification::Event).text().not_null())
                .col(ColumnDef::new(Notification::Subject).text().not_null())
                // JSON: what the message was made from (a digest), for the next one to compare.
                .col(ColumnDef::new(Notification::Payload).text().not_null())
                // `queued`, `sent`, `failed` (retrying) or `given_up`.
                .col(ColumnDef::new(Notification::Status).text().not_null())
                .col(ColumnDef::new(Notification::Attempts).integer().not_null())
                .col(ColumnDef::new(Notification::LastError).text().null())
                .col(ColumnDef::new(Notification::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Notification::SentAt).timestamp_with_time_zone().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Notification::Table, Notification::SubscriptionId)
                        .to(Subscription::Table, Subscription::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Notification::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Subscription::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Subscription {
    Table,
    Id,
    Team,
    Channel,
    Target,
    Secret,
    UnsubscribeToken,
    CreatedBy,
    CreatedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    DedupeKey,
    SubscriptionId,
    Event,
    Subject,
    Payload,
    Status,
    Attempts,
    LastError,
    CreatedAt,
    SentAt,
}
