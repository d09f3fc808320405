//! Change-approval evidence on deployments (docs/ingestion.md, deployments): who made the change,
//! who approved it, the change ticket, and whether it was an emergency change. The control tests
//! (docs/control-tests.md) read them; all optional, so earlier imports stay valid.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in [
            ColumnDef::new(Deployment::Author).text().null().to_owned(),
            ColumnDef::new(Deployment::ApprovedBy).text().null().to_owned(),
            ColumnDef::new(Deployment::ChangeTicket).text().null().to_owned(),
            ColumnDef::new(Deployment::Emergency).boolean().not_null().default(false).to_owned(),
        ] {
            m.alter_table(Table::alter().table(Deployment::Table).add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Deployment::Author, Deployment::ApprovedBy, Deployment::ChangeTicket, Deployment::Emergency] {
            m.alter_table(Table::alter().table(Deployment::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Deployment {
    Table,
    Author,
    ApprovedBy,
    ChangeTicket,
    Emergency,
}
