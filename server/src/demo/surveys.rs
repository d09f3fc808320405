//! Stakeholder surveys: each quarter of the last six, and the running one once its survey has
//! gone out, every team's stakeholders score the service they get from 1 to 5. Teams whose
//! services struggle score lower; small teams hear from fewer than five people, so their mean is
//! withheld. Respondents are hashes, as the ingestion contract asks.

use app::domain::ingest::RawRow;
use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use rand::Rng;

use super::org::{Health, Org};
use super::support::{DemoRng, Stream, Window, chance, instant, int, midnight, normal, pick, rng_for, row, text};

/// Quarters surveyed before the running one.
const QUARTERS: u32 = 6;
const ROLES: [&str; 5] = ["product manager", "engineering manager", "support lead", "sales engineer", "partner team"];
const COMMENTS: [&str; 4] = [
    "Incidents are handled well, but we hear about them late.",
    "Deploys have become much smoother this quarter.",
    "Please publish the maintenance calendar earlier.",
    "=HYPERLINK(\"http://example.invalid\") pasted from a spreadsheet",
];

/// A made-up hash of who answered: 64 hex digits, the same person across quarters.
fn respondent(seed: u64, team: usize, person: u32) -> String {
    let mut rng = rng_for(seed, Stream::Surveys, (team as u64) << 16 | u64::from(person));
    (0..4).map(|_| format!("{:016x}", rng.r#gen::<u64>())).collect()
}

fn team_mean(org: &Org, team: usize) -> f64 {
    let services = &org.team_services[team];
    let n = services.len().max(1) as f64;
    let struggling = services.iter().filter(|s| org.services[**s].health == Health::Struggling).count() as f64;
    let exemplary = services.iter().filter(|s| org.services[**s].health == Health::Exemplary).count() as f64;
    3.6 - 1.2 * struggling / n + 0.8 * exemplary / n
}

fn score(rng: &mut DemoRng, mean: f64) -> i64 {
    (mean + 0.9 * normal(rng)).round().clamp(1.0, 5.0) as i64
}

/// Every team's responses, answered before the window's horizon.
pub(super) fn survey_rows(org: &Org, window: &Window, seed: u64) -> Vec<RawRow> {
    let today = window.horizon.date_naive();
    let this_quarter = NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1).unwrap_or(today);
    let mut rows = Vec::new();
    for team in 0..org.teams.len() {
        let mut rng = rng_for(seed, Stream::Surveys, team as u64);
        // Stakeholders per team: small teams hear from fewer than five.
        let people = (org.team_services[team].len() as u32).clamp(3, 14) + rng.gen_range(0..3);
        let mean = team_mean(org, team);
        for back in (0..=QUARTERS).rev() {
            let Some(quarter) = this_quarter.checked_sub_months(Months::new(3 * back)) else { continue };
            let Some(sent) = quarter.checked_add_months(Months::new(1)) else { continue };
            let name = format!("stakeholders-{}-q{}", quarter.year(), quarter.month0() / 3 + 1);
            // Slowly better over the quarters.
            let mean = mean + 0.08 * f64::from(QUARTERS - back);
            for person in 0..people {
                if !chance(&mut rng, 0.8) {
                    continue;
                }
                let at = midnight(sent) + TimeDelta::minutes(rng.gen_range(0..14 * 24 * 60));
                if at >= window.horizon {
                    continue;
                }
                let mut response = row()
                    .with("survey", text(&name))
                    .with("respondent", text(respondent(seed, team, person)))
                    .with("role", text(*pick(&mut rng, &ROLES)))
                    .with("team", text(&org.teams[team].slug))
                    .with("answered_at", instant(at))
                    .with("score", int(score(&mut rng, mean)));
                if chance(&mut rng, 0.15) {
                    response = response.with("comment", text(*pick(&mut rng, &COMMENTS)));
                }
                rows.push(response);
            }
        }
    }
    rows
}

/// About how many rows [`survey_rows`] makes.
pub(super) fn estimate(org: &Org) -> f64 {
    org.team_services.iter().map(|s| (s.len() as f64).clamp(3.0, 14.0) + 1.0).sum::<f64>()
        * f64::from(QUARTERS + 1)
        * 0.8
}
