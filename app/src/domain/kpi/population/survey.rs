//! The records behind stakeholder satisfaction, as counts per score: a drill-down listing each
//! response (its role, its time) would show who scored what where few answered.

use chrono::{DateTime, Utc};

use super::{PopulationRow, RecordView};
use crate::domain::kpi::satisfaction::satisfaction;
use crate::domain::kpi::{Period, ScopedInputs};

/// The population rule in words and one row per score 1–5 with its responses; no rows below the
/// minimum.
pub(super) fn score_rows(
    period: &Period,
    now: DateTime<Utc>,
    inputs: &ScopedInputs<'_>,
) -> (String, Vec<PopulationRow>) {
    let figures = satisfaction(period, now, &inputs.survey_responses, inputs.settings.min_survey_responses);
    let mut filter = format!(
        "survey responses about the scope with answered_at in [{}, {}) before the as-of instant, counted per score; \
         shown from {} responses",
        crate::domain::format::instant(period.start()),
        crate::domain::format::instant(period.end()),
        figures.minimum
    );
    if figures.withheld() {
        filter.push_str(&format!(
            "; {} response{} in this period: fewer than {}, so neither the mean nor the scores are shown",
            figures.responses,
            if figures.responses == 1 { "" } else { "s" },
            figures.minimum
        ));
        return (filter, Vec::new());
    }
    let rows = figures
        .by_score
        .iter()
        .zip(1_u8..)
        .map(|(responses, score)| {
            // Every score row is part of the mean, a score nobody gave too.
            PopulationRow::new(RecordView::ScoreCount { score, responses: *responses }, true, true)
                .value(Some(f64::from(*responses)))
        })
        .collect();
    (filter, rows)
}
