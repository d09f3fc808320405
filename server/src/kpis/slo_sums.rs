//! The SLO part of a KPI load: every SLO of the scope with its measurements summed by the
//! database over the day ranges the SLO KPIs read ([`slo_day_ranges`]: the period, its elapsed
//! days, the last 1 and 7 days before the as-of day, and its window), and its latest day with
//! data before the as-of day. The measurement rows never leave the database, also not for
//! ratio-timeslices SLOs: the sum of their daily ratios is taken there too, exactly
//! ([`daily_ratio_units_sql`]).
//!
//! One query for every SLO: the boundaries of all those ranges (for every window in use) cut the
//! days into consecutive intervals; the database returns one row per SLO with the sums of each
//! interval (`GROUP BY slo_id`, one `FILTER`ed aggregate per interval), and each range is then
//! the sum of the intervals it spans. Beside it, a second query sums the daily ratios of the
//! ratio-timeslices SLOs the same way, over their rows alone.

use std::collections::{BTreeSet, HashMap};

use app::domain::kpi::{DayRange, Period, SloData, SloTotals, SloWindow, slo_day_ranges};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::LoadError;
use super::mapping::{self, ServiceSlugs};
use crate::db::IN_LIST_CHUNK as CHUNK;
use crate::entities::{slo, slo_measurement};

/// The scope's SLOs (of the services `ids` names; all for `None`) with their sums.
pub(super) async fn slos<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
    ids: Option<&[i64]>,
    names: &ServiceSlugs<'_>,
    active: &HashMap<i64, bool>,
) -> Result<Vec<app::domain::kpi::Slo>, LoadError> {
    assemble_slos(fetch_slo_sums(db, period, now, ids).await?, names, active)
}

/// The scope's SLO rows and their measurements summed per interval.
struct SloSums {
    rows: Vec<slo::Model>,
    as_of_day: NaiveDate,
    bounds: Vec<NaiveDate>,
    ranges_by_window: HashMap<SloWindow, Vec<DayRange>>,
    sums: HashMap<i64, SloIntervals>,
}

async fn fetch_slo_sums<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
    ids: Option<&[i64]>,
) -> Result<SloSums, LoadError> {
    // The windows in use fix the interval bounds, so the summing queries can run while the SLO
    // rows themselves are read.
    let windows: Vec<(i32, Option<String>, Option<NaiveDate>)> = slo::Entity::find()
        .select_only()
        .columns([slo::Column::WindowDays, slo::Column::CalendarWindow, slo::Column::CalendarStart])
        .distinct()
        .filter(super::load::in_scope(slo::Column::ServiceId, ids))
        .into_tuple()
        .all(db)
        .await?;
    let as_of_day = period.as_of_day(now);
    let ranges_by_window: HashMap<SloWindow, Vec<DayRange>> = windows
        .into_iter()
        .filter_map(|(days, calendar, start)| slo::window_of(days, calendar.as_deref(), start))
        .map(|window| (window, slo_day_ranges(period, now, window)))
        .collect();
    let mut bounds: BTreeSet<NaiveDate> = ranges_by_window.values().flatten().flat_map(|r| [r.from, r.to]).collect();
    bounds.insert(as_of_day);
    let bounds: Vec<NaiveDate> = bounds.into_iter().collect();

    let rows_query = async {
        Ok::<_, LoadError>(
            slo::Entity::find()
                .filter(super::load::in_scope(slo::Column::ServiceId, ids))
                .order_by_asc(slo::Column::Id)
                .all(db)
                .await?,
        )
    };
    let service_chunks: Vec<Option<&[i64]>> = match ids {
        None => vec![None],
        Some(ids) => ids.chunks(CHUNK).map(Some).collect(),
    };
    let sums_query = async {
        let mut sums: HashMap<i64, SloIntervals> = HashMap::new();
        for services in &service_chunks {
            sums.extend(interval_sums(db, &bounds, as_of_day, *services).await?);
        }
        Ok::<_, LoadError>(sums)
    };
    let ratios_query = async {
        let ids = ratio_slo_ids(db, ids).await?;
        ratio_interval_sums(db, &bounds, &ids).await
    };
    let (rows, mut sums, ratios) =
        tokio::try_join!(Box::pin(rows_query), Box::pin(sums_query), Box::pin(ratios_query))?;
    for (slo_id, ratios) in ratios {
        let Some(slo) = sums.get_mut(&slo_id) else { continue };
        for ratio in ratios {
            if let Some(interval) = slo.intervals.iter_mut().find(|i| i.index == ratio.index) {
                (interval.ratio_units, interval.event_days) = (ratio.units, ratio.event_days);
            }
        }
    }
    Ok(SloSums { rows, as_of_day, bounds, ranges_by_window, sums })
}

fn assemble_slos(
    mut fetched: SloSums,
    names: &ServiceSlugs<'_>,
    active: &HashMap<i64, bool>,
) -> Result<Vec<app::domain::kpi::Slo>, LoadError> {
    let (bounds, as_of_day) = (&fetched.bounds, fetched.as_of_day);
    let mut slos = Vec::with_capacity(fetched.rows.len());
    for row in &fetched.rows {
        let is_active = active.get(&row.service_id).copied().unwrap_or(false);
        let sums = fetched.sums.remove(&row.id).unwrap_or_default();
        let ranges = row.window().and_then(|w| fetched.ranges_by_window.get(&w));
        let ranges = ranges.map(Vec::as_slice).unwrap_or_default();
        let totals = ranges.iter().map(|range| (*range, total_over(bounds, &sums.intervals, *range))).collect();
        let data = SloData::Summed { totals, as_of_day, latest_day: sums.latest_day };
        slos.push(mapping::slo(row, names, is_active, data)?);
    }
    Ok(slos)
}

/// One SLO's sums per interval, and its latest day with a row before the as-of day.
#[derive(Debug, Clone, Default)]
struct SloIntervals {
    intervals: Vec<IntervalSums>,
    latest_day: Option<NaiveDate>,
}

/// One SLO's rows within the interval `[bounds[index], bounds[index + 1])`.
#[derive(Debug, Clone, Copy, Default)]
struct IntervalSums {
    index: usize,
    good: i64,
    total: i64,
    days: i64,
    /// Ratio-timeslices SLOs only (see [`RatioSums`]); 0 for the others.
    ratio_units: i64,
    event_days: i64,
}

/// A ratio-timeslices SLO's daily ratios within one interval: their sum in units of 10⁻¹¹ and
/// the days with events.
#[derive(Debug, Clone, Copy)]
struct RatioSums {
    index: usize,
    units: i64,
    event_days: i64,
}

/// The totals of a range made of whole intervals (its ends are among the bounds).
fn total_over(bounds: &[NaiveDate], intervals: &[IntervalSums], range: DayRange) -> SloTotals {
    let mut totals = SloTotals::default();
    for interval in intervals {
        let (Some(from), Some(to)) = (bounds.get(interval.index), bounds.get(interval.index + 1)) else {
            continue;
        };
        if range.from <= *from && *to <= range.to {
            totals += SloTotals {
                good: interval.good.into(),
                total: interval.total.into(),
                days: u32::try_from(interval.days).unwrap_or(u32::MAX),
                ratio_units: interval.ratio_units.into(),
                event_days: u32::try_from(interval.event_days).unwrap_or(u32::MAX),
            };
        }
    }
    totals
}

/// One measurement row's good ÷ total in units of 10⁻¹¹, rounded down, as SQL: NULL on a day
/// without events. It is the domain's rule for ratio timeslices (`SloTotals::ratio_units`),
/// exactly: Postgres divides in `numeric`; SQLite has only 64-bit integers, so the quotient is
/// taken by long division, 10⁴, 10⁴ and 10³ at a time (exact while a day's total is below
/// 9.2 × 10¹⁴ events; ingestion keeps good between 0 and total, clamped here all the same).
pub fn daily_ratio_units_sql(backend: DbBackend) -> String {
    match backend {
        DbBackend::Postgres => "CASE WHEN \"total\" > 0 THEN \
             div(CAST(LEAST(GREATEST(\"good\", 0), \"total\") AS numeric) * 100000000000, \"total\") END"
            .to_owned(),
        _ => {
            let (good, total) = ("MIN(MAX(\"good\", 0), \"total\")", "\"total\"");
            let r0 = format!("({good} % {total})");
            let r1 = format!("(({r0} * 10000) % {total})");
            let r2 = format!("(({r1} * 10000) % {total})");
            format!(
                "CASE WHEN {total} > 0 THEN ({good} / {total}) * 100000000000 + (({r0} * 10000) / {total}) * 10000000 \
                 + (({r1} * 10000) / {total}) * 1000 + (({r2} * 1000) / {total}) END"
            )
        }
    }
}

/// `AGG FILTER (WHERE day in [from, to))`, cast to BIGINT. Postgres and SQLite (3.30+) both read
/// the clause; it lets one pass over the rows, grouped by SLO alone, fill every interval (a
/// hash aggregate over ~6k groups, where grouping by SLO and interval made Postgres sort ~500k
/// rows). The bounds are dates we computed, so inlining them is safe.
fn in_interval(aggregate: &str, from: NaiveDate, to: NaiveDate) -> SimpleExpr {
    Expr::cust(format!("CAST({aggregate} FILTER (WHERE \"day\" >= '{from}' AND \"day\" < '{to}') AS BIGINT)"))
}

/// `SELECT slo_id, each aggregate over each interval between consecutive bounds … GROUP BY
/// slo_id` over the measurement rows of the SLOs `which` selects (all for `None`).
fn per_interval(bounds: &[NaiveDate], aggregates: &[&str], which: Option<SimpleExpr>) -> Option<SelectStatement> {
    let (first, last) = (bounds.first()?, bounds.last()?);
    let day = || Expr::col(slo_measurement::Column::Day);
    let mut query = Query::select();
    query.column(slo_measurement::Column::SloId);
    for pair in bounds.windows(2) {
        let [from, to] = pair else { continue };
        for aggregate in aggregates {
            query.expr(in_interval(aggregate, *from, *to));
        }
    }
    query
        .from(slo_measurement::Entity)
        .and_where(day().gte(*first))
        .and_where(day().lt(*last))
        .add_group_by([Expr::col(slo_measurement::Column::SloId)]);
    if let Some(which) = which {
        query.and_where(which);
    }
    Some(query)
}

/// Σgood, Σtotal and days with a row per interval between consecutive `bounds`, and the latest
/// day before `as_of_day`, per SLO of some services (all SLOs for `None`).
async fn interval_sums<C: ConnectionTrait>(
    db: &C,
    bounds: &[NaiveDate],
    as_of_day: NaiveDate,
    services: Option<&[i64]>,
) -> Result<HashMap<i64, SloIntervals>, LoadError> {
    let of_services = services.map(|services| {
        let slo_ids = Query::select()
            .column(slo::Column::Id)
            .from(slo::Entity)
            .and_where(Expr::col(slo::Column::ServiceId).is_in(services.iter().copied()))
            .to_owned();
        Expr::col(slo_measurement::Column::SloId).in_subquery(slo_ids)
    });
    let aggregates = ["SUM(\"good\")", "SUM(\"total\")", "COUNT(*)"];
    let Some(mut query) = per_interval(bounds, &aggregates, of_services) else {
        return Ok(HashMap::new());
    };
    query.expr(Expr::cust(format!("MAX(\"day\") FILTER (WHERE \"day\" < '{as_of_day}')")));
    let intervals = bounds.len().saturating_sub(1);
    let mut out = HashMap::new();
    for row in db.query_all(&query).await? {
        let slo_id: i64 = row.try_get_by_index(0)?;
        let count =
            |column: usize| -> Result<i64, DbErr> { Ok(row.try_get_by_index::<Option<i64>>(column)?.unwrap_or(0)) };
        let mut sums = SloIntervals::default();
        for index in 0..intervals {
            let column = 1 + 3 * index;
            let days = count(column + 2)?;
            if days > 0 {
                let (good, total) = (count(column)?, count(column + 1)?);
                sums.intervals.push(IntervalSums { index, good, total, days, ..IntervalSums::default() });
            }
        }
        sums.latest_day = row.try_get_by_index(1 + 3 * intervals)?;
        out.insert(slo_id, sums);
    }
    Ok(out)
}

/// The ratio-timeslices SLOs among those of some services (all for `None`), by id.
async fn ratio_slo_ids<C: ConnectionTrait>(db: &C, services: Option<&[i64]>) -> Result<Vec<i64>, DbErr> {
    slo::Entity::find()
        .select_only()
        .column(slo::Column::Id)
        .filter(slo::Column::MeanOfDailyRatios.eq(true))
        .filter(super::load::in_scope(slo::Column::ServiceId, services))
        .into_tuple()
        .all(db)
        .await
}

/// The daily ratios of some ratio-timeslices SLOs summed per interval between consecutive
/// `bounds`, with their days with events. Named by id, their rows are found through the
/// (slo_id, day) index: a sub-query selecting them made Postgres scan every row of the days.
async fn ratio_interval_sums<C: ConnectionTrait>(
    db: &C,
    bounds: &[NaiveDate],
    slo_ids: &[i64],
) -> Result<HashMap<i64, Vec<RatioSums>>, LoadError> {
    let units = format!("SUM({})", daily_ratio_units_sql(db.get_database_backend()));
    let aggregates = [units.as_str(), "COUNT(CASE WHEN \"total\" > 0 THEN 1 END)"];
    let mut out = HashMap::new();
    for chunk in slo_ids.chunks(CHUNK) {
        let these = Expr::col(slo_measurement::Column::SloId).is_in(chunk.iter().copied());
        let Some(query) = per_interval(bounds, &aggregates, Some(these)) else { break };
        for row in db.query_all(&query).await? {
            let slo_id: i64 = row.try_get_by_index(0)?;
            let count =
                |column: usize| -> Result<i64, DbErr> { Ok(row.try_get_by_index::<Option<i64>>(column)?.unwrap_or(0)) };
            let mut sums = Vec::new();
            for index in 0..bounds.len().saturating_sub(1) {
                let column = 1 + 2 * index;
                let event_days = count(column + 1)?;
                if event_days > 0 {
                    sums.push(RatioSums { index, units: count(column)?, event_days });
                }
            }
            out.insert(slo_id, sums);
        }
    }
    Ok(out)
}

/// Each SLO's daily rows with `from <= day < to`, by SLO id, for any number of SLOs.
pub async fn slo_daily_rows<C: ConnectionTrait>(
    db: &C,
    slo_ids: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<i64, Vec<app::domain::kpi::SloMeasurement>>, DbErr> {
    let mut rows: HashMap<i64, Vec<app::domain::kpi::SloMeasurement>> = HashMap::new();
    for chunk in slo_ids.chunks(CHUNK) {
        let found: Vec<(i64, NaiveDate, i64, i64)> = slo_measurement::Entity::find()
            .select_only()
            .columns([
                slo_measurement::Column::SloId,
                slo_measurement::Column::Day,
                slo_measurement::Column::Good,
                slo_measurement::Column::Total,
            ])
            .filter(slo_measurement::Column::SloId.is_in(chunk.iter().copied()))
            .filter(slo_measurement::Column::Day.gte(from))
            .filter(slo_measurement::Column::Day.lt(to))
            .into_tuple()
            .all(db)
            .await?;
        for (slo_id, day, good, total) in found {
            rows.entry(slo_id).or_default().push(app::domain::kpi::SloMeasurement { day, good, total });
        }
    }
    Ok(rows)
}
