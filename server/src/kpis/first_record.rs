//! When the organisation's data begins: the earliest incident, SLO measurement day, deployment or
//! DR test. A period that ends before it has no figures, not zeros (docs/kpis.md).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QuerySelect};

use crate::entities::{deployment, dr_test, incident, slo_measurement};

/// The earliest instant any record is about, if there is a record at all. A measurement day
/// counts from its midnight in UTC: a few hours either way never moves a whole period.
pub async fn first_record<C: ConnectionTrait>(db: &C) -> Result<Option<DateTime<Utc>>, DbErr> {
    let incident: Option<DateTime<Utc>> = incident::Entity::find()
        .select_only()
        .expr(incident::Column::StartedAt.min())
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let deployment: Option<DateTime<Utc>> = deployment::Entity::find()
        .select_only()
        .expr(deployment::Column::DeployedAt.min())
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let dr_test: Option<DateTime<Utc>> = dr_test::Entity::find()
        .select_only()
        .expr(dr_test::Column::PerformedAt.min())
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let measurement: Option<NaiveDate> = slo_measurement::Entity::find()
        .select_only()
        .expr(slo_measurement::Column::Day.min())
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let measured = measurement.and_then(|day| day.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
    Ok([incident, deployment, dr_test, measured].into_iter().flatten().min())
}
