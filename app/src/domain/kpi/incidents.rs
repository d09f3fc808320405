//! Incident KPIs (docs/kpis.md): counts, customer impact, duration statistics, repeats and
//! postmortem coverage. Incidents belong to the period of their `started_at`, except for
//! postmortem coverage, which looks at those *mitigated* in the period.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::period::Period;
use super::scope::ServiceRecord;
use super::slo::ratio;
use super::stats::{DurationStats, minutes_between};
use crate::domain::records::{Severity, Slug};

/// An incident as the KPIs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Its external id (what `repeat_of` refers to).
    pub id: String,
    pub severity: Severity,
    pub services: Vec<Slug>,
    pub started_at: DateTime<Utc>,
    pub detected_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub customer_impacting: bool,
    /// Explicit minutes of customer impact, when reported.
    pub customer_impact_minutes: Option<i64>,
    /// Minutes of data lost, when reported (`data_loss_within_rpo`).
    pub data_loss_minutes: Option<i64>,
    /// Who or what mitigated it, when recorded (`automated_mitigation_share`).
    pub mitigated_by: Option<crate::domain::records::MitigatedBy>,
    pub root_cause_category: Option<String>,
    /// The external id of the earlier incident this one repeats.
    pub repeat_of: Option<String>,
    /// `published_at` of the incident's postmortem when that postmortem is published. A
    /// published postmortem without a `published_at` cannot be shown to be on time: `None`.
    pub postmortem_published_at: Option<DateTime<Utc>>,
}

impl ServiceRecord for Incident {
    fn service_slugs(&self) -> &[Slug] {
        &self.services
    }
}

/// Which severities the duration KPIs look at; high severity (SEV0, SEV1) by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeverityFilter {
    mask: u8,
}

impl Default for SeverityFilter {
    fn default() -> Self {
        SeverityFilter::HIGH
    }
}

impl SeverityFilter {
    /// SEV0 and SEV1.
    pub const HIGH: SeverityFilter = SeverityFilter { mask: 0b00011 };
    /// Every severity.
    pub const ALL: SeverityFilter = SeverityFilter { mask: 0b11111 };

    fn bit(severity: Severity) -> u8 {
        1 << severity.level()
    }

    /// Exactly these severities.
    pub fn of(severities: &[Severity]) -> Self {
        SeverityFilter { mask: severities.iter().fold(0, |mask, s| mask | Self::bit(*s)) }
    }

    /// SEV0 through `least` (e.g. `up_to(Sev2)` = SEV0, SEV1, SEV2).
    pub fn up_to(least: Severity) -> Self {
        Self::of(&Severity::ALL.iter().copied().filter(|s| s.level() <= least.level()).collect::<Vec<_>>())
    }

    /// `all`, or a comma-separated list of severities (`SEV0,SEV2`); `None` if malformed or empty.
    pub fn parse(text: &str) -> Option<Self> {
        if text.trim().eq_ignore_ascii_case("all") {
            return Some(Self::ALL);
        }
        let severities = text.split(',').map(Severity::parse).collect::<Option<Vec<_>>>()?;
        (!severities.is_empty()).then(|| Self::of(&severities))
    }

    pub fn matches(self, severity: Severity) -> bool {
        self.mask & Self::bit(severity) != 0
    }

    pub fn severities(self) -> Vec<Severity> {
        Severity::ALL.iter().copied().filter(|s| self.matches(*s)).collect()
    }
}

/// The incidents of the population that started in the period.
pub fn incidents_started_in<'a, I: Borrow<Incident>>(period: &Period, incidents: &'a [I]) -> Vec<&'a Incident> {
    let (start, end) = (period.start(), period.end());
    incidents.iter().map(Borrow::borrow).filter(|i| start <= i.started_at && i.started_at < end).collect()
}

/// The incidents of the population that were mitigated in the period.
pub fn incidents_mitigated_in<'a, I: Borrow<Incident>>(period: &Period, incidents: &'a [I]) -> Vec<&'a Incident> {
    let (start, end) = (period.start(), period.end());
    incidents.iter().map(Borrow::borrow).filter(|i| i.mitigated_at.is_some_and(|m| start <= m && m < end)).collect()
}

/// `high_sev_count`: SEV0 + SEV1 incidents started in the period.
pub fn high_sev_count<I: Borrow<Incident>>(period: &Period, incidents: &[I]) -> u64 {
    incidents_started_in(period, incidents).iter().filter(|i| i.severity.is_high()).count() as u64
}

/// `incident_count`: incidents started in the period, by severity (every severity present).
pub fn incident_count<I: Borrow<Incident>>(period: &Period, incidents: &[I]) -> BTreeMap<Severity, u64> {
    let mut counts: BTreeMap<Severity, u64> = Severity::ALL.iter().map(|s| (*s, 0)).collect();
    for incident in incidents_started_in(period, incidents) {
        *counts.entry(incident.severity).or_default() += 1;
    }
    counts
}

/// `customer_impact_minutes` and what went into it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerImpact {
    /// Σ of explicit minutes, else mitigated − started, over customer-impacting incidents.
    pub minutes: f64,
    /// Customer-impacting incidents summed.
    pub incidents: u64,
    /// Customer-impacting incidents with neither explicit minutes nor `mitigated_at`.
    pub left_out: u64,
}

/// The customer-impact minutes of one incident: the explicit value when given, else
/// mitigated − started; `None` when neither is known.
pub fn impact_minutes_of(incident: &Incident) -> Option<f64> {
    match (incident.customer_impact_minutes, incident.mitigated_at) {
        (Some(explicit), _) => Some(explicit as f64),
        (None, Some(mitigated)) => Some(minutes_between(incident.started_at, mitigated)),
        (None, None) => None,
    }
}

pub fn customer_impact_minutes<I: Borrow<Incident>>(period: &Period, incidents: &[I]) -> CustomerImpact {
    let mut impact = CustomerImpact { minutes: 0.0, incidents: 0, left_out: 0 };
    for incident in incidents_started_in(period, incidents).into_iter().filter(|i| i.customer_impacting) {
        match impact_minutes_of(incident) {
            Some(minutes) => {
                impact.minutes += minutes;
                impact.incidents += 1;
            }
            None => impact.left_out += 1,
        }
    }
    impact
}

/// The incident durations of docs/kpis.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationKind {
    /// `mttd`: detected − started.
    Mttd,
    /// `mtta`: acknowledged − detected.
    Mtta,
    /// `mttr` (time to restore): mitigated − detected.
    Mttr,
    /// Impact duration: mitigated − started.
    ImpactDuration,
    /// Time to resolve: resolved − started.
    TimeToResolve,
}

impl DurationKind {
    pub const ALL: [DurationKind; 5] = [
        DurationKind::Mttd,
        DurationKind::Mtta,
        DurationKind::Mttr,
        DurationKind::ImpactDuration,
        DurationKind::TimeToResolve,
    ];

    pub fn id(self) -> &'static str {
        match self {
            DurationKind::Mttd => "mttd",
            DurationKind::Mtta => "mtta",
            DurationKind::Mttr => "mttr",
            DurationKind::ImpactDuration => "impact_duration",
            DurationKind::TimeToResolve => "time_to_resolve",
        }
    }

    /// The two timestamps the duration runs between, if both are present.
    pub fn endpoints(self, i: &Incident) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let (from, to) = match self {
            DurationKind::Mttd => (Some(i.started_at), i.detected_at),
            DurationKind::Mtta => (i.detected_at, i.acknowledged_at),
            DurationKind::Mttr => (i.detected_at, i.mitigated_at),
            DurationKind::ImpactDuration => (Some(i.started_at), i.mitigated_at),
            DurationKind::TimeToResolve => (Some(i.started_at), i.resolved_at),
        };
        Some((from?, to?))
    }

    /// The duration of one incident in minutes, when it has both timestamps.
    pub fn minutes(self, incident: &Incident) -> Option<f64> {
        self.endpoints(incident).map(|(from, to)| minutes_between(from, to))
    }
}

/// The incidents a duration KPI looks at: started in the period, of a matching severity.
fn duration_population<'a, I: Borrow<Incident>>(
    period: &Period,
    incidents: &'a [I],
    severity: SeverityFilter,
) -> impl Iterator<Item = &'a Incident> {
    incidents_started_in(period, incidents).into_iter().filter(move |i| severity.matches(i.severity))
}

/// A duration KPI over the incidents started in the period with a matching severity, leaving
/// out those lacking either timestamp; `None` when none is left.
pub fn duration_stats<I: Borrow<Incident>>(
    kind: DurationKind,
    period: &Period,
    incidents: &[I],
    severity: SeverityFilter,
) -> Option<DurationStats> {
    DurationStats::from_minutes(duration_population(period, incidents, severity).filter_map(|i| kind.minutes(i)))
}

/// How many incidents of a duration KPI's population lack one of its timestamps.
pub fn duration_left_out<I: Borrow<Incident>>(
    kind: DurationKind,
    period: &Period,
    incidents: &[I],
    severity: SeverityFilter,
) -> u64 {
    duration_population(period, incidents, severity).filter(|i| kind.endpoints(i).is_none()).count() as u64
}

pub fn mttd<I: Borrow<Incident>>(period: &Period, incidents: &[I], severity: SeverityFilter) -> Option<DurationStats> {
    duration_stats(DurationKind::Mttd, period, incidents, severity)
}

pub fn mtta<I: Borrow<Incident>>(period: &Period, incidents: &[I], severity: SeverityFilter) -> Option<DurationStats> {
    duration_stats(DurationKind::Mtta, period, incidents, severity)
}

pub fn mttr<I: Borrow<Incident>>(period: &Period, incidents: &[I], severity: SeverityFilter) -> Option<DurationStats> {
    duration_stats(DurationKind::Mttr, period, incidents, severity)
}

pub fn impact_duration<I: Borrow<Incident>>(
    period: &Period,
    incidents: &[I],
    severity: SeverityFilter,
) -> Option<DurationStats> {
    duration_stats(DurationKind::ImpactDuration, period, incidents, severity)
}

pub fn time_to_resolve<I: Borrow<Incident>>(
    period: &Period,
    incidents: &[I],
    severity: SeverityFilter,
) -> Option<DurationStats> {
    duration_stats(DurationKind::TimeToResolve, period, incidents, severity)
}

/// How far back an earlier incident with the same service and root cause makes a repeat.
pub const REPEAT_WINDOW_DAYS: i64 = 90;

pub(crate) fn root_cause(incident: &Incident) -> Option<&str> {
    incident.root_cause_category.as_deref().map(str::trim).filter(|c| !c.is_empty())
}

/// Earlier incidents by service, to find implicit repeats quickly. Built once per dataset and
/// shared by every scope and scorecard (building it is the costly part).
#[derive(Debug, Clone, Default)]
pub struct RepeatIndex {
    by_service: HashMap<Slug, Vec<Occurrence>>,
}

/// When an incident started, its root-cause category and its external id.
type Occurrence = (DateTime<Utc>, Box<str>, Box<str>);

impl RepeatIndex {
    /// Indexes the incidents (of any scope and severity) that may be earlier occurrences; those
    /// without a root-cause category are never matched and are skipped.
    pub fn new<I: Borrow<Incident>>(history: &[I]) -> Self {
        let mut by_service: HashMap<Slug, Vec<Occurrence>> = HashMap::new();
        for incident in history.iter().map(Borrow::borrow) {
            if let Some(cause) = root_cause(incident) {
                for service in &incident.services {
                    by_service.entry(service.clone()).or_default().push((
                        incident.started_at,
                        cause.into(),
                        incident.id.as_str().into(),
                    ));
                }
            }
        }
        for entries in by_service.values_mut() {
            entries.sort_unstable();
        }
        RepeatIndex { by_service }
    }

    /// Whether an incident is a repeat: `repeat_of` is set, or another incident sharing one of
    /// its services and its non-empty root-cause category started in [started − 90 days,
    /// started) (days of 24 hours; exactly 90 days earlier counts, a second more does not).
    pub fn is_repeat(&self, incident: &Incident) -> bool {
        self.earlier_of(incident).is_some()
    }

    /// The external id of the incident a repeat repeats: the one `repeat_of` names, else the
    /// latest of the earlier incidents that make it an implicit repeat. `None` for an incident
    /// that is no repeat.
    pub fn earlier_of<'a>(&'a self, incident: &'a Incident) -> Option<&'a str> {
        if let Some(named) = incident.repeat_of.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            return Some(named);
        }
        let cause = root_cause(incident)?;
        let to = incident.started_at;
        let from = to.checked_sub_signed(TimeDelta::days(REPEAT_WINDOW_DAYS)).unwrap_or(DateTime::<Utc>::MIN_UTC);
        incident
            .services
            .iter()
            .filter_map(|s| self.by_service.get(s))
            .filter_map(|entries| {
                let lower = entries.partition_point(|(t, _, _)| *t < from);
                let upper = entries.partition_point(|(t, _, _)| *t < to);
                entries.get(lower..upper)?.iter().rev().find(|(_, c, _)| &**c == cause)
            })
            .max_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)))
            .map(|(_, _, id)| &**id)
    }
}

/// `repeat_incident_rate`: incidents started in the period (all severities) that are repeats ÷
/// those incidents. `history` holds the incidents an earlier occurrence may be among —
/// regardless of scope, since the earlier one only has to share a service; anything started in
/// [period start − 90 days, period end) is enough, more does no harm.
pub fn repeat_incident_rate<I: Borrow<Incident>, H: Borrow<Incident>>(
    period: &Period,
    incidents: &[I],
    history: &[H],
) -> Option<f64> {
    repeat_incident_rate_indexed(period, incidents, &RepeatIndex::new(history))
}

/// As [`repeat_incident_rate`], with the history already indexed.
pub fn repeat_incident_rate_indexed<I: Borrow<Incident>>(
    period: &Period,
    incidents: &[I],
    index: &RepeatIndex,
) -> Option<f64> {
    let population = incidents_started_in(period, incidents);
    ratio(population.iter().filter(|i| index.is_repeat(i)).count(), population.len())
}

/// The deadline used by `postmortem_coverage`.
pub const POSTMORTEM_DEADLINE_DAYS: i64 = 7;

/// Whether an incident has a published postmortem with `published_at` ≤ mitigated + `days`
/// (days of 24 hours).
pub fn postmortem_published_within(incident: &Incident, days: i64) -> bool {
    match (incident.mitigated_at, incident.postmortem_published_at) {
        (Some(mitigated), Some(published)) => {
            mitigated.checked_add_signed(TimeDelta::days(days)).is_some_and(|deadline| published <= deadline)
        }
        _ => false,
    }
}

/// Postmortem coverage with a deadline of `days` after mitigation (scorecards use 5 / 7 / 10
/// by tier): high-severity incidents mitigated in the period with a published postmortem in
/// time ÷ high-severity incidents mitigated in the period.
pub fn postmortem_coverage_within<I: Borrow<Incident>>(period: &Period, incidents: &[I], days: i64) -> Option<f64> {
    let population: Vec<&Incident> =
        incidents_mitigated_in(period, incidents).into_iter().filter(|i| i.severity.is_high()).collect();
    ratio(population.iter().filter(|i| postmortem_published_within(i, days)).count(), population.len())
}

/// `postmortem_coverage`: as [`postmortem_coverage_within`] with the 7-day deadline.
pub fn postmortem_coverage<I: Borrow<Incident>>(period: &Period, incidents: &[I]) -> Option<f64> {
    postmortem_coverage_within(period, incidents, POSTMORTEM_DEADLINE_DAYS)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::{q, utc};
    use crate::domain::kpi::period::{Period, ReportingCalendar};
    use crate::domain::kpi::scope::tests::slug;

    /// A SEV1 on `api` started at `started`, with no other timestamps.
    pub(crate) fn incident(id: &str, severity: Severity, started: &str) -> Incident {
        Incident {
            id: id.to_owned(),
            severity,
            services: vec![slug("api")],
            started_at: utc(started),
            detected_at: None,
            acknowledged_at: None,
            mitigated_at: None,
            resolved_at: None,
            customer_impacting: false,
            customer_impact_minutes: None,
            data_loss_minutes: None,
            mitigated_by: None,
            root_cause_category: None,
            repeat_of: None,
            postmortem_published_at: None,
        }
    }

    /// A high-severity incident with every timestamp, minutes after `started`:
    /// detected +d, acknowledged +d+a, mitigated +d+r, resolved +d+r+60.
    fn timed(id: &str, started: &str, d: i64, a: i64, r: i64) -> Incident {
        let s = utc(started);
        let at = |m: i64| Some(s + TimeDelta::minutes(m));
        Incident {
            detected_at: at(d),
            acknowledged_at: at(d + a),
            mitigated_at: at(d + r),
            resolved_at: at(d + r + 60),
            ..incident(id, Severity::Sev1, started)
        }
    }

    #[test]
    fn an_incident_straddling_the_quarter_boundary_belongs_to_the_quarter_it_started_in() {
        let mut straddling = timed("inc-1", "2026-09-30T23:30:00Z", 10, 5, 60);
        straddling.severity = Severity::Sev0;
        let incidents = [straddling];
        assert_eq!(high_sev_count(&q("2026-Q3"), &incidents), 1);
        assert_eq!(high_sev_count(&q("2026-Q4"), &incidents), 0);
        assert_eq!(mttr(&q("2026-Q3"), &incidents, SeverityFilter::HIGH).unwrap().median, 60.0);
        assert_eq!(mttr(&q("2026-Q4"), &incidents, SeverityFilter::HIGH), None);
        // Mitigated on 1 October: postmortem coverage looks at Q4, not Q3.
        assert_eq!(postmortem_coverage(&q("2026-Q3"), &incidents), None);
        assert_eq!(postmortem_coverage(&q("2026-Q4"), &incidents), Some(0.0));
    }

    #[test]
    fn input_offsets_other_than_utc_are_compared_as_instants() {
        // 01:30+02:00 on 1 October is 23:30Z on 30 September: Q3 in a UTC report.
        let incidents = [incident("inc-1", Severity::Sev1, "2026-10-01T01:30:00+02:00")];
        assert_eq!(high_sev_count(&q("2026-Q3"), &incidents), 1);
        assert_eq!(high_sev_count(&q("2026-Q4"), &incidents), 0);
        // In a Berlin report the same instant is already in Q4.
        let berlin = ReportingCalendar::new(1, chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(high_sev_count(&Period::parse("2026-Q4", berlin).unwrap(), &incidents), 1);
        // Durations between offsets: detected 10:05-04:00 = 14:05Z, 5 minutes after 14:00Z.
        let mut i = incident("inc-2", Severity::Sev0, "2026-07-10T14:00:00Z");
        i.detected_at = Some(utc("2026-07-10T10:05:00-04:00"));
        assert_eq!(mttd(&q("2026-Q3"), &[i], SeverityFilter::HIGH).unwrap().mean, 5.0);
    }

    #[test]
    fn incident_count_lists_every_severity() {
        let incidents = [
            incident("a", Severity::Sev0, "2026-07-02T00:00:00Z"),
            incident("b", Severity::Sev2, "2026-07-03T00:00:00Z"),
            incident("c", Severity::Sev2, "2026-07-04T00:00:00Z"),
            incident("d", Severity::Sev4, "2026-06-04T00:00:00Z"),
        ];
        let counts = incident_count(&q("2026-Q3"), &incidents);
        assert_eq!(counts.values().copied().collect::<Vec<_>>(), [1, 0, 2, 0, 0]);
        assert_eq!(serde_json::to_string(&counts).unwrap(), r#"{"SEV0":1,"SEV1":0,"SEV2":2,"SEV3":0,"SEV4":0}"#);
        assert_eq!(high_sev_count(&q("2026-Q3"), &incidents), 1);
        assert_eq!(high_sev_count::<Incident>(&q("2026-Q3"), &[]), 0);
    }

    #[test]
    fn explicit_customer_impact_minutes_win_over_the_derived_duration() {
        let mut explicit = timed("a", "2026-07-01T10:00:00Z", 0, 0, 120);
        explicit.customer_impacting = true;
        explicit.customer_impact_minutes = Some(30);
        let mut derived = timed("b", "2026-07-02T10:00:00Z", 15, 5, 45);
        derived.customer_impacting = true;
        let mut unknown = incident("c", Severity::Sev2, "2026-07-03T10:00:00Z");
        unknown.customer_impacting = true;
        let mut internal = timed("d", "2026-07-04T10:00:00Z", 0, 0, 500);
        internal.customer_impact_minutes = Some(999);
        let impact = customer_impact_minutes(&q("2026-Q3"), &[explicit, derived, unknown, internal]);
        // 30 explicit + (15 + 45) derived; the unknown one is left out; the internal one ignored.
        assert_eq!(impact, CustomerImpact { minutes: 90.0, incidents: 2, left_out: 1 });
        let none = customer_impact_minutes::<Incident>(&q("2026-Q3"), &[]);
        assert_eq!(none, CustomerImpact { minutes: 0.0, incidents: 0, left_out: 0 });
    }

    #[test]
    fn durations_cover_high_severity_incidents_by_default_and_a_filter_widens_them() {
        let mut low = timed("low", "2026-07-05T00:00:00Z", 100, 100, 100);
        low.severity = Severity::Sev3;
        let incidents = [
            timed("a", "2026-07-01T00:00:00Z", 10, 2, 30),
            timed("b", "2026-07-02T00:00:00Z", 20, 4, 50),
            timed("c", "2026-07-03T00:00:00Z", 30, 6, 70),
            low,
        ];
        let p = q("2026-Q3");
        let d = mttd(&p, &incidents, SeverityFilter::HIGH).unwrap();
        assert_eq!((d.mean, d.median, d.count), (20.0, 20.0, 3));
        assert!((d.p90 - 28.0).abs() < 1e-9);
        assert_eq!(mtta(&p, &incidents, SeverityFilter::HIGH).unwrap().median, 4.0);
        assert_eq!(mttr(&p, &incidents, SeverityFilter::HIGH).unwrap().median, 50.0);
        assert_eq!(impact_duration(&p, &incidents, SeverityFilter::HIGH).unwrap().median, 70.0);
        assert_eq!(time_to_resolve(&p, &incidents, SeverityFilter::HIGH).unwrap().median, 130.0);
        let all = mttd(&p, &incidents, SeverityFilter::ALL).unwrap();
        assert_eq!((all.count, all.median), (4, 25.0));
        assert_eq!(mttd(&p, &incidents, SeverityFilter::up_to(Severity::Sev3)).unwrap().count, 4);
        assert_eq!(mttd(&p, &incidents, SeverityFilter::of(&[Severity::Sev3])).unwrap().count, 1);
    }

    #[test]
    fn incidents_missing_a_timestamp_are_left_out_of_that_duration_only() {
        let mut undetected = timed("x", "2026-07-09T00:00:00Z", 10, 5, 40);
        undetected.detected_at = None;
        let incidents = [timed("a", "2026-07-01T00:00:00Z", 10, 5, 40), undetected];
        let p = q("2026-Q3");
        assert_eq!(mttd(&p, &incidents, SeverityFilter::HIGH).unwrap().count, 1);
        assert_eq!(mttr(&p, &incidents, SeverityFilter::HIGH).unwrap().count, 1);
        assert_eq!(impact_duration(&p, &incidents, SeverityFilter::HIGH).unwrap().count, 2);
        assert_eq!(duration_left_out(DurationKind::Mttd, &p, &incidents, SeverityFilter::HIGH), 1);
        assert_eq!(duration_left_out(DurationKind::ImpactDuration, &p, &incidents, SeverityFilter::HIGH), 0);
        let only_missing = [incident("y", Severity::Sev0, "2026-07-01T00:00:00Z")];
        assert_eq!(mttr(&p, &only_missing, SeverityFilter::HIGH), None);
    }

    #[test]
    fn empty_populations_give_no_durations_rates_or_coverage() {
        let p = q("2026-Q3");
        let none: [Incident; 0] = [];
        assert_eq!(mttd(&p, &none, SeverityFilter::HIGH), None);
        assert_eq!(repeat_incident_rate(&p, &none, &none), None);
        assert_eq!(postmortem_coverage(&p, &none), None);
    }

    #[test]
    fn severity_filters_parse_lists_and_all() {
        assert_eq!(SeverityFilter::parse("all"), Some(SeverityFilter::ALL));
        assert_eq!(SeverityFilter::parse("sev0,SEV1"), Some(SeverityFilter::HIGH));
        assert_eq!(SeverityFilter::parse("SEV2").unwrap().severities(), [Severity::Sev2]);
        assert_eq!(SeverityFilter::parse("SEV9"), None);
        assert_eq!(SeverityFilter::parse(""), None);
        assert_eq!(SeverityFilter::default(), SeverityFilter::HIGH);
    }

    fn with_cause(id: &str, started: &str, service: &str, cause: &str) -> Incident {
        Incident {
            services: vec![slug(service)],
            root_cause_category: Some(cause.to_owned()),
            ..incident(id, Severity::Sev3, started)
        }
    }

    #[test]
    fn an_explicit_repeat_counts_whatever_its_root_cause() {
        let mut repeat = incident("b", Severity::Sev2, "2026-07-10T00:00:00Z");
        repeat.repeat_of = Some("a".into());
        let incidents = [repeat, incident("c", Severity::Sev2, "2026-07-11T00:00:00Z")];
        assert_eq!(repeat_incident_rate(&q("2026-Q3"), &incidents, &incidents), Some(0.5));
    }

    #[test]
    fn an_earlier_incident_exactly_ninety_days_before_makes_an_implicit_repeat() {
        let now = with_cause("now", "2026-07-10T12:00:00Z", "api", "config");
        let at_edge = with_cause("edge", "2026-04-11T12:00:00Z", "api", "config");
        let history = [at_edge, now.clone()];
        assert!(RepeatIndex::new(&history).is_repeat(&now));
        assert_eq!(repeat_incident_rate(&q("2026-Q3"), std::slice::from_ref(&now), &history), Some(1.0));
    }

    #[test]
    fn an_earlier_incident_ninety_days_and_one_second_before_does_not() {
        let now = with_cause("now", "2026-07-10T12:00:00Z", "api", "config");
        let too_old = with_cause("old", "2026-04-11T11:59:59Z", "api", "config");
        let history = [too_old, now.clone()];
        assert!(!RepeatIndex::new(&history).is_repeat(&now));
    }

    #[test]
    fn implicit_repeats_need_the_same_service_and_a_non_empty_same_cause_earlier() {
        let now = with_cause("now", "2026-07-10T12:00:00Z", "api", "config");
        let other_service = with_cause("o", "2026-07-01T00:00:00Z", "db", "config");
        let other_cause = with_cause("c", "2026-07-01T00:00:00Z", "api", "capacity");
        let same_instant = with_cause("s", "2026-07-10T12:00:00Z", "api", "config");
        let later = with_cause("l", "2026-07-11T00:00:00Z", "api", "config");
        let history = [other_service, other_cause, same_instant, later];
        assert!(!RepeatIndex::new(&history).is_repeat(&now));
        let blank_now = with_cause("b", "2026-07-10T12:00:00Z", "api", "  ");
        let blank_before = with_cause("bb", "2026-07-01T00:00:00Z", "api", "  ");
        assert!(!RepeatIndex::new(&[blank_before]).is_repeat(&blank_now));
        // Sharing one of several services is enough; the earlier one may be outside the period.
        let mut multi = with_cause("m", "2026-07-10T12:00:00Z", "web", "config");
        multi.services.push(slug("db"));
        let before = with_cause("p", "2026-06-20T00:00:00Z", "db", "config");
        assert!(RepeatIndex::new(&[before]).is_repeat(&multi));
    }

    #[test]
    fn postmortem_coverage_counts_high_severity_incidents_mitigated_in_the_period() {
        // Started in Q2, mitigated in Q3: in the population.
        let mut on_time = timed("a", "2026-06-30T20:00:00Z", 0, 0, 60);
        on_time.mitigated_at = Some(utc("2026-07-01T09:00:00Z"));
        on_time.postmortem_published_at = Some(utc("2026-07-08T09:00:00Z")); // exactly 7 days
        let mut late = timed("b", "2026-07-02T00:00:00Z", 0, 0, 60); // mitigated 01:00
        late.postmortem_published_at = Some(utc("2026-07-09T01:00:01Z"));
        let unpublished = timed("c", "2026-07-03T00:00:00Z", 0, 0, 60);
        let mut low = timed("d", "2026-07-04T00:00:00Z", 0, 0, 60);
        low.severity = Severity::Sev2;
        let unmitigated = incident("e", Severity::Sev0, "2026-07-05T00:00:00Z");
        let incidents = [on_time, late, unpublished, low, unmitigated];
        assert_eq!(postmortem_coverage(&q("2026-Q3"), &incidents), Some(1.0 / 3.0));
        // A 10-day deadline lets the late one in.
        assert_eq!(postmortem_coverage_within(&q("2026-Q3"), &incidents, 10), Some(2.0 / 3.0));
    }
}
