//! The organisation: teams, services and their SLOs, and the rows that import them.

use app::domain::ingest::RawRow;
use rand::Rng;
use rand::seq::SliceRandom;

use super::Scale;
use super::catalog::{COMPONENTS, DOMAINS, QUALIFIERS, REGIONS, SMALL_TEAMS};
use super::support::{
    DemoRng, RowExt, Stream, Window, chance, int, log_uniform, lognormal, number, pick, rng_for, row, text, weighted,
};

/// Services per team in the large organisation (100 teams → 2,000 services).
const LARGE_SERVICES_PER_TEAM: usize = 20;

/// How a service fares over the two years; drives incident rates, SLO burn, DR discipline and
/// action follow-through, so the scorecards have something to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Health {
    /// Few incidents, fast response, budgets comfortably met, everything followed up.
    Exemplary,
    Steady,
    /// Getting worse: more and repeated incidents, budgets exhausted, overdue actions.
    Struggling,
}

#[derive(Debug, Clone)]
pub(super) struct Team {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub(super) struct Service {
    pub slug: String,
    pub name: String,
    pub team: usize,
    pub tier: u8,
    pub health: Health,
    /// For retired services, the first day (index into the window) the service no longer ran.
    pub retired_from: Option<u32>,
    /// Requests per day at the start of the window.
    pub daily_requests: f64,
    /// Relative share of the organisation's incidents.
    pub incident_weight: f64,
    pub deploys_per_week: f64,
}

impl Service {
    fn new(
        rng: &mut DemoRng,
        slug: String,
        name: String,
        team: usize,
        tier: u8,
        health: Health,
        retired_from: Option<u32>,
    ) -> Self {
        let (low, high) = match tier {
            0 => (5e6, 4e7),
            1 => (5e5, 8e6),
            2 => (5e4, 1e6),
            _ => (2e3, 1e5),
        };
        let tier_factor = match tier {
            0 => 1.5,
            1 => 1.25,
            2 => 1.0,
            _ => 0.8,
        };
        let health_factor = match health {
            Health::Exemplary => 0.35,
            Health::Steady => 1.0,
            Health::Struggling => 5.0,
        };
        let deploys = match tier {
            0 => 3.5,
            1 => 3.0,
            2 => 2.2,
            _ => 1.3,
        };
        Service {
            slug,
            name,
            team,
            tier,
            health,
            retired_from,
            daily_requests: log_uniform(rng, low, high),
            incident_weight: tier_factor * health_factor * lognormal(rng, 1.0, 0.5),
            deploys_per_week: deploys * lognormal(rng, 1.0, 0.35),
        }
    }

    /// Whether the service was still running on `day`.
    pub fn runs_on(&self, day: u32) -> bool {
        self.retired_from.is_none_or(|from| day < from)
    }

    /// The number of days, from the start of the window, the service ran.
    pub fn active_days(&self, window: &Window) -> u32 {
        self.retired_from.unwrap_or(window.days).min(window.days)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SloKind {
    Availability,
    Latency,
    Freshness,
    Correctness,
    /// Background job success, imported with indicator `other`.
    Jobs,
}

impl SloKind {
    pub fn indicator(self) -> &'static str {
        match self {
            SloKind::Availability => "availability",
            SloKind::Latency => "latency",
            SloKind::Freshness => "freshness",
            SloKind::Correctness => "correctness",
            SloKind::Jobs => "other",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Slo {
    pub service: usize,
    pub kind: SloKind,
    pub slug: &'static str,
    pub name: String,
    pub objective: f64,
    pub window_days: Option<i64>,
    /// A calendar-aligned window (`1M`), SLA style; `window_days` is then not sent.
    pub calendar_window: Option<&'static str>,
    pub budgeting: Option<&'static str>,
    pub threshold_ms: Option<i64>,
    /// True when good/total count one-minute slices (1,440 a day) rather than events.
    pub timeslices: bool,
    /// Events per day at the start of the window.
    pub daily_volume: f64,
    /// Share of the error budget an ordinary day burns (1.0 = all of it).
    pub burn: f64,
    /// The first day with measurements: some SLOs were adopted part-way through the window.
    pub first_day: u32,
}

pub(super) struct Org {
    pub teams: Vec<Team>,
    pub services: Vec<Service>,
    pub slos: Vec<Slo>,
    /// Service indices per team.
    pub team_services: Vec<Vec<usize>>,
}

impl Org {
    pub fn build(scale: Scale, seed: u64, window: &Window) -> Org {
        let mut rng = rng_for(seed, Stream::Org, 0);
        let (teams, services) = match scale {
            Scale::Small => small(&mut rng, window),
            Scale::Large => large(&mut rng, window, &[("", "")]),
            Scale::Xlarge => large(&mut rng, window, &REGIONS),
        };
        let mut team_services = vec![Vec::new(); teams.len()];
        for (index, service) in services.iter().enumerate() {
            team_services[service.team].push(index);
        }
        let slos = services
            .iter()
            .enumerate()
            .flat_map(|(index, service)| {
                let mut rng = rng_for(seed, Stream::Slos, index as u64);
                plan_slos(&mut rng, index, service, scale, window)
            })
            .collect();
        Org { teams, services, slos, team_services }
    }

    pub fn team_rows(&self) -> Vec<RawRow> {
        self.teams.iter().map(|team| row().with("slug", text(&team.slug)).with("name", text(&team.name))).collect()
    }

    pub fn service_rows(&self) -> Vec<RawRow> {
        self.services
            .iter()
            .map(|service| {
                let lifecycle = if service.retired_from.is_some() { "retired" } else { "active" };
                row()
                    .with("slug", text(&service.slug))
                    .with("name", text(&service.name))
                    .with("tier", int(i64::from(service.tier)))
                    .with("team", text(&self.teams[service.team].slug))
                    .with("lifecycle", text(lifecycle))
                    .maybe("rto_target_minutes", recovery_objectives(service.tier).0.map(int))
                    .maybe("rpo_target_minutes", recovery_objectives(service.tier).1.map(int))
            })
            .collect()
    }
}

/// The RTO and RPO (minutes) a service of `tier` declares in the demo: strict for tier 0, a
/// working day's RTO for tier 2, none for tier 3.
fn recovery_objectives(tier: u8) -> (Option<i64>, Option<i64>) {
    match tier {
        0 => (Some(60), Some(15)),
        1 => (Some(240), Some(60)),
        2 => (Some(1440), None),
        _ => (None, None),
    }
}

impl Org {
    pub fn slo_rows(&self) -> Vec<RawRow> {
        self.slos
            .iter()
            .map(|slo| {
                row()
                    .with("service", text(&self.services[slo.service].slug))
                    .with("slug", text(slo.slug))
                    .with("name", text(&slo.name))
                    .with("indicator", text(slo.kind.indicator()))
                    .with("objective", number(slo.objective))
                    .maybe("window_days", slo.window_days.filter(|_| slo.calendar_window.is_none()).map(int))
                    .maybe("calendar_window", slo.calendar_window.map(text))
                    .maybe("budgeting", slo.budgeting.map(text))
                    .maybe("threshold_ms", slo.threshold_ms.map(int))
            })
            .collect()
    }
}

/// The hand-made organisation of `catalog::SMALL_TEAMS`.
fn small(rng: &mut DemoRng, window: &Window) -> (Vec<Team>, Vec<Service>) {
    let mut teams = Vec::new();
    let mut services = Vec::new();
    for (team, spec) in SMALL_TEAMS.iter().enumerate() {
        teams.push(Team { slug: spec.slug.to_owned(), name: spec.name.to_owned() });
        for service in &spec.services {
            let retired_from =
                if service.retired { Some(rng.gen_range(window.days / 3..window.days * 5 / 6)) } else { None };
            services.push(Service::new(
                rng,
                service.slug.to_owned(),
                service.name.to_owned(),
                team,
                service.tier,
                service.health,
                retired_from,
            ));
        }
    }
    (teams, services)
}

/// 25 domains × 4 teams per region, each running 20 of the catalogue's components.
fn large(rng: &mut DemoRng, window: &Window, regions: &[(&str, &str)]) -> (Vec<Team>, Vec<Service>) {
    let mut teams = Vec::with_capacity(DOMAINS.len() * QUALIFIERS.len() * regions.len());
    let mut services = Vec::with_capacity(teams.capacity() * LARGE_SERVICES_PER_TEAM);
    for (region_slug, region_name) in regions {
        for (domain_slug, domain_name) in DOMAINS {
            for (qualifier_slug, qualifier_name) in QUALIFIERS {
                let team = teams.len();
                let (team_slug, team_name) = if region_slug.is_empty() {
                    (format!("{domain_slug}-{qualifier_slug}"), format!("{domain_name} {qualifier_name}"))
                } else {
                    (
                        format!("{domain_slug}-{qualifier_slug}-{region_slug}"),
                        format!("{domain_name} {qualifier_name} {region_name}"),
                    )
                };
                let mut components = COMPONENTS.to_vec();
                components.shuffle(rng);
                for (component_slug, component_name) in components.into_iter().take(LARGE_SERVICES_PER_TEAM) {
                    let tier = weighted(rng, &[(0_u8, 10.0), (1, 25.0), (2, 35.0), (3, 30.0)]);
                    let health =
                        weighted(rng, &[(Health::Exemplary, 12.0), (Health::Steady, 83.0), (Health::Struggling, 5.0)]);
                    let retired_from = if tier >= 2 && chance(rng, 0.05) {
                        Some(rng.gen_range(window.days / 4..window.days * 9 / 10))
                    } else {
                        None
                    };
                    services.push(Service::new(
                        rng,
                        format!("{team_slug}-{component_slug}"),
                        format!("{team_name} {component_name}"),
                        team,
                        tier,
                        health,
                        retired_from,
                    ));
                }
                teams.push(Team { slug: team_slug, name: team_name });
            }
        }
    }
    (teams, services)
}

/// Small: availability, plus latency for tier 0/1 and some others (1–2 per service).
/// Large and extra large: 2–4 per service (≈ 3 on average).
fn plan_slos(rng: &mut DemoRng, index: usize, service: &Service, scale: Scale, window: &Window) -> Vec<Slo> {
    let count = match scale {
        Scale::Small => {
            if service.tier <= 1 || chance(rng, 0.4) {
                2
            } else {
                1
            }
        }
        Scale::Large | Scale::Xlarge => rng.gen_range(2..=4),
    };
    let third = if chance(rng, 0.5) { SloKind::Freshness } else { SloKind::Correctness };
    let kinds = [SloKind::Availability, SloKind::Latency, third, SloKind::Jobs];
    kinds.into_iter().take(count).map(|kind| plan_slo(rng, index, service, kind, window)).collect()
}

fn plan_slo(rng: &mut DemoRng, index: usize, service: &Service, kind: SloKind, window: &Window) -> Slo {
    let (slug, name, objective, threshold_ms) = match kind {
        SloKind::Availability => {
            let objectives: &[f64] = match service.tier {
                0 => &[99.95, 99.99, 99.9],
                1 => &[99.9, 99.95],
                2 => &[99.9, 99.5],
                _ => &[99.5, 99.0],
            };
            ("availability", "Availability".to_owned(), *pick(rng, objectives), None)
        }
        SloKind::Latency => {
            let threshold = *pick(rng, &[150_i64, 200, 300, 500, 800, 1000]);
            let objective = *pick(rng, &[99.0, 99.5, 95.0]);
            ("latency", format!("Requests served within {threshold} ms"), objective, Some(threshold))
        }
        SloKind::Freshness => ("freshness", "Data fresher than 15 minutes".to_owned(), *pick(rng, &[99.0, 99.5]), None),
        SloKind::Correctness => ("correctness", "Correct responses".to_owned(), 99.99, None),
        SloKind::Jobs => ("job-success", "Background jobs succeed".to_owned(), *pick(rng, &[99.0, 98.0]), None),
    };
    let timeslices = kind == SloKind::Freshness || (kind == SloKind::Availability && chance(rng, 0.1));
    let budgeting = if timeslices {
        Some("timeslices")
    } else if chance(rng, 0.3) {
        Some("occurrences")
    } else {
        None
    };
    // Background jobs run in bursts, and the least critical services see little traffic: each
    // day weighs the same, however busy (ratio timeslices). Chosen without a draw, so the rest
    // of the demo stays as it was.
    let bursty = kind == SloKind::Jobs || (kind == SloKind::Availability && service.tier == 3);
    let budgeting = if bursty && budgeting.is_none() { Some("ratio_timeslices") } else { budgeting };
    let window_days = weighted(rng, &[(None::<i64>, 75.0), (Some(28), 10.0), (Some(30), 15.0)]);
    // A "30-day" window is read as the calendar month, as SLAs count.
    let calendar_window = (window_days == Some(30)).then_some("1M");
    let daily_volume = match kind {
        _ if timeslices => 1440.0,
        SloKind::Correctness => service.daily_requests * 0.3,
        SloKind::Jobs => (service.daily_requests * 0.001).max(200.0),
        _ => service.daily_requests,
    };
    let base_burn = match service.health {
        Health::Exemplary => 0.15,
        Health::Steady => 0.45,
        Health::Struggling => 0.9,
    };
    // A tenth of the ordinary services run an SLO that is set too tight for them.
    let too_tight = service.health == Health::Steady && chance(rng, 0.1);
    let burn = base_burn * lognormal(rng, 1.0, 0.35) * if too_tight { 2.0 } else { 1.0 };
    let adopted_late = service.health != Health::Exemplary && chance(rng, 0.12);
    let first_day = if adopted_late { rng.gen_range(30..window.days / 2) } else { 0 };
    Slo {
        service: index,
        kind,
        slug,
        name,
        objective,
        window_days,
        calendar_window,
        budgeting,
        threshold_ms,
        timeslices,
        daily_volume,
        burn,
        first_day,
    }
}
