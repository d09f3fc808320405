//! Published scorecard snapshots (docs/data-model.md, docs/reports.md): a period's KPIs and scorecards frozen as
//! the exact bytes served, with their hash. Published snapshots never change.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ScorecardSnapshot::Table)
                .col(ColumnDef::new(ScorecardSnapshot::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(ScorecardSnapshot::Period).text().not_null())
                .col(ColumnDef::new(ScorecardSnapshot::PolicyVersion).text().not_null())
                .col(ColumnDef::new(ScorecardSnapshot::DefinitionsVersion).text().not_null())
                .col(ColumnDef::new(ScorecardSnapshot::Content).text().not_null())
                .col(ColumnDef::new(ScorecardSnapshot::ContentSha256).text().not_null())
                .col(ColumnDef::new(ScorecardSnapshot::PublishedBy).text().not_null())
                .col(ColumnDef::new(ScorecardSnapshot::PublishedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_scorecard_snapshot_period")
                .table(ScorecardSnapshot::Table)
                .col(ScorecardSnapshot::Period)
                .unique()
                .to_owned(),
        )
        .await?;
        if m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            use sea_orm_migration::sea_orm::ConnectionTrait;
            // Published means frozen: the database refuses to change or remove a snapshot.
            m.get_connection()
                .execute_unprepared(
                    "CREATE FUNCTION scorecard_snapshot_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN RAISE EXCEPTION 'published snapshots never change'; END $$;
                     CREATE TRIGGER scorecard_snapshot_frozen BEFORE UPDATE OR DELETE ON scorecard_snapshot
                         FOR EACH ROW EXECUTE FUNCTION scorecard_snapshot_frozen();",
                )
                .await?;
        } else {
            use sea_orm_migration::sea_orm::ConnectionTrait;
            m.get_connection()
                .execute_unprepared(
                    "CREATE TRIGGER scorecard_snapshot_no_update BEFORE UPDATE ON scorecard_snapshot
                     BEGIN SELECT RAISE(ABORT, 'published snapshots never change'); END;
                     CREATE TRIGGER scorecard_snapshot_no_delete BEFORE DELETE ON scorecard_snapshot
                     BEGIN SELECT RAISE(ABORT, 'published snapshots never change'); END;",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ScorecardSnapshot::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ScorecardSnapshot {
    Table,
    Id,
    Period,
    PolicyVersion,
    DefinitionsVersion,
    Content,
    ContentSha256,
    PublishedBy,
    PublishedAt,
}
