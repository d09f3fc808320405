//! The Evidence page's control tests (docs/control-tests.md), and `GET
//! /api/v1/evidence/control-tests`, which answers the same view.

use app::api::{ControlTestView, ControlTestsView, MAX_CONTROL_TEST_DAYS, PAGE_DEVIATIONS};
use app::domain::evidence::EvidenceRequest;
use app::domain::evidence::control_tests::{ControlTestResult, ControlThresholds};
use app::domain::kpi::Period;
use app::error::AppError;
use app::ports::EvidencePort;

use crate::evidence::control_tests::{TestWindow, control_tests};
use crate::evidence::{EvidenceError, resolve_scope};
use crate::kpis::Figures;

pub struct EvidencePage {
    figures: Figures,
}

impl EvidencePage {
    pub fn new(figures: Figures) -> Self {
        EvidencePage { figures }
    }
}

/// Why a window is too long for control tests, if it is (they hold the window's records in memory).
pub fn window_too_long(request: &EvidenceRequest) -> Option<String> {
    (request.day_count() > MAX_CONTROL_TEST_DAYS).then(|| {
        format!("Control tests run over at most {MAX_CONTROL_TEST_DAYS} days; this window has {}.", request.day_count())
    })
}

/// The control tests of a request's window and filters (samples are ignored).
pub async fn control_tests_view(
    figures: &Figures,
    request: &EvidenceRequest,
) -> Result<ControlTestsView, EvidenceError> {
    let calendar = figures.calendar;
    let scope = resolve_scope(&figures.db, request).await?;
    let window =
        TestWindow { start: calendar.day_start(request.from), end: calendar.day_end(request.to), last_day: request.to };
    let thresholds = ControlThresholds::from_policy(&figures.policy);
    let results = control_tests(&figures.db, window, &scope, thresholds).await?;
    Ok(ControlTestsView {
        from: request.from.to_string(),
        to: request.to.to_string(),
        time_zone: calendar.time_zone().name().to_owned(),
        tests: results.into_iter().map(view).collect(),
    })
}

fn view(result: ControlTestResult) -> ControlTestView {
    let id = result.test;
    ControlTestView {
        id: id.as_str().to_owned(),
        title: id.title().to_owned(),
        controls: id.controls().to_owned(),
        definition: id.definition().to_owned(),
        population: result.population,
        status: result.status,
        deviation_count: result.deviations.len(),
        deviations: result.deviations,
    }
}

#[async_trait::async_trait]
impl EvidencePort for EvidencePage {
    async fn control_tests(&self, from: Option<String>, to: Option<String>) -> Result<ControlTestsView, AppError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).is_some_and(|v| !v.is_empty());
        let pairs = if given(&from) || given(&to) {
            vec![("from".to_owned(), from.unwrap_or_default()), ("to".to_owned(), to.unwrap_or_default())]
        } else {
            // The last closed quarter.
            let quarter = Period::quarter_containing(crate::clock_now(), self.figures.calendar).previous();
            let last = quarter.end_day().pred_opt().unwrap_or(quarter.first_day());
            vec![("from".to_owned(), quarter.first_day().to_string()), ("to".to_owned(), last.to_string())]
        };
        let request = EvidenceRequest::from_pairs(&pairs)
            .map_err(|e| AppError::Invalid(format!("{}.", capitalised(&e.to_string()))))?;
        if let Some(problem) = window_too_long(&request) {
            return Err(AppError::Invalid(problem));
        }
        let mut view = control_tests_view(&self.figures, &request)
            .await
            .map_err(|e| AppError::internal("running the control tests", &e))?;
        // The page lists the first ones; the count says how many there are.
        for test in &mut view.tests {
            test.deviations.truncate(PAGE_DEVIATIONS);
        }
        Ok(view)
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
