//! Background jobs (docs/operations.md § Jobs): one row per unit of work, claimed by one worker
//! at a time under a lease that its heartbeat extends. A failed job waits out a backoff and is
//! tried again, up to its `max_attempts`; then it is `dead` until an admin retries it. A
//! scheduled job carries its schedule's name and slot, unique together, so however many
//! replicas schedule the same slot it is queued once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Job::Table)
                .col(ColumnDef::new(Job::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Job::Kind).text().not_null())
                .col(ColumnDef::new(Job::Payload).text().not_null())
                .col(ColumnDef::new(Job::State).text().not_null())
                .col(ColumnDef::new(Job::Attempts).integer().not_null())
                .col(ColumnDef::new(Job::MaxAttempts).integer().not_null())
                .col(ColumnDef::new(Job::RunAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Job::LeaseUntil).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Job::Worker).text().null())
                .col(ColumnDef::new(Job::LastError).text().null())
                .col(ColumnDef::new(Job::Schedule).text().null())
                .col(ColumnDef::new(Job::Slot).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Job::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Job::StartedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(Job::FinishedAt).timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;
        // Workers look for the next due job of a state; the page and /metrics count by state.
        m.create_index(
            Index::create().name("ix_job_state_run_at").table(Job::Table).col(Job::State).col(Job::RunAt).to_owned(),
        )
        .await?;
        // One job per schedule slot, whichever replica queues it first (NULLs never collide).
        m.create_index(
            Index::create()
                .name("ux_job_schedule_slot")
                .table(Job::Table)
                .col(Job::Schedule)
                .col(Job::Slot)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Job::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Job {
    Table,
    Id,
    Kind,
    Payload,
    State,
    Attempts,
    MaxAttempts,
    RunAt,
    LeaseUntil,
    Worker,
    LastError,
    Schedule,
    Slot,
    CreatedAt,
    StartedAt,
    FinishedAt,
}
