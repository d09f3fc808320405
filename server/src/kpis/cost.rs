//! Loads the costs of the months starting in a period (docs/kpis.md §10e).

use std::collections::HashMap;

use app::domain::kpi::{Cost, Period};
use app::domain::records::Slug;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::mapping::Corrupt;
use crate::entities::cost;

type CostRow = (i64, i64, NaiveDate, f64, String, String, f64);

/// The costs of the scope's services for the months starting in the period.
pub async fn costs<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    scope_ids: Option<&[i64]>,
    services: &HashMap<i64, Slug>,
) -> Result<Vec<Cost>, super::load::LoadError> {
    let mut query = cost::Entity::find()
        .select_only()
        .columns([
            cost::Column::Id,
            cost::Column::ServiceId,
            cost::Column::Month,
            cost::Column::Amount,
            cost::Column::Currency,
            cost::Column::UnitDriver,
            cost::Column::Units,
        ])
        .filter(cost::Column::Month.gte(period.first_day()))
        .filter(cost::Column::Month.lt(period.end_day()));
    if let Some(ids) = scope_ids {
        query = query.filter(cost::Column::ServiceId.is_in(ids.iter().copied()));
    }
    let rows: Vec<CostRow> = query.into_tuple().all(db).await?;
    rows.into_iter()
        .map(|(id, service_id, month, amount, currency, unit_driver, units)| {
            if units <= 0.0 {
                return Err(Corrupt { table: "cost", id, problem: "units not above 0".into() }.into());
            }
            let service = services.get(&service_id).cloned().ok_or_else(|| Corrupt {
                table: "cost",
                id,
                problem: "unknown service".into(),
            })?;
            Ok(Cost { service, month, amount, currency, unit_driver, units })
        })
        .collect()
}
