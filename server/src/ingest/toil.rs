//! The `toil-reports` kind as an import spec: how many of a team's hours in a week or a month
//! went to toil, keyed by team, span and start.

use std::collections::{HashMap, HashSet};

use app::domain::ingest::RowError;
use app::domain::records::ToilReportInput;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};

use super::kinds::unknown;
use super::refs::Ctx;
use super::spec::{KindSpec, Prepared, Stored};
use crate::entities::toil_report;
use crate::kpis::changes::{Reach, day_reach};

pub struct ToilReports;

/// A report's natural key: team, span (`week`/`month`) and first day.
type ToilKey = (i64, String, NaiveDate);

#[async_trait::async_trait]
impl KindSpec for ToilReports {
    type Input = ToilReportInput;
    type Key = ToilKey;
    type Entity = toil_report::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["team_id", "span", "period_start"];

    async fn reach(_txn: &DatabaseTransaction, models: &[&toil_report::Model]) -> Result<Reach, DbErr> {
        Ok(Reach::earliest(models.iter().map(|m| day_reach(m.period_start))))
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, ToilReportInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_teams(txn, inputs.iter().map(|(_, i)| i.team.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let team_id = ctx.team_id(input.team.as_str()).ok_or_else(|| {
                    unknown(row, "team", format!("unknown team '{}': import it under /api/v1/teams first", input.team))
                })?;
                let model = toil_report::Model {
                    id: 0,
                    team_id,
                    span: input.span.as_str().to_owned(),
                    period_start: input.period_start,
                    hours_total: input.hours_total,
                    hours_toil: input.hours_toil,
                    category: input.category,
                    method: input.method.as_str().to_owned(),
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                let key = (team_id, model.span.clone(), model.period_start);
                Ok(Prepared { row, key, model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[ToilKey]) -> Result<Stored<Self>, DbErr> {
        let wanted: HashSet<&ToilKey> = keys.iter().collect();
        let teams: HashSet<i64> = keys.iter().map(|k| k.0).collect();
        let Some(earliest) = keys.iter().map(|k| k.2).min() else { return Ok(HashMap::new()) };
        let latest = keys.iter().map(|k| k.2).max().unwrap_or(earliest);
        let rows = toil_report::Entity::find()
            .filter(toil_report::Column::TeamId.is_in(teams))
            .filter(toil_report::Column::PeriodStart.between(earliest, latest))
            .all(txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ((m.team_id, m.span.clone(), m.period_start), (m, ())))
            .filter(|(k, _)| wanted.contains(k))
            .collect())
    }
}
