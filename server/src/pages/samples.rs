//! The sample reviews page: samples drawn for an audit, and each sampled record's review
//! (docs/sample-reviews.md). Every draw and review is an audit event (`crate::samples`).

use app::api::{SampleItemView, SampleView, SamplesView};
use app::domain::access::Principal;
use app::domain::evidence::samples::{
    RANDOM_METHOD, ReviewStatus, SAMPLED, SampleForm, SampleMethod, check_review, check_sample,
};
use app::domain::format::instant_seconds;
use app::domain::kpi::{Period, ReportingCalendar};
use app::error::AppError;
use app::ports::SamplesPort;

use crate::samples::{self, SampleError};

/// Samples the page lists.
const LISTED: u64 = 50;

pub struct SamplesPage {
    db: sea_orm::DatabaseConnection,
    calendar: ReportingCalendar,
}

impl SamplesPage {
    pub fn new(db: sea_orm::DatabaseConnection, calendar: ReportingCalendar) -> Self {
        SamplesPage { db, calendar }
    }
}

fn method_in_words(json: &str) -> String {
    match serde_json::from_str::<SampleMethod>(json) {
        Ok(SampleMethod::Random { size, seed }) => format!("{size} at random, seed {seed} ({RANDOM_METHOD})"),
        Ok(SampleMethod::Ids { ids }) => {
            format!("by id: {}", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "))
        }
        Ok(SampleMethod::Days { from, to }) => format!("every record dated {from} to {to}"),
        Err(_) => json.to_owned(),
    }
}

fn app_error(error: SampleError, what: &str) -> AppError {
    match error {
        SampleError::Invalid(message) => AppError::Invalid(message),
        SampleError::Db(error) => AppError::internal(what, &error),
    }
}

#[async_trait::async_trait]
impl SamplesPort for SamplesPage {
    async fn list(&self) -> Result<SamplesView, AppError> {
        let rows =
            samples::list(&self.db, None, Some(LISTED)).await.map_err(|e| AppError::internal("listing samples", &e))?;
        let samples = rows
            .into_iter()
            .map(|(sample, items)| SampleView {
                id: sample.id,
                population: sample.population,
                from: sample.window_from.to_string(),
                to: sample.window_to.to_string(),
                method: method_in_words(&sample.method),
                drawn_by: sample.created_by,
                drawn_at: instant_seconds(sample.created_at),
                items: items
                    .into_iter()
                    .map(|item| SampleItemView {
                        id: item.id,
                        position: item.position,
                        record_id: item.record_id,
                        label: item.label,
                        status: ReviewStatus::parse(&item.status).unwrap_or(ReviewStatus::Pending),
                        comment: item.comment,
                        reviewed_by: item.reviewed_by,
                        reviewed_at: item.reviewed_at.map(instant_seconds),
                    })
                    .collect(),
            })
            .collect();
        let quarter = Period::quarter_containing(crate::clock_now(), self.calendar).previous();
        let last = quarter.end_day().pred_opt().unwrap_or(quarter.first_day());
        Ok(SamplesView {
            samples,
            populations: SAMPLED.iter().map(|p| p.name().to_owned()).collect(),
            default_from: quarter.first_day().to_string(),
            default_to: last.to_string(),
        })
    }

    async fn create(&self, principal: Principal, form: SampleForm) -> Result<i64, AppError> {
        let request = check_sample(&form, rand::random::<u64>() >> 1).map_err(AppError::Invalid)?;
        samples::create(&self.db, self.calendar, &request, &principal.actor(), crate::clock_now())
            .await
            .map_err(|e| app_error(e, "drawing a sample"))
    }

    async fn review(&self, principal: Principal, item: i64, status: String, comment: String) -> Result<(), AppError> {
        let (status, comment) = check_review(&status, &comment).map_err(AppError::Invalid)?;
        samples::review(&self.db, item, status, comment, &principal.actor(), crate::clock_now())
            .await
            .map_err(|e| app_error(e, "recording a review"))
    }
}
