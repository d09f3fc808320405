//! When the organisation's data begins: the earliest incident, SLO measurement day, deployment,
//! DR test, alert, on-call shift, toil report, cost month or survey response. A period that ends before it has no figures, not zeros (docs/kpis.md).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QuerySelect, TryGetable};

use crate::entities::{
    alert, cost, deployment, dr_test, incident, oncall_shift, slo_measurement, survey_response, toil_report,
};

/// The smallest value of one column, if the table has a row.
async fn earliest<E, T, C>(db: &C, column: E::Column) -> Result<Option<T>, DbErr>
where
    E: EntityTrait,
    Option<T>: TryGetable,
    C: ConnectionTrait,
{
    Ok(E::find().select_only().expr(column.min()).into_tuple::<Option<T>>().one(db).await?.flatten())
}

/// The earliest instant any record is about, if there is a record at all. A measurement day
/// counts from its midnight in UTC: a few hours either way never moves a whole period.
pub async fn first_record<C: ConnectionTrait>(db: &C) -> Result<Option<DateTime<Utc>>, DbErr> {
    let incident = earliest::<incident::Entity, DateTime<Utc>, _>(db, incident::Column::StartedAt).await?;
    let deployment = earliest::<deployment::Entity, DateTime<Utc>, _>(db, deployment::Column::DeployedAt).await?;
    let dr_test = earliest::<dr_test::Entity, DateTime<Utc>, _>(db, dr_test::Column::PerformedAt).await?;
    let day = earliest::<slo_measurement::Entity, NaiveDate, _>(db, slo_measurement::Column::Day).await?;
    let measured = day.and_then(|day| day.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
    let alert = earliest::<alert::Entity, DateTime<Utc>, _>(db, alert::Column::FiredAt).await?;
    let shift = earliest::<oncall_shift::Entity, DateTime<Utc>, _>(db, oncall_shift::Column::StartsAt).await?;
    let toil = earliest::<toil_report::Entity, NaiveDate, _>(db, toil_report::Column::PeriodStart).await?;
    let toiled = toil.and_then(|day| day.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
    let month = earliest::<cost::Entity, NaiveDate, _>(db, cost::Column::Month).await?;
    let costed = month.and_then(|day| day.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
    let answered =
        earliest::<survey_response::Entity, DateTime<Utc>, _>(db, survey_response::Column::AnsweredAt).await?;
    Ok([incident, deployment, dr_test, measured, alert, shift, toiled, costed, answered].into_iter().flatten().min())
}

/// [`first_record`], read once per data version into `cache` (the summary's trend asks for it
/// on every computation; on a large organisation the measurement days take a scan).
pub async fn current<C: ConnectionTrait>(db: &C, cache: &super::KpiCache) -> Result<Option<DateTime<Utc>>, DbErr> {
    let version = crate::db::data_version(db).await?;
    if let Some(first) = cache.first_record.get(KEY, version) {
        return Ok(*first);
    }
    let first = first_record(db).await?;
    cache.first_record.put(KEY.to_owned(), version, std::sync::Arc::new(first));
    Ok(first)
}

/// The cache key of the first record.
pub const KEY: &str = "first";
