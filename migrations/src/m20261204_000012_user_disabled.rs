//! An admin can disable a user: they can no longer sign in, their sessions end and their API
//! tokens stop working, until an admin enables them again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AppUser::Table)
                .add_column(ColumnDef::new(AppUser::DisabledAt).timestamp_with_time_zone().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AppUser::Table)
                .add_column(ColumnDef::new(AppUser::DisabledBy).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(AppUser::Table).drop_column(AppUser::DisabledBy).to_owned()).await?;
        m.alter_table(Table::alter().table(AppUser::Table).drop_column(AppUser::DisabledAt).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    DisabledAt,
    DisabledBy,
}
