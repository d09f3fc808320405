//! `GET /reports/{period}.pdf`: the quarterly report as a PDF made on the server. The HTML
//! report at `/reports/{period}` shares the path pattern (axum cannot match a suffix), so one
//! route serves both: see `startup::router`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;
use crate::report::{self, ReportError};
use crate::state::AppState;

pub async fn pdf(state: &AppState, period: &str) -> Response {
    let result = async {
        let now = crate::clock_now();
        let period = app::domain::kpi::Period::parse_begun(period, state.figures.calendar, now)
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "Invalid period", e.to_string()))?;
        let view = Box::pin(report::report(&state.figures, period, now)).await.map_err(|error| match error {
            ReportError::NotAQuarter(_) => Problem::new(StatusCode::BAD_REQUEST, "Invalid period", error.to_string()),
            other => Problem::internal("building a quarterly report PDF", &other),
        })?;
        let bytes = tokio::task::spawn_blocking(move || report::pdf::render(&view))
            .await
            .map_err(|e| Problem::internal("rendering a quarterly report PDF", &e))?;
        Ok::<_, Problem>((period, bytes))
    };
    match result.await {
        Ok((period, bytes)) => {
            let disposition = format!("attachment; filename=\"plumbline-report-{period}.pdf\"");
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(problem) => problem.into_response(),
    }
}
