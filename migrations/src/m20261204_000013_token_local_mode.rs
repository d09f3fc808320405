//! Tokens created while Plumbline ran in local mode (no sign-in: anyone on the machine was the
//! admin) are flagged, and refused once an identity provider is configured; they must be
//! issued again by a signed-in person. Tokens made before this migration by the local admin
//! (`created_by = 'local'`) are flagged too: nothing tells the server's from the CLI's.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(ApiToken::Table)
                .add_column(ColumnDef::new(ApiToken::LocalMode).boolean().not_null().default(false))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("UPDATE api_token SET local_mode = TRUE WHERE created_by = 'local'")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(ApiToken::Table).drop_column(ApiToken::LocalMode).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    LocalMode,
}
