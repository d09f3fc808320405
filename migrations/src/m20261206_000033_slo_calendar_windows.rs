//! Calendar-aligned error budget windows and ratio-timeslices budgeting on SLOs (docs/kpis.md
//! §7). All optional or defaulted, so earlier imports stay valid.
//!
//! - `calendar_window`: the window's length as a shorthand (`1w`, `1M`, `1Q`, …); null for a
//!   rolling window of `window_days`. For a calendar window `window_days` holds the most days one
//!   window spans, which is how far back a loader must read.
//! - `calendar_start`: the day calendar windows step from.
//! - `mean_of_daily_ratios`: true for `budgeting = ratio_timeslices`, stored with `budgeting`
//!   left at `timeslices`. The column's CHECK lists two methods, and SQLite cannot change a
//!   CHECK without rebuilding the table (which measurements reference with `ON DELETE RESTRICT`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            ColumnDef::new(Slo::CalendarWindow).text().null().to_owned(),
            ColumnDef::new(Slo::CalendarStart).date().null().to_owned(),
            ColumnDef::new(Slo::MeanOfDailyRatios).boolean().not_null().default(false).to_owned(),
        ];
        // One column per statement: SQLite adds one at a time.
        for column in columns {
            m.alter_table(Table::alter().table(Slo::Table).add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Slo::CalendarWindow, Slo::CalendarStart, Slo::MeanOfDailyRatios] {
            m.alter_table(Table::alter().table(Slo::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Slo {
    Table,
    CalendarWindow,
    CalendarStart,
    MeanOfDailyRatios,
}
