//! Hand-computed fixtures (docs/kpis.md §10a): a quarter reported in Europe/Berlin, pages on
//! both sides of a shift hand-over, a night page that is still September in UTC (taken by a
//! shift that started in Q3), a page nobody reviewed, a notification that paged nobody, and a
//! team without shifts.

use chrono::{DateTime, Utc};

use super::*;
use crate::domain::kpi::period::tests::utc;
use crate::domain::kpi::period::{Period, ReportingCalendar};
use crate::domain::kpi::scope::tests::slug;
use AlertDisposition::*;

fn q4_berlin() -> Period {
    Period::parse("2026-Q4", ReportingCalendar::parse(1, "Europe/Berlin").unwrap()).unwrap()
}

struct Page {
    id: &'static str,
    service: &'static str,
    team: &'static str,
    rule: &'static str,
    fired: &'static str,
    ack_minutes: Option<i64>,
    paged: bool,
    responder: Option<&'static str>,
    disposition: AlertDisposition,
}

fn alert(p: Page) -> Alert {
    let fired_at = utc(p.fired);
    Alert {
        source: "alertmanager".into(),
        external_id: p.id.into(),
        service: slug(p.service),
        team: Some(slug(p.team)),
        rule: p.rule.into(),
        fired_at,
        acknowledged_at: p.ack_minutes.map(|m| fired_at + chrono::TimeDelta::minutes(m)),
        paged: p.paged,
        responder: p.responder.map(str::to_owned),
        disposition: p.disposition,
    }
}

fn page(id: &'static str, service: &'static str, team: &'static str, rule: &'static str, fired: &'static str) -> Page {
    Page { id, service, team, rule, fired, ack_minutes: None, paged: true, responder: None, disposition: Unreviewed }
}

fn alerts() -> Vec<Alert> {
    [
        // Tue 12:00 Berlin: business hours. Shift A (primary sorts before secondary).
        Page {
            ack_minutes: Some(5),
            disposition: Actionable,
            ..page("p1", "checkout", "payments", "HighLatency", "2026-10-06T10:00:00Z")
        },
        // Thu 01:30 Berlin: off and sleep hours; its responder's secondary shift takes it.
        Page {
            ack_minutes: Some(15),
            responder: Some("dave"),
            disposition: NonActionable,
            ..page("p2", "checkout", "payments", "HighLatency", "2026-10-07T23:30:00Z")
        },
        // Mon 09:00 Berlin, the instant A hands over to B: business hours, shift B. Unreviewed.
        page("p3", "ledger", "payments", "DiskFull", "2026-10-12T07:00:00Z"),
        // Saturday 14:00 Berlin: off hours, not sleep. Shift A.
        Page {
            ack_minutes: Some(30),
            disposition: Duplicate,
            ..page("p4", "ledger", "payments", "DiskFull", "2026-10-10T12:00:00Z")
        },
        // A notification that paged nobody: not a page.
        Page {
            paged: false,
            disposition: Actionable,
            ..page("p5", "checkout", "payments", "HighLatency", "2026-10-08T12:00:00Z")
        },
        // Tue 07:30 Berlin (01:30 in New York): a team without shifts.
        Page {
            ack_minutes: Some(10),
            disposition: FalsePositive,
            ..page("p6", "search-api", "search", "SlowQuery", "2026-10-20T05:30:00Z")
        },
        // Thu 1 October 00:30 Berlin, still 30 September in UTC: in Q4, off and sleep hours; taken
        // by erin's shift, which started in Q3.
        Page { disposition: Actionable, ..page("p7", "checkout", "payments", "HighLatency", "2026-09-30T22:30:00Z") },
        // 23:00 Berlin on 30 September: Q3.
        page("p8", "checkout", "payments", "HighLatency", "2026-09-30T21:00:00Z"),
    ]
    .into_iter()
    .map(alert)
    .collect()
}

fn shift(schedule: &str, person: &str, starts: &str, ends: &str) -> OncallShift {
    OncallShift {
        team: slug("payments"),
        schedule: schedule.into(),
        person: person.into(),
        starts_at: utc(starts),
        ends_at: utc(ends),
    }
}

fn shifts() -> Vec<OncallShift> {
    vec![
        shift("primary", "alice", "2026-10-05T07:00:00Z", "2026-10-12T07:00:00Z"),
        shift("secondary", "dave", "2026-10-05T07:00:00Z", "2026-10-12T07:00:00Z"),
        shift("primary", "bob", "2026-10-12T07:00:00Z", "2026-10-19T07:00:00Z"),
        shift("primary", "carol", "2026-10-19T07:00:00Z", "2026-10-26T07:00:00Z"),
        // Started in Q3: not in Q4's population.
        shift("primary", "erin", "2026-09-28T07:00:00Z", "2026-10-05T07:00:00Z"),
    ]
}

fn refs<T>(items: &[T]) -> Vec<&T> {
    items.iter().collect()
}

fn at(text: &str) -> DateTime<Utc> {
    utc(text)
}

#[test]
fn pages_are_paged_alerts_fired_in_the_reporting_zones_quarter() {
    let (alerts, period) = (alerts(), q4_berlin());
    let ids: Vec<&str> = pages_in(&period, &refs(&alerts)).iter().map(|a| a.external_id.as_str()).collect();
    assert_eq!(ids, ["p1", "p2", "p3", "p4", "p6", "p7"]);
    assert_eq!(page_count(&period, &refs(&alerts)), 6);
}

#[test]
fn precision_is_over_reviewed_pages_and_coverage_over_all_pages() {
    let (alerts, period) = (alerts(), q4_berlin());
    // Reviewed: p1 actionable, p2 non-actionable, p4 duplicate, p6 false positive, p7 actionable.
    assert_eq!(alert_precision(&period, &refs(&alerts)), Some(2.0 / 5.0));
    assert_eq!(alert_disposition_coverage(&period, &refs(&alerts)), Some(5.0 / 6.0));
}

#[test]
fn off_and_sleep_hours_are_read_in_the_reporting_zone_or_the_teams_own() {
    let (alerts, period) = (alerts(), q4_berlin());
    let settings = OncallSettings::default();
    // Off hours: p2 (01:30), p4 (Saturday), p6 (07:30), p7 (00:30); p3 at 09:00 sharp is business.
    assert_eq!(off_hours_page_share(&period, &refs(&alerts), &settings), Some(4.0 / 6.0));
    // Sleep (22:00–07:00): p2 and p7; p6 at 07:30 is awake.
    assert_eq!(sleep_hours_page_share(&period, &refs(&alerts), &settings), Some(2.0 / 6.0));

    let mut new_york = OncallSettings::default();
    new_york.team_zones.insert(slug("search"), chrono_tz::America::New_York);
    // p6 is 01:30 in New York.
    assert_eq!(sleep_hours_page_share(&period, &refs(&alerts), &new_york), Some(3.0 / 6.0));
    assert_eq!(off_hours_page_share(&period, &refs(&alerts), &new_york), Some(4.0 / 6.0));
}

#[test]
fn time_to_acknowledge_leaves_out_unacknowledged_pages() {
    let (alerts, period) = (alerts(), q4_berlin());
    let stats = page_mtta(&period, &refs(&alerts)).unwrap();
    // 5, 10, 15, 30 minutes.
    assert_eq!(stats.count, 4);
    assert_eq!(stats.mean, 15.0);
    assert_eq!(stats.median, 12.5);
    assert!((stats.p90 - 25.5).abs() < 1e-9);
}

#[test]
fn a_page_at_the_hand_over_belongs_to_the_next_shift_and_a_responder_takes_their_own() {
    let (alerts, shifts) = (alerts(), shifts());
    let shift_refs = refs(&shifts);
    let person = |id: &str| {
        let page = alerts.iter().find(|a| a.external_id == id).unwrap();
        shift_of_page(page, &shift_refs).map(|s| s.person.clone())
    };
    assert_eq!(person("p1").as_deref(), Some("alice"));
    assert_eq!(person("p2").as_deref(), Some("dave"));
    assert_eq!(person("p3").as_deref(), Some("bob"));
    assert_eq!(person("p4").as_deref(), Some("alice"));
    assert_eq!(person("p6"), None, "search has no shifts");
    assert_eq!(person("p7").as_deref(), Some("erin"), "a shift that started in Q3");
    assert!(shifts[0].covers(at("2026-10-12T06:59:59Z")));
    assert!(!shifts[0].covers(at("2026-10-12T07:00:00Z")));
}

#[test]
fn pages_per_shift_counts_every_shift_starting_in_the_period_even_a_quiet_one() {
    let (alerts, shifts, period) = (alerts(), shifts(), q4_berlin());
    let load = pages_per_shift(&period, &refs(&alerts), &refs(&shifts)).unwrap();
    // alice 2 (p1, p4), dave 1 (p2), bob 1 (p3), carol 0; erin started in Q3.
    assert_eq!(load.shifts, 4);
    assert_eq!(load.pages, 4);
    assert_eq!(load.mean, 1.0);
    assert_eq!(load.median, 1.0);
    assert!((load.p90 - 1.7).abs() < 1e-9);
}

#[test]
fn a_team_without_shifts_has_pages_but_no_pages_per_shift() {
    let (alerts, period) = (alerts(), q4_berlin());
    let search: Vec<&Alert> = alerts.iter().filter(|a| a.service == slug("search-api")).collect();
    assert_eq!(page_count(&period, &search), 1);
    assert_eq!(pages_per_shift(&period, &search, &[]), None);
    assert_eq!(alert_precision(&period, &search), Some(0.0));
}

#[test]
fn no_pages_is_no_data_not_zero() {
    let period = q4_berlin();
    assert_eq!(page_count(&period, &[]), 0);
    assert_eq!(alert_precision(&period, &[]), None);
    assert_eq!(alert_disposition_coverage(&period, &[]), None);
    assert_eq!(off_hours_page_share(&period, &[], &OncallSettings::default()), None);
    assert_eq!(page_mtta(&period, &[]), None);
    assert!(noisiest_rules(&period, &[]).is_empty());
    let unreviewed = alert(page("u", "checkout", "payments", "X", "2026-10-06T10:00:00Z"));
    assert_eq!(alert_precision(&period, &[&unreviewed]), None, "nothing reviewed: no precision");
    assert_eq!(alert_disposition_coverage(&period, &[&unreviewed]), Some(0.0));
}

#[test]
fn the_noisiest_rules_come_first_with_their_precision() {
    let (alerts, period) = (alerts(), q4_berlin());
    let rules = noisiest_rules(&period, &refs(&alerts));
    let summary: Vec<(&str, u64, u64, Option<f64>)> =
        rules.iter().map(|r| (r.rule.as_str(), r.pages, r.reviewed, r.precision)).collect();
    assert_eq!(
        summary,
        [("HighLatency", 3, 3, Some(2.0 / 3.0)), ("DiskFull", 2, 1, Some(0.0)), ("SlowQuery", 1, 1, Some(0.0))]
    );
    assert_eq!(rules[1].services, [slug("ledger")]);
}

#[test]
fn day_times_wrap_past_midnight() {
    let sleep = DayTimes::parse("22:00-07:00").unwrap();
    let time = |t: &str| chrono::NaiveTime::parse_from_str(t, "%H:%M").unwrap();
    assert!(sleep.contains(time("23:59")) && sleep.contains(time("00:00")) && sleep.contains(time("06:59")));
    assert!(!sleep.contains(time("07:00")) && !sleep.contains(time("21:59")));
    let business = DayTimes::parse("09:00-18:00").unwrap();
    assert!(business.contains(time("09:00")) && !business.contains(time("18:00")));
    assert_eq!(DayTimes::parse("9-18"), None);
    assert_eq!(business.to_string(), "09:00–18:00");
}
