//! A forecast as an iCalendar feed (RFC 5545): one all-day event per change ahead, so a team
//! sees in its own calendar when a check will break.

use chrono::{DateTime, Utc};

use super::forecast::ForecastReport;

/// Escapes a TEXT value: backslash, semicolon and comma are escaped, line breaks become `\n`.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line to at most 75 octets per line (continuations start with a space),
/// never inside a character, and ends it with CRLF.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The feed of `report` named `name`, stamped `generated`.
pub fn calendar(report: &ForecastReport, name: &str, generated: DateTime<Utc>) -> String {
    let stamp = generated.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Plumbline//What breaks next//EN", "CALSCALE:GREGORIAN"] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", text(name)), &mut out);
    for entry in report.calendar() {
        let day = entry.event.day;
        let next = day.succ_opt().unwrap_or(day);
        let mut description: Vec<String> = entry
            .event
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}. {}",
                    c.change.title,
                    c.change.before.label(),
                    c.change.after.label(),
                    c.explanation
                )
            })
            .collect();
        if entry.event.new_quarter {
            description.insert(0, "A new quarter starts: period-bound checks are judged on its records.".to_owned());
        }
        description.push(report.assumption.clone());
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}-{}@plumbline", text(&entry.service), day.format("%Y%m%d")), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(&format!("DTSTART;VALUE=DATE:{}", day.format("%Y%m%d")), &mut out);
        fold(&format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")), &mut out);
        fold(&format!("SUMMARY:{}", text(&entry.headline)), &mut out);
        fold(&format!("DESCRIPTION:{}", text(&description.join("\n"))), &mut out);
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::domain::scorecard::forecast::{ForecastChange, ForecastEvent, ServiceForecast};
    use crate::domain::scorecard::listing::Standing;
    use crate::domain::scorecard::movers::CheckChange;
    use crate::domain::scorecard::{CheckStatus, Level};

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn each_change_is_an_all_day_event_with_escaped_folded_text() {
        let event = ForecastEvent {
            day: day("2027-01-14"),
            before: Standing { level: Some(Level::Silver), score: Some(80) },
            after: Standing { level: Some(Level::Bronze), score: Some(70) },
            level_change: -1,
            new_quarter: false,
            changes: vec![ForecastChange {
                change: CheckChange {
                    check: "dr_test_recent".into(),
                    title: "Recent passing DR test".into(),
                    before: CheckStatus::Pass,
                    after: CheckStatus::Fail,
                },
                explanation: "Latest passing DR test was 91 days before the as-of date (needs ≤ 90 days); run one, then record it."
                    .into(),
            }],
        };
        let report = ForecastReport {
            scope: "team:shop".into(),
            from: day("2026-11-20"),
            to: day("2027-02-18"),
            horizon_days: 90,
            assumption: "If nothing else happens.".into(),
            services: vec![ServiceForecast {
                service: "checkout".into(),
                team: "shop".into(),
                tier: 0,
                now: event.before,
                events: vec![event],
            }],
        };
        let feed = calendar(&report, "Shop, what breaks next", "2026-11-20T12:00:00Z".parse().unwrap());
        assert!(feed.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(feed.ends_with("END:VCALENDAR\r\n"));
        assert!(feed.contains("X-WR-CALNAME:Shop\\, what breaks next\r\n"));
        assert!(feed.contains("DTSTART;VALUE=DATE:20270114\r\nDTEND;VALUE=DATE:20270115\r\n"));
        assert!(feed.contains("SUMMARY:checkout drops Silver → Bronze\r\n"));
        assert!(feed.contains("UID:checkout-20270114@plumbline\r\n"));
        assert!(feed.contains("DTSTAMP:20261120T120000Z\r\n"));
        // Every line is at most 75 octets; unfolded, the description keeps its escapes.
        assert!(feed.split("\r\n").all(|line| line.len() <= 75), "{feed}");
        let unfolded = feed.replace("\r\n ", "");
        assert!(
            unfolded.contains("(needs ≤ 90 days)\\; run one\\, then record it.\\nIf nothing else happens."),
            "{unfolded}"
        );
        assert_eq!(feed.matches("BEGIN:VEVENT").count(), 1);
    }
}
