//! Rate-limit windows shared by every replica: the requests one client made to one limited
//! action (sign-in, token creation) in one fixed window. Old windows are pruned by a job.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RateWindow::Table)
                .col(ColumnDef::new(RateWindow::Action).text().not_null())
                .col(ColumnDef::new(RateWindow::Client).text().not_null())
                .col(ColumnDef::new(RateWindow::WindowStart).big_integer().not_null())
                .col(ColumnDef::new(RateWindow::Hits).integer().not_null())
                .primary_key(
                    Index::create().col(RateWindow::Action).col(RateWindow::Client).col(RateWindow::WindowStart),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RateWindow::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum RateWindow {
    Table,
    Action,
    Client,
    /// Unix seconds at the window's start.
    WindowStart,
    Hits,
}
