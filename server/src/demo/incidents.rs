//! Incidents, generated day by day in start order (so `repeat_of` always points back), and the
//! postmortems and follow-up actions that hang off them.

use app::domain::ingest::RawRow;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use rand::Rng;

use super::catalog::{self, FIRST_NAMES, LAST_NAMES};
use super::org::{Health, Org, Service};
use super::support::{
    DemoRng, RowExt, Stream, Window, chance, date, flag, instant, int, list, lognormal, midnight, pick, poisson,
    rng_for, row, text, unit, weighted,
};

/// The first incident is `INC-1001`.
const FIRST_INCIDENT: u32 = 1001;

pub(super) const DEPLOY: &str = "deploy";

const ROOT_CAUSES: [(&str, f64); 6] =
    [(DEPLOY, 28.0), ("config", 18.0), ("capacity", 14.0), ("dependency", 18.0), ("hardware", 7.0), ("unknown", 15.0)];

// Per severity, SEV0 first. Durations are medians in minutes.
const DETECT_MINUTES: [f64; 5] = [4.0, 6.0, 12.0, 25.0, 60.0];
const ACK_MINUTES: [f64; 5] = [2.0, 4.0, 8.0, 20.0, 90.0];
const MITIGATE_MINUTES: [f64; 5] = [50.0, 75.0, 120.0, 200.0, 360.0];
const RESOLVE_MINUTES: [f64; 5] = [240.0, 300.0, 480.0, 720.0, 1440.0];
/// Data-quality gaps: how often a timestamp was never filled in.
const NO_DETECTED_AT: [f64; 5] = [0.03, 0.04, 0.08, 0.12, 0.15];
const NO_ACKNOWLEDGED_AT: [f64; 5] = [0.04, 0.05, 0.10, 0.15, 0.20];
const NO_MITIGATED_AT: [f64; 5] = [0.02, 0.03, 0.05, 0.05, 0.05];
const NO_ROOT_CAUSE: [f64; 5] = [0.0, 0.0, 0.03, 0.08, 0.10];
const CUSTOMER_IMPACTING: [f64; 5] = [1.0, 0.85, 0.5, 0.15, 0.03];
/// How often an incident touches more than one service.
const MORE_SERVICES: [f64; 5] = [0.5, 0.3, 0.15, 0.05, 0.03];
/// Follow-up actions per incident (inclusive range).
const ACTIONS: [(u32, u32); 5] = [(6, 12), (4, 9), (2, 7), (1, 4), (0, 4)];

pub(super) fn incident_id(number: u32) -> String {
    format!("INC-{number}")
}

/// What later kinds need to know about an incident; compact, since the large organisation
/// keeps 50,000 of them while postmortems, actions and deployments are generated.
#[derive(Debug, Clone)]
pub(super) struct IncidentFact {
    pub number: u32,
    pub severity: u8,
    /// Affected services (indices), the primary one first.
    pub services: Vec<u32>,
    pub started: DateTime<Utc>,
    /// When impact ended, if that was before the horizon (whether or not the record says so).
    pub mitigated: Option<DateTime<Utc>>,
    pub root_cause: Option<&'static str>,
    pub change_related: bool,
}

impl IncidentFact {
    pub fn external_id(&self) -> String {
        incident_id(self.number)
    }

    pub fn primary(&self) -> usize {
        self.services[0] as usize
    }
}

/// The latest incident of a service, for explicit `repeat_of` links.
#[derive(Debug, Clone, Copy)]
struct Previous {
    number: u32,
    started: DateTime<Utc>,
    root_cause: Option<&'static str>,
}

/// Generates the window's incidents day by day; each day draws from its own random stream, and
/// the only state carried between days is the numbering and each service's latest incident.
pub(super) struct IncidentStream {
    next_day: u32,
    next_number: u32,
    per_day: f64,
    /// Running sums of the services' incident weights, for weighted picks.
    cumulative: Vec<f64>,
    previous: Vec<Option<Previous>>,
}

impl IncidentStream {
    pub fn new(org: &Org, target: f64, window: &Window) -> Self {
        let mut total = 0.0;
        let cumulative = org
            .services
            .iter()
            .map(|service| {
                total += service.incident_weight;
                total
            })
            .collect();
        IncidentStream {
            next_day: 0,
            next_number: FIRST_INCIDENT,
            per_day: target / f64::from(window.days),
            cumulative,
            previous: vec![None; org.services.len()],
        }
    }

    pub fn finished(&self, window: &Window) -> bool {
        self.next_day >= window.days
    }

    /// Generates whole days until at least `min_rows` incidents are ready or the window ends.
    pub fn next_batch(
        &mut self,
        org: &Org,
        window: &Window,
        seed: u64,
        min_rows: usize,
    ) -> (Vec<RawRow>, Vec<IncidentFact>) {
        let mut rows = Vec::new();
        let mut facts = Vec::new();
        while rows.len() < min_rows && !self.finished(window) {
            self.day(org, window, seed, &mut rows, &mut facts);
            self.next_day += 1;
        }
        (rows, facts)
    }

    fn day(&mut self, org: &Org, window: &Window, seed: u64, rows: &mut Vec<RawRow>, facts: &mut Vec<IncidentFact>) {
        let day = self.next_day;
        let mut rng = rng_for(seed, Stream::Incidents, u64::from(day));
        let fraction = window.fraction(day);
        // The organisation as a whole slowly improves.
        let count = poisson(&mut rng, self.per_day * (1.15 - 0.3 * fraction));
        let mut starts = Vec::with_capacity(count as usize);
        for _ in 0..count {
            if let Some(service) = self.pick_service(&mut rng, org, day, fraction) {
                let second = rng.gen_range(0..86_400);
                starts.push((window.at(day, second), service));
            }
        }
        starts.sort_unstable();
        for (started, primary) in starts {
            let (row, fact) = self.incident(&mut rng, org, window, started, primary, day);
            rows.push(row);
            facts.push(fact);
        }
    }

    /// A service running on `day`, weighted by incident proneness; struggling services get worse
    /// over the window and exemplary ones better.
    fn pick_service(&self, rng: &mut DemoRng, org: &Org, day: u32, fraction: f64) -> Option<usize> {
        let total = *self.cumulative.last()?;
        for _ in 0..12 {
            let x = unit(rng) * total;
            let index = self.cumulative.partition_point(|&sum| sum <= x).min(self.cumulative.len() - 1);
            let service = &org.services[index];
            if !service.runs_on(day) {
                continue;
            }
            let keep = match service.health {
                Health::Struggling => 0.35 + 0.65 * fraction,
                Health::Exemplary => 1.0 - 0.5 * fraction,
                Health::Steady => 1.0,
            };
            if chance(rng, keep) {
                return Some(index);
            }
        }
        None
    }

    fn incident(
        &mut self,
        rng: &mut DemoRng,
        org: &Org,
        window: &Window,
        started: DateTime<Utc>,
        primary: usize,
        day: u32,
    ) -> (RawRow, IncidentFact) {
        let number = self.next_number;
        self.next_number += 1;
        let service = &org.services[primary];
        let severity = pick_severity(rng, service);
        let sev = usize::from(severity);
        let services = affected_services(rng, org, primary, sev, day);

        let repeat_chance = match service.health {
            Health::Struggling => 0.3,
            Health::Steady => 0.07,
            Health::Exemplary => 0.02,
        };
        let repeat_of = self.previous[primary]
            .filter(|previous| started - previous.started <= TimeDelta::days(120))
            .filter(|_| chance(rng, repeat_chance));
        let root_cause = match repeat_of {
            Some(previous) if previous.root_cause.is_some() => previous.root_cause,
            _ if chance(rng, NO_ROOT_CAUSE[sev]) => None,
            _ => Some(weighted(rng, &ROOT_CAUSES)),
        };
        let change_related = match root_cause {
            Some(DEPLOY) => chance(rng, 0.92),
            Some("config") => chance(rng, 0.75),
            _ => chance(rng, 0.04),
        };

        let times = Timeline::draw(rng, sev, service.health, started);
        let horizon = window.horizon;
        let happened = |at: DateTime<Utc>| (at < horizon).then_some(at);
        let detected_at = happened(times.detected).filter(|_| !chance(rng, NO_DETECTED_AT[sev]));
        let acknowledged_at = happened(times.acknowledged).filter(|_| !chance(rng, NO_ACKNOWLEDGED_AT[sev]));
        let mitigated = happened(times.mitigated);
        let mitigated_at = mitigated.filter(|_| !chance(rng, NO_MITIGATED_AT[sev]));
        let resolved_at = happened(times.resolved);
        let status = if times.resolved < horizon {
            if started < horizon - TimeDelta::days(21) && chance(rng, 0.6) { "closed" } else { "resolved" }
        } else if times.mitigated < horizon {
            if chance(rng, 0.5) { "monitoring" } else { "mitigated" }
        } else if times.acknowledged < horizon {
            "identified"
        } else if times.detected < horizon {
            "investigating"
        } else {
            "open"
        };

        let customer_impacting = chance(rng, CUSTOMER_IMPACTING[sev]);
        // Some teams record the customer-facing minutes (often less than the whole impact
        // window); the others leave the KPI to fall back to mitigated − started.
        let impact_minutes = match mitigated {
            Some(end) if customer_impacting && chance(rng, 0.6) => {
                let minutes = (end - started).num_seconds() as f64 / 60.0;
                Some((minutes * rng.gen_range(0.3..=1.0)).round() as i64)
            }
            _ => None,
        };

        let data_loss = data_loss_minutes(number, sev, mitigated);
        let age_days = (horizon - started).num_days();
        let by = mitigated_by(number, service.health, age_days, mitigated_at);

        let variant = rng.gen_range(0..3);
        let mut title = catalog::incident_title(root_cause, variant, &service.name);
        if repeat_of.is_some() {
            title.push_str(" (recurrence)");
        }
        let record = row()
            .with("external_id", text(incident_id(number)))
            .with("title", text(title))
            .with("severity", text(format!("SEV{severity}")))
            .with("services", list(services.iter().map(|&index| org.services[index as usize].slug.clone())))
            .with("started_at", instant(started))
            .maybe("detected_at", detected_at.map(instant))
            .maybe("acknowledged_at", acknowledged_at.map(instant))
            .maybe("mitigated_at", mitigated_at.map(instant))
            .maybe("resolved_at", resolved_at.map(instant))
            .with("customer_impacting", flag(customer_impacting))
            .maybe("customer_impact_minutes", impact_minutes.map(int))
            .maybe("data_loss_minutes", data_loss.map(int))
            .maybe("mitigated_by", by.map(text))
            .with("change_related", flag(change_related))
            .maybe("root_cause_category", root_cause.map(text))
            .maybe("repeat_of", repeat_of.map(|previous| text(incident_id(previous.number))))
            .with("status", text(status));

        for &index in &services {
            self.previous[index as usize] = Some(Previous { number, started, root_cause });
        }
        let fact = IncidentFact { number, severity, services, started, mitigated, root_cause, change_related };
        (record, fact)
    }
}

/// The data a restored high-severity incident lost, reported for about half of them (the others
/// leave it unknown): derived from the incident's number rather than drawn, so the rest of the
/// organisation stays as it was before incidents reported data loss.
fn data_loss_minutes(number: u32, sev: usize, mitigated: Option<DateTime<Utc>>) -> Option<i64> {
    let reported = sev <= 1 && mitigated.is_some() && !number.is_multiple_of(2);
    // Mostly nothing lost; now and then more than a tier-0 RPO allows.
    reported.then(|| [0, 0, 5, 0, 30, 2, 0, 90][(number / 2 % 8) as usize])
}

/// Who mitigated a restored incident: recorded for four in five; automation more often on
/// healthy services and more often lately (teams automate). Derived from the incident's number
/// rather than drawn, so the rest of the organisation stays as it was.
fn mitigated_by(number: u32, health: Health, age_days: i64, mitigated: Option<DateTime<Utc>>) -> Option<&'static str> {
    if mitigated.is_none() || number.is_multiple_of(5) {
        return None;
    }
    let base = match health {
        Health::Exemplary => 45.0,
        Health::Steady => 25.0,
        Health::Struggling => 10.0,
    };
    let automated = base + 20.0 * (1.0 - (age_days as f64 / 730.0).clamp(0.0, 1.0));
    let draw = f64::from(number.wrapping_mul(2_654_435_761) % 100);
    Some(if draw < automated {
        "automation"
    } else if draw < automated + 15.0 {
        "mixed"
    } else {
        "human"
    })
}

fn pick_severity(rng: &mut DemoRng, service: &Service) -> u8 {
    let mut weights = match service.health {
        Health::Exemplary => [0.5, 4.0, 16.0, 38.0, 41.5],
        Health::Steady => [2.0, 7.0, 18.0, 35.0, 38.0],
        Health::Struggling => [3.5, 11.0, 22.0, 33.0, 30.5],
    };
    match service.tier {
        0 => weights[0] *= 1.5,
        3 => {
            weights[0] *= 0.2;
            weights[1] *= 0.5;
        }
        _ => {}
    }
    let items: [(u8, f64); 5] = std::array::from_fn(|level| (level as u8, weights[level]));
    weighted(rng, &items)
}

/// The primary service, sometimes with one or two others (mostly of the same team).
fn affected_services(rng: &mut DemoRng, org: &Org, primary: usize, sev: usize, day: u32) -> Vec<u32> {
    let mut services = vec![primary as u32];
    if !chance(rng, MORE_SERVICES[sev]) {
        return services;
    }
    let wanted = rng.gen_range(2..=3);
    let team = &org.team_services[org.services[primary].team];
    for _ in 0..8 {
        if services.len() >= wanted {
            break;
        }
        let candidate = if chance(rng, 0.6) { *pick(rng, team) } else { rng.gen_range(0..org.services.len()) };
        let candidate_id = candidate as u32;
        if org.services[candidate].runs_on(day) && !services.contains(&candidate_id) {
            services.push(candidate_id);
        }
    }
    services
}

/// The true course of an incident; what gets recorded is decided separately.
struct Timeline {
    detected: DateTime<Utc>,
    acknowledged: DateTime<Utc>,
    mitigated: DateTime<Utc>,
    resolved: DateTime<Utc>,
}

impl Timeline {
    fn draw(rng: &mut DemoRng, sev: usize, health: Health, started: DateTime<Utc>) -> Self {
        let slow = match health {
            Health::Struggling => 2.0,
            Health::Steady => 1.0,
            Health::Exemplary => 0.6,
        };
        // Now and then customers notice first.
        let reported_by_customer = if chance(rng, 0.08) { 8.0 } else { 1.0 };
        let detected = started + minutes(lognormal(rng, DETECT_MINUTES[sev] * slow * reported_by_customer, 0.8));
        let acknowledged = detected + minutes(lognormal(rng, ACK_MINUTES[sev], 0.9));
        let mitigated = acknowledged + minutes(lognormal(rng, MITIGATE_MINUTES[sev] * slow.sqrt(), 0.8));
        let resolved = mitigated + minutes(lognormal(rng, RESOLVE_MINUTES[sev], 0.9));
        Timeline { detected, acknowledged, mitigated, resolved }
    }
}

/// A duration of `value` minutes (capped at 30 days), to the second.
fn minutes(value: f64) -> TimeDelta {
    TimeDelta::seconds((value.clamp(0.0, 30.0 * 1440.0) * 60.0).round() as i64)
}

/// Postmortems: most high-severity incidents get one, mostly published within a week; some
/// are late, some stay drafts, a few are missing. A third of SEV2s get one too.
pub(super) fn postmortem_rows(facts: &[IncidentFact], org: &Org, window: &Window, seed: u64) -> Vec<RawRow> {
    facts.iter().filter_map(|fact| postmortem(fact, org, window, seed)).collect()
}

fn postmortem(fact: &IncidentFact, org: &Org, window: &Window, seed: u64) -> Option<RawRow> {
    let mut rng = rng_for(seed, Stream::Postmortems, u64::from(fact.number));
    let health = org.services[fact.primary()].health;
    let wanted = match (fact.severity, health) {
        (0 | 1, Health::Exemplary) => 1.0,
        (0 | 1, Health::Steady) => 0.92,
        (0 | 1, Health::Struggling) => 0.8,
        (2, _) => 0.35,
        _ => 0.03,
    };
    if !chance(&mut rng, wanted) {
        return None;
    }
    let id = fact.external_id();
    let url = format!("https://docs.example.com/postmortems/{id}");
    let record = row().with("incident", text(id));
    let Some(mitigated) = fact.mitigated else {
        // Still going on: the incident commander has started a draft.
        return chance(&mut rng, 0.5).then(|| record.with("status", text("draft")));
    };
    let (on_time, late) = match health {
        Health::Exemplary => (0.95, 0.05),
        Health::Steady => (0.80, 0.11),
        Health::Struggling => (0.50, 0.25),
    };
    let x = unit(&mut rng);
    let published = if x < on_time {
        // Between 12 hours and 6.9 days after mitigation.
        Some(mitigated + TimeDelta::seconds(rng.gen_range(43_200..597_600)))
    } else if x < on_time + late {
        Some(mitigated + TimeDelta::seconds(rng.gen_range(8 * 86_400..40 * 86_400)))
    } else {
        None
    };
    Some(match published.filter(|at| *at < window.horizon) {
        Some(at) => record.with("status", text("published")).with("published_at", instant(at)).with("url", text(url)),
        None => record.with("status", text("draft")).maybe("url", chance(&mut rng, 0.7).then(|| text(url))),
    })
}

/// Follow-up actions of the incidents in `facts`.
pub(super) fn action_rows(facts: &[IncidentFact], org: &Org, window: &Window, seed: u64) -> Vec<RawRow> {
    let mut rows = Vec::new();
    for fact in facts {
        incident_actions(fact, org, window, seed, &mut rows);
    }
    rows
}

fn incident_actions(fact: &IncidentFact, org: &Org, window: &Window, seed: u64, out: &mut Vec<RawRow>) {
    let mut rng = rng_for(seed, Stream::Actions, u64::from(fact.number));
    let (low, high) = ACTIONS[usize::from(fact.severity)];
    let count = rng.gen_range(low..=high);
    let review = fact.mitigated.unwrap_or(fact.started + TimeDelta::hours(6));
    let health = org.services[fact.primary()].health;
    for k in 1..=count {
        let created = review + TimeDelta::seconds(rng.gen_range(0..5 * 86_400));
        if created >= window.horizon {
            // Not agreed yet.
            continue;
        }
        let service_index = if fact.services.len() > 1 && chance(&mut rng, 0.2) {
            *pick(&mut rng, &fact.services) as usize
        } else {
            fact.primary()
        };
        let service = &org.services[service_index];
        let priority = match fact.severity {
            0 | 1 => weighted(&mut rng, &[("P1", 80.0), ("P2", 20.0)]),
            2 => weighted(&mut rng, &[("P1", 20.0), ("P2", 60.0), ("P3", 20.0)]),
            _ => weighted(&mut rng, &[("P2", 30.0), ("P3", 70.0)]),
        };
        let due_in: i64 = match priority {
            "P1" => rng.gen_range(7..=30),
            "P2" => rng.gen_range(30..=60),
            _ => rng.gen_range(45..=120),
        };
        // A few actions were filed without a due date (a data-quality gap).
        let due = (!chance(&mut rng, 0.06)).then(|| created.date_naive() + TimeDelta::days(due_in));
        let (status, completed) = settle(&mut rng, health, created, due, window.horizon);
        let variant = rng.gen_range(0..4);
        let title = catalog::action_title(fact.root_cause, variant, &service.name);
        let assignee = owner(&mut rng);
        let priority = (!chance(&mut rng, 0.05)).then_some(priority);
        out.push(
            row()
                .with("external_id", text(format!("ACT-{}-{k}", fact.number)))
                .with("incident", text(fact.external_id()))
                .with("service", text(&service.slug))
                .with("title", text(title))
                .maybe("owner", assignee.map(text))
                .maybe("priority", priority.map(text))
                .maybe("due_date", due.map(date))
                .with("status", text(status))
                .maybe("completed_at", completed.map(instant)),
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    OnTime,
    Late,
    Open,
    WontDo,
}

/// How an action created at `created` and due on `due` stands at the horizon:
/// `(status, completed_at)`. Done always comes with a completion time, open never does; an
/// action finished "in the future" is still open today.
pub(super) fn settle(
    rng: &mut DemoRng,
    health: Health,
    created: DateTime<Utc>,
    due: Option<NaiveDate>,
    horizon: DateTime<Utc>,
) -> (&'static str, Option<DateTime<Utc>>) {
    let [on_time, late, open, wont_do] = match health {
        Health::Exemplary => [85.0, 5.0, 7.0, 3.0],
        Health::Steady => [58.0, 17.0, 18.0, 7.0],
        Health::Struggling => [30.0, 25.0, 35.0, 10.0],
    };
    let outcome = weighted(
        rng,
        &[(Outcome::OnTime, on_time), (Outcome::Late, late), (Outcome::Open, open), (Outcome::WontDo, wont_do)],
    );
    let completed = match (outcome, due) {
        (Outcome::Open, _) => return ("open", None),
        (Outcome::WontDo, _) => return ("wont_do", None),
        (Outcome::OnTime, Some(due)) => {
            let deadline = midnight(due) + TimeDelta::days(1);
            let span = (deadline - created).num_seconds().max(3_600);
            created + TimeDelta::seconds(rng.gen_range(span / 10..span))
        }
        (Outcome::Late, Some(due)) => {
            midnight(due) + TimeDelta::days(1) + TimeDelta::seconds(rng.gen_range(3_600..90 * 86_400))
        }
        (Outcome::OnTime | Outcome::Late, None) => created + TimeDelta::seconds(rng.gen_range(2 * 86_400..60 * 86_400)),
    };
    if completed < horizon { ("done", Some(completed)) } else { ("open", None) }
}

/// A person's handle, now and then missing.
pub(super) fn owner(rng: &mut DemoRng) -> Option<String> {
    if chance(rng, 0.06) {
        return None;
    }
    let first = pick(rng, &FIRST_NAMES);
    let last = pick(rng, &LAST_NAMES);
    Some(format!("{first}.{last}"))
}
