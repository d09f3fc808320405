//! SLO measurements pulled from Prometheus (docs/ingestion.md §15). An SLO naming a server and
//! two counter selectors has each reporting day's good and total events pulled once the day has
//! ended, by the hourly job [`PULL_PROMETHEUS`], and written through the ingestion path (source
//! `prometheus`, one batch per SLO and pull), so a pull is an import like any other: validated,
//! audited, idempotent. What a pull could not do is kept per SLO (`prometheus_pull`) and shown
//! on the service page; days it could not pull stay without data, never zeros.

use std::collections::HashMap;
use std::time::Duration;

use app::api::SloSourceView;
use app::domain::format::instant;
use app::domain::ingest::prometheus::{AnswerError, days_to_pull, increase_query, read_answer};
use app::domain::ingest::{Cell, RawRow, RecordKind};
use app::domain::kpi::ReportingCalendar;
use app::domain::records::PrometheusSource;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};

use crate::entities::{prometheus_pull, service, slo};
use crate::ingest::{IngestRequest, Ingestion};

/// The job kind pulling every SLO with a Prometheus source.
pub const PULL_PROMETHEUS: &str = "prometheus-pull";
/// The import source of pulled measurements.
pub const SOURCE: &str = "prometheus";
/// Who pulled batches are recorded as.
const ACTOR: &str = "prometheus-pull";
/// How long one query may take.
const QUERY_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer read: an instant query of one summed series is a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Which servers SLOs may name, and how far back a new SLO is filled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PullSettings {
    /// `PLUMBLINE_PROMETHEUS_URLS`: the base URLs pulls may reach. Empty: pulls are off. The
    /// list keeps whoever may import an SLO from making the server call any address.
    pub allowed_urls: Vec<String>,
    /// `PLUMBLINE_PROMETHEUS_BACKFILL_DAYS`: the days ending yesterday a new SLO is filled with.
    pub backfill_days: u64,
}

impl PullSettings {
    /// From the comma-separated list of base URLs and the backfill in days.
    pub fn parse(urls: Option<&str>, backfill_days: u64) -> Result<Self, String> {
        let allowed_urls = urls
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .enumerate()
            // The entry itself is not repeated: it may carry credentials.
            .map(|(index, url)| {
                PrometheusSource::parse_url(url)
                    .map_err(|e| format!("PLUMBLINE_PROMETHEUS_URLS, entry {}: {e}", index + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PullSettings { allowed_urls, backfill_days })
    }

    fn allows(&self, url: &str) -> bool {
        self.allowed_urls.iter().any(|allowed| allowed.eq_ignore_ascii_case(url))
    }
}

/// What one pull did.
#[derive(Debug, Default)]
pub struct Pulled {
    /// SLOs with a source, pulled or not.
    pub slos: usize,
    /// Days written (created or unchanged).
    pub days: usize,
    /// Per SLO that had one, what went wrong (`service/slo: problem`).
    pub problems: Vec<String>,
    /// Those of `problems` a later run may not have (a server unreachable, a query refused,
    /// rows refused): the job fails with them, so the jobs page shows them and retries. Days
    /// without data and servers not allowed are shown on the SLO's page only: retrying
    /// cannot change them, and a job failing every hour for them would bury the others.
    pub failures: Vec<String>,
}

/// One SLO with a source, as a pull needs it.
struct Target {
    id: i64,
    service: String,
    slug: String,
    source: PrometheusSource,
}

/// Pulls every SLO of an active service that names a Prometheus source, through yesterday in
/// the reporting zone, writing through `ingestion` (which queues writers on SQLite). One pull
/// at a time per process.
pub async fn pull(
    ingestion: &Ingestion,
    calendar: ReportingCalendar,
    settings: &PullSettings,
    now: DateTime<Utc>,
) -> Result<Pulled, DbErr> {
    static ONE_AT_A_TIME: std::sync::OnceLock<tokio::sync::Mutex<()>> = std::sync::OnceLock::new();
    let _pulling = ONE_AT_A_TIME.get_or_init(Default::default).lock().await;
    let db = ingestion.db();
    let targets = targets(db).await?;
    let states = states_of(db, targets.iter().map(|t| t.id)).await?;
    let yesterday = calendar.day_of(now).pred_opt().unwrap_or(NaiveDate::MIN);
    let client = reqwest::Client::builder()
        .timeout(QUERY_TIMEOUT)
        // A redirect could lead anywhere: only the listed servers are asked.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    let mut pulled = Pulled { slos: targets.len(), ..Pulled::default() };
    for target in targets {
        let last = states.get(&target.id).and_then(|s| s.pulled_through);
        let outcome = if settings.allows(&target.source.url) {
            let days = days_to_pull(last, yesterday, settings.backfill_days);
            pull_days(ingestion, &client, calendar, &target, &days, now).await
        } else {
            Outcome {
                pulled_through: last,
                asked: true,
                retriable: false,
                written: 0,
                problem: Some(format!(
                    "{} is not among the servers PLUMBLINE_PROMETHEUS_URLS allows: nothing is pulled from it",
                    target.source.url
                )),
            }
        };
        pulled.days += outcome.written;
        if !outcome.asked {
            keep_attempt(db, target.id, now).await?;
            continue;
        }
        if let Some(problem) = &outcome.problem {
            tracing::warn!(service = %target.service, slo = %target.slug, %problem, "Prometheus pull incomplete");
            let named = format!("{}/{}: {problem}", target.service, target.slug);
            if outcome.retriable {
                pulled.failures.push(named.clone());
            }
            pulled.problems.push(named);
        }
        keep_state(db, target.id, &outcome, now).await?;
    }
    Ok(pulled)
}

/// How one SLO's pull went.
struct Outcome {
    pulled_through: Option<NaiveDate>,
    /// Whether there was anything to do: a run with no day to ask for (the last was pulled
    /// already) keeps the problem the last one that asked found.
    asked: bool,
    /// Whether the problem may be gone next time (see [`Pulled::failures`]).
    retriable: bool,
    written: usize,
    problem: Option<String>,
}

/// Queries each day's good and total, then writes the days pulled as one batch. A day without
/// data, or whose counts cannot be right, is skipped (and named); any other failure stops the
/// SLO's pull until the next run.
async fn pull_days(
    ingestion: &Ingestion,
    client: &reqwest::Client,
    calendar: ReportingCalendar,
    target: &Target,
    days: &[NaiveDate],
    now: DateTime<Utc>,
) -> Outcome {
    let mut rows = Vec::new();
    let (mut no_data, mut no_good, mut good_above_total) = (Vec::new(), Vec::new(), Vec::new());
    let mut pulled_through = None;
    let mut stopped = None;
    for &day in days {
        let (start, end) = (calendar.day_start(day), calendar.day_end(day));
        let ask = |selector: &str| query(client, &target.source.url, increase_query(selector, start, end), end);
        let counts = match ask(&target.source.good_query).await {
            Ok(good) => ask(&target.source.total_query).await.map(|total| (Some(good), total)),
            // No good series but traffic: counters labelled by outcome appear only once one
            // is counted, so a day of nothing but failures has none. Counted as 0, and named.
            Err(QueryError::Answer(AnswerError::NoData)) => {
                ask(&target.source.total_query).await.map(|total| (None, total))
            }
            Err(error) => Err(error),
        };
        match counts {
            Ok((good, total)) if good.unwrap_or(0) > total => good_above_total.push(day),
            Ok((good, total)) => {
                if good.is_none() {
                    no_good.push(day);
                }
                rows.push(measurement(rows.len() as u64 + 1, target, day, good.unwrap_or(0), total));
            }
            Err(QueryError::Answer(AnswerError::NoData)) => no_data.push(day),
            Err(error) => {
                stopped = Some(format!("{day}: {error}"));
                break;
            }
        }
        pulled_through = Some(day);
    }
    let retriable = stopped.is_some();
    let mut problems: Vec<String> = stopped.into_iter().collect();
    problems.extend(days_in_words(&no_data, "no data", "the selectors matched no series"));
    problems.extend(days_in_words(&no_good, "no good events", "the good selector matched no series; counted as 0"));
    problems.extend(days_in_words(
        &good_above_total,
        "more good than total events",
        "not written: the two selectors do not count the same events",
    ));
    let mut written = 0;
    if !rows.is_empty() {
        let request = IngestRequest::new(RecordKind::SloMeasurements, SOURCE, ACTOR.to_owned());
        let count = rows.len();
        match ingestion.rows(request, rows, now).await {
            Ok(_) => written = count,
            Err(error) => {
                problems.push(format!("the pulled days could not be written: {error}"));
                // Nothing was written: the same days are asked for again next time.
                return Outcome {
                    pulled_through: None,
                    asked: true,
                    retriable: true,
                    written: 0,
                    problem: Some(problems.join("; ")),
                };
            }
        }
    }
    let problem = (!problems.is_empty()).then(|| problems.join("; "));
    Outcome { pulled_through, asked: !days.is_empty(), retriable, written, problem }
}

/// "no data for 3 days between 2026-10-26 and 2026-10-31: …": skipped days are named, never
/// written as zeros.
fn days_in_words(days: &[NaiveDate], what: &str, why: &str) -> Option<String> {
    match days {
        [] => None,
        [one] => Some(format!("{what} for {one}: {why}")),
        [first, .., last] => Some(format!("{what} for {} days between {first} and {last}: {why}", days.len())),
    }
}

fn measurement(number: u64, target: &Target, day: NaiveDate, good: i64, total: i64) -> RawRow {
    let text = |value: &str| Cell::Text(value.to_owned());
    RawRow::new(number)
        .with("service", text(&target.service))
        .with("slo", text(&target.slug))
        .with("day", text(&day.to_string()))
        .with("good", Cell::Json(good.into()))
        .with("total", Cell::Json(total.into()))
}

#[derive(Debug, thiserror::Error)]
enum QueryError {
    #[error(transparent)]
    Answer(#[from] AnswerError),
    #[error("cannot reach Prometheus: {0}")]
    Unreachable(String),
}

/// One instant query, evaluated at `at`.
async fn query(client: &reqwest::Client, url: &str, expr: String, at: DateTime<Utc>) -> Result<i64, QueryError> {
    let time = at.timestamp().to_string();
    let unreachable = |error: reqwest::Error| QueryError::Unreachable(error.without_url().to_string());
    let mut response = client
        .get(format!("{url}/api/v1/query"))
        .query(&[("query", expr.as_str()), ("time", time.as_str())])
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(QueryError::Answer(AnswerError::Unreadable(format!(
                "HTTP {status}, an answer over {MAX_ANSWER_BYTES} bytes"
            ))));
        }
        bytes.extend_from_slice(&chunk);
    }
    let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| {
        QueryError::Answer(AnswerError::Unreadable(format!("HTTP {status}, not Prometheus's JSON API")))
    })?;
    Ok(read_answer(&body)?)
}

/// The SLOs of active services that name a source.
async fn targets(db: &DatabaseConnection) -> Result<Vec<Target>, DbErr> {
    let slos = slo::Entity::find().filter(slo::Column::PrometheusUrl.is_not_null()).all(db).await?;
    if slos.is_empty() {
        return Ok(Vec::new());
    }
    let services: HashMap<i64, service::Model> = service::Entity::find()
        .filter(service::Column::Id.is_in(slos.iter().map(|s| s.service_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    Ok(slos
        .into_iter()
        .filter_map(|row| {
            let service = services.get(&row.service_id).filter(|s| s.lifecycle == "active")?;
            let source = source_of(&row)?;
            Some(Target { id: row.id, service: service.slug.clone(), slug: row.slug, source })
        })
        .collect())
}

fn source_of(row: &slo::Model) -> Option<PrometheusSource> {
    Some(PrometheusSource {
        url: row.prometheus_url.clone()?,
        good_query: row.good_query.clone()?,
        total_query: row.total_query.clone()?,
    })
}

async fn states_of(
    db: &DatabaseConnection,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, prometheus_pull::Model>, DbErr> {
    let ids: Vec<i64> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = prometheus_pull::Entity::find().filter(prometheus_pull::Column::SloId.is_in(ids)).all(db).await?;
    Ok(rows.into_iter().map(|row| (row.slo_id, row)).collect())
}

/// Records how the SLO's pull went; the last day pulled only moves forward.
async fn keep_state(db: &DatabaseConnection, slo_id: i64, outcome: &Outcome, now: DateTime<Utc>) -> Result<(), DbErr> {
    let mut columns = vec![prometheus_pull::Column::AttemptedAt, prometheus_pull::Column::Problem];
    if outcome.pulled_through.is_some() {
        columns.push(prometheus_pull::Column::PulledThrough);
    }
    let row = prometheus_pull::ActiveModel {
        slo_id: Set(slo_id),
        pulled_through: Set(outcome.pulled_through),
        attempted_at: Set(now),
        problem: Set(outcome.problem.clone()),
    };
    prometheus_pull::Entity::insert(row)
        .on_conflict(OnConflict::column(prometheus_pull::Column::SloId).update_columns(columns).to_owned())
        .exec(db)
        .await
        .map(|_| ())
}

/// Records a run that had no day to ask for: its time only.
async fn keep_attempt(db: &DatabaseConnection, slo_id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    let row = prometheus_pull::ActiveModel {
        slo_id: Set(slo_id),
        pulled_through: Set(None),
        attempted_at: Set(now),
        problem: Set(None),
    };
    prometheus_pull::Entity::insert(row)
        .on_conflict(
            OnConflict::column(prometheus_pull::Column::SloId)
                .update_column(prometheus_pull::Column::AttemptedAt)
                .to_owned(),
        )
        .exec(db)
        .await
        .map(|_| ())
}

/// The pull state of those of `slos` that name a source, by SLO id (the service page).
pub async fn pull_states(
    db: &DatabaseConnection,
    slos: &[slo::Model],
) -> Result<HashMap<i64, prometheus_pull::Model>, DbErr> {
    states_of(db, slos.iter().filter(|s| s.prometheus_url.is_some()).map(|s| s.id)).await
}

/// An SLO's source and pull state as the service page shows them; `None` for an imported SLO.
pub fn source_view(row: &slo::Model, state: Option<&prometheus_pull::Model>) -> Option<SloSourceView> {
    let source = source_of(row)?;
    Some(SloSourceView {
        url: source.url,
        good_query: source.good_query,
        total_query: source.total_query,
        pulled_through: state.and_then(|s| s.pulled_through).map(|day| day.to_string()),
        attempted_at: state.map(|s| instant(s.attempted_at)),
        problem: state.and_then(|s| s.problem.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_servers_are_pulled_from() {
        let settings =
            PullSettings::parse(Some(" http://prom:9090/ , https://metrics.example/prometheus"), 30).expect("valid");
        assert!(settings.allows("http://prom:9090"));
        assert!(settings.allows("https://metrics.example/prometheus"));
        assert!(!settings.allows("http://169.254.169.254"));
        assert!(PullSettings::parse(None, 30).expect("empty").allowed_urls.is_empty(), "off by default");
        let credentials = PullSettings::parse(Some("http://prom:9090,http://user:secret@prom:9090"), 30);
        let message = credentials.expect_err("credentials refused");
        assert!(message.contains("entry 2") && !message.contains("secret"), "{message}");
        assert!(settings.allows("HTTP://PROM:9090"), "scheme and host ignore case");
    }

    #[test]
    fn days_without_data_are_named_not_zeroed() {
        let day = |d: &str| d.parse::<NaiveDate>().expect("date");
        assert_eq!(days_in_words(&[], "no data", "why"), None);
        let days = [day("2026-10-26"), day("2026-10-27"), day("2026-10-31")];
        let many = days_in_words(&days, "no data", "why").expect("words");
        assert_eq!(many, "no data for 3 days between 2026-10-26 and 2026-10-31: why");
    }
}
