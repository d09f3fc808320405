//! Stakeholder satisfaction (docs/kpis.md §10f): the mean score (1–5) of the survey responses
//! answered in the period, never shown for fewer responses than the policy's minimum, so a
//! handful of answers cannot be read back to the people who gave them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::period::Period;
use crate::domain::records::Slug;

/// One response as the KPI reads it: who answered is not loaded at all.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyResponse {
    pub survey: String,
    /// The team the response is about, if any.
    pub team: Option<Slug>,
    pub answered_at: DateTime<Utc>,
    /// 1 to 5.
    pub score: u8,
}

/// The period's responses of a scope: the count, and the mean and the number per score only when
/// there are at least `minimum`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    pub responses: u32,
    pub minimum: u32,
    /// `None` below the minimum (or without responses).
    pub mean: Option<f64>,
    /// Responses per score 1–5; all 0 below the minimum.
    pub by_score: [u32; 5],
}

impl Satisfaction {
    /// Whether there were responses, too few to show.
    pub fn withheld(&self) -> bool {
        self.responses > 0 && self.mean.is_none()
    }
}

/// The responses answered in the period, up to the as-of instant.
pub fn responses_in<'a, R: std::borrow::Borrow<SurveyResponse>>(
    period: &Period,
    now: DateTime<Utc>,
    responses: &'a [R],
) -> Vec<&'a SurveyResponse> {
    let as_of = period.as_of(now);
    responses
        .iter()
        .map(std::borrow::Borrow::borrow)
        .filter(|r| period.contains(r.answered_at) && r.answered_at < as_of)
        .collect()
}

/// The period's satisfaction over `responses` (already scoped), withheld below `minimum`.
pub fn satisfaction<R: std::borrow::Borrow<SurveyResponse>>(
    period: &Period,
    now: DateTime<Utc>,
    responses: &[R],
    minimum: u32,
) -> Satisfaction {
    let counted = responses_in(period, now, responses);
    let total = counted.len() as u32;
    let minimum = minimum.max(1);
    if total < minimum {
        return Satisfaction { responses: total, minimum, mean: None, by_score: [0; 5] };
    }
    let mut by_score = [0_u32; 5];
    for response in &counted {
        if let Some(slot) = by_score.get_mut(usize::from(response.score.clamp(1, 5)) - 1) {
            *slot += 1;
        }
    }
    let sum: u32 = counted.iter().map(|r| u32::from(r.score)).sum();
    Satisfaction { responses: total, minimum, mean: Some(f64::from(sum) / f64::from(total)), by_score }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::q;

    fn response(at: &str, score: u8) -> SurveyResponse {
        SurveyResponse { survey: "q3".into(), team: None, answered_at: at.parse().unwrap(), score }
    }

    #[test]
    fn the_mean_is_withheld_below_the_minimum_and_no_responses_is_no_data() {
        let responses = [
            response("2026-07-01T10:00:00Z", 5),
            response("2026-07-02T10:00:00Z", 4),
            response("2026-08-01T10:00:00Z", 2),
            response("2026-09-30T23:59:59Z", 4),
            response("2026-10-01T00:00:00Z", 1),
        ];
        let now: DateTime<Utc> = "2026-12-01T00:00:00Z".parse().unwrap();
        let shown = satisfaction(&q("2026-Q3"), now, &responses, 4);
        assert_eq!(shown.mean, Some(15.0 / 4.0), "Q4's response is not Q3's");
        assert_eq!(shown.by_score, [0, 1, 0, 2, 1]);
        let withheld = satisfaction(&q("2026-Q3"), now, &responses, 5);
        assert_eq!((withheld.responses, withheld.mean, withheld.by_score), (4, None, [0; 5]));
        assert!(withheld.withheld());
        let none = satisfaction(&q("2026-Q2"), now, &responses, 5);
        assert_eq!((none.responses, none.mean), (0, None));
        assert!(!none.withheld());
        let running = satisfaction(&q("2026-Q3"), "2026-08-01T10:00:00Z".parse().unwrap(), &responses, 1);
        assert_eq!(running.mean, Some(4.5), "answered at the as-of instant or later is not counted yet");
    }
}
