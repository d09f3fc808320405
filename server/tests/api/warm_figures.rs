//! Figures that stay warm: an import moves only the periods its records reach (old and new
//! values, and the incidents they follow up), and a page is served the last computed figures at
//! once, saying newer ones are being computed, until the background recompute lands.

use app::domain::kpi::{Period, ReportingCalendar};
use app::domain::scorecard::Policy;
use serde_json::json;
use server::kpis::Figures;

use crate::helpers::{Backend, TestApp, eventually, spawn_app};

fn quarter(text: &str) -> Period {
    Period::parse(text, ReportingCalendar::default()).expect("quarter")
}

/// The version of each quarter of 2026.
async fn versions(app: &TestApp, figures: &Figures) -> [i64; 4] {
    let mut out = [0; 4];
    for (n, slot) in out.iter_mut().enumerate() {
        let period = quarter(&format!("2026-Q{}", n + 1));
        *slot = figures.cache.changes.period_version(&app.db, &period).await.expect("period version");
    }
    out
}

/// Which quarters moved between two readings.
fn moved(before: [i64; 4], after: [i64; 4]) -> Vec<&'static str> {
    let names = ["Q1", "Q2", "Q3", "Q4"];
    (0..4).filter(|&n| before[n] != after[n]).map(|n| names[n]).collect()
}

async fn an_import_moves_only_the_periods_its_records_reach(backend: Backend) {
    let app = spawn_app(backend).await;
    let policy = Policy::default_policy().expect("policy");
    let figures = Figures::new(app.db.clone(), policy, ReportingCalendar::default());
    let post = |kind: &'static str, rows: serde_json::Value| {
        let app = &app;
        async move {
            let (status, body) = app.post_json(kind, &rows).await;
            assert_eq!(status, 200, "{kind}: {body}");
        }
    };
    post("teams", json!([{"slug": "payments", "name": "Payments"}])).await;
    post("services", json!([{"slug": "checkout", "name": "Checkout", "tier": 0, "team": "payments"}])).await;
    post(
        "slos",
        json!([{"service": "checkout", "slug": "availability", "name": "Availability",
                "indicator": "availability", "objective": 99.0, "window_days": 28}]),
    )
    .await;
    let start = versions(&app, &figures).await;

    // Today's measurement: only the running quarter.
    post(
        "slo-measurements",
        json!([{"service": "checkout", "slo": "availability", "day": "2026-11-20",
                                     "good": 990, "total": 1000}]),
    )
    .await;
    let after_today = versions(&app, &figures).await;
    assert_eq!(moved(start, after_today), ["Q4"]);

    // An incident in May: Q2 and every later quarter (later repeats look back at it), not Q1.
    let incident = json!([{"external_id": "INC-1", "title": "Down", "severity": "SEV1", "services": ["checkout"],
                           "started_at": "2026-05-10T10:00:00Z", "mitigated_at": "2026-05-10T11:00:00Z"}]);
    post("incidents", incident.clone()).await;
    let after_incident = versions(&app, &figures).await;
    assert_eq!(moved(after_today, after_incident), ["Q2", "Q3", "Q4"]);

    // The same rows again change nothing: no quarter moves.
    post("incidents", incident).await;
    assert_eq!(moved(after_incident, versions(&app, &figures).await), Vec::<&str>::new());

    // An action due in November following up the May incident reaches back to the incident.
    post(
        "actions",
        json!([{"external_id": "ACT-1", "incident": "INC-1", "service": "checkout",
                            "title": "Fix", "due_date": "2026-11-01", "status": "open"}]),
    )
    .await;
    let after_action = versions(&app, &figures).await;
    assert_eq!(moved(after_incident, after_action), ["Q2", "Q3", "Q4"]);

    // Moving the incident from May to August: its old values reach May, so Q2 moves too.
    post(
        "incidents",
        json!([{"external_id": "INC-1", "title": "Down", "severity": "SEV1",
                              "services": ["checkout"], "started_at": "2026-08-10T10:00:00Z"}]),
    )
    .await;
    let after_move = versions(&app, &figures).await;
    assert_eq!(moved(after_action, after_move), ["Q2", "Q3", "Q4"]);

    // A DR test in Q3: Q3 and Q4.
    post(
        "dr-tests",
        json!([{"external_id": "DR-1", "service": "checkout", "scenario": "failover",
                             "performed_at": "2026-08-01T09:00:00Z", "outcome": "pass"}]),
    )
    .await;
    let after_dr = versions(&app, &figures).await;
    assert_eq!(moved(after_move, after_dr), ["Q3", "Q4"]);

    // The catalog is read by every period.
    post("services", json!([{"slug": "search", "name": "Search", "tier": 1, "team": "payments"}])).await;
    assert_eq!(moved(after_dr, versions(&app, &figures).await), ["Q1", "Q2", "Q3", "Q4"]);
    app.cleanup().await;
}

#[tokio::test]
async fn an_import_moves_only_the_periods_its_records_reach_on_postgres() {
    an_import_moves_only_the_periods_its_records_reach(Backend::Postgres).await;
}

#[tokio::test]
async fn an_import_moves_only_the_periods_its_records_reach_on_sqlite() {
    an_import_moves_only_the_periods_its_records_reach(Backend::Sqlite).await;
}

async fn page(app: &TestApp, path: &str) -> String {
    page_at(app, &app.base, path).await
}

/// A page's HTML from the server at `base` (the test's own, or a replica of it).
pub async fn page_at(app: &TestApp, base: &str, path: &str) -> String {
    let response = app.client.get(format!("{base}{path}")).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.text().await.expect("html").replace("<!>", "")
}

/// The overview's count of SEV0–1 incidents, as its headline card shows it.
pub fn high_sev(html: &str) -> String {
    let at = html.find("data-kpi=\"high_sev_count\"").expect("headline card");
    let card = &html[at..at + html[at..].find("</li>").expect("card end")];
    let value = &card[card.find("class=\"kpi-value\"").expect("value")..];
    let start = value.find('>').map_or(0, |i| i + 1);
    let text: String = value[start..].chars().take_while(|c| *c != '<').collect();
    text.trim().to_owned()
}

async fn a_page_is_served_the_last_figures_while_newer_ones_are_computed(backend: Backend) {
    let app = spawn_app(backend).await;
    crate::kpis::load(&app).await;
    let first = page(&app, "/?period=2026-Q3").await;
    assert!(!first.contains("data-testid=\"recomputing\""), "computed for this request");
    let before = high_sev(&first);
    let team_before = high_sev(&page(&app, "/teams/discovery?period=2026-Q3").await);

    // A measurement of a later day cannot move 2026-Q3: its figures stay current.
    let later = json!([{"service": "checkout", "slo": "availability", "day": "2026-11-02", "good": 1, "total": 1}]);
    assert_eq!(app.post_json("slo-measurements", &later).await.0, 200);
    let still = page(&app, "/?period=2026-Q3").await;
    assert!(!still.contains("data-testid=\"recomputing\""), "a later day leaves the quarter's figures valid");

    // A late SEV1 in the quarter: the next reader gets the last figures at once, told newer
    // ones are coming; the REST API answers with current figures; the page catches up.
    let late = json!([{"external_id": "INC-LATE", "title": "Late", "severity": "SEV1", "services": ["search"],
                       "started_at": "2026-08-20T00:00:00Z"}]);
    assert_eq!(app.post_json("incidents", &late).await.0, 200);
    let served = page(&app, "/?period=2026-Q3").await;
    assert!(served.contains("data-testid=\"recomputing\""), "the page says newer figures are coming");
    assert_eq!(high_sev(&served), before, "the last figures, served at once");
    let (_, api) = app.get("/api/v1/kpis?period=2026-Q3&scope=org").await;
    assert_eq!(api["kpis"]["high_sev_count"], 2, "the API answers with current figures");
    let caught_up = eventually("the overview shows the late incident", || async {
        let html = page(&app, "/?period=2026-Q3").await;
        (high_sev(&html) != before).then_some(html)
    })
    .await;
    assert_eq!(high_sev(&caught_up), "2");
    assert!(!caught_up.contains("data-testid=\"recomputing\""));
    // The team page's sections, kept as rendered HTML, are rendered again from the new figures.
    let (_, team_api) = app.get("/api/v1/kpis?period=2026-Q3&scope=team:discovery").await;
    let team_now = team_api["kpis"]["high_sev_count"].to_string();
    assert_ne!(team_now, team_before, "the late SEV1 is discovery's");
    eventually("the team page shows the late incident", || async {
        let html = page(&app, "/teams/discovery?period=2026-Q3").await;
        (high_sev(&html) == team_now).then_some(())
    })
    .await;
    app.cleanup().await;
}

#[tokio::test]
async fn a_page_is_served_the_last_figures_while_newer_ones_are_computed_on_postgres() {
    a_page_is_served_the_last_figures_while_newer_ones_are_computed(Backend::Postgres).await;
}

#[tokio::test]
async fn a_page_is_served_the_last_figures_while_newer_ones_are_computed_on_sqlite() {
    a_page_is_served_the_last_figures_while_newer_ones_are_computed(Backend::Sqlite).await;
}

/// Background recomputes query through a pool whose sessions use no parallel workers, so a
/// recompute keeps at most one database core busy while pages are served.
#[tokio::test]
async fn background_recomputes_query_without_parallel_workers_on_postgres() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app(Backend::Postgres).await;
    let setting = |db: sea_orm::DatabaseConnection| async move {
        let sql = "SELECT current_setting('max_parallel_workers_per_gather') AS workers";
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("query")
            .expect("a row");
        row.try_get::<String>("", "workers").expect("workers")
    };
    let background = server::db::connect_background(&app.database, &app.db).await;
    assert_eq!(setting(background).await, "0");
    assert_ne!(setting(app.db.clone()).await, "0", "requests keep the server's default");
    app.cleanup().await;
}

/// A page asking for figures nobody has computed yet (a team first opened after an import) gets
/// them computed from the period's last load, served as outdated, and never cached as current:
/// the background recompute replaces them (before, they were cached under the current version
/// and kept the import out of the team's figures).
async fn a_figure_first_asked_for_after_an_import_is_served_from_the_last_load(backend: Backend) {
    use app::domain::kpi::Scope;
    use app::domain::records::Slug;
    let app = spawn_app(backend).await;
    crate::kpis::load(&app).await;
    // A cache of the test's own, so no job of the app's server loads the period meanwhile.
    let policy = Policy::default_policy().expect("policy");
    let figures = Figures::new(app.db.clone(), policy, ReportingCalendar::default()).serving_last();
    let (q3, now) = (quarter("2026-Q3"), chrono::Utc::now());
    let org = figures.for_one_page();
    org.summary(q3, &Scope::Org, now).await.expect("org summary");
    assert!(!org.served_outdated(), "the first summary is computed, loading the quarter");

    let late = json!([{"external_id": "INC-LATE", "title": "Late", "severity": "SEV1", "services": ["search"],
                       "started_at": "2026-08-20T00:00:00Z"}]);
    assert_eq!(app.post_json("incidents", &late).await.0, 200);
    let discovery = Scope::Team(Slug::parse("discovery").expect("slug"));
    let page = figures.for_one_page();
    let served = page.summary(q3, &discovery, now).await.expect("team summary");
    assert!(page.served_outdated(), "computed from the last load, and the page says so");
    let before = served.kpis.high_sev_count;

    let caught_up = eventually("the team's figures are recomputed with the late incident", || async {
        let page = figures.for_one_page();
        let summary = page.summary(q3, &discovery, now).await.expect("team summary");
        (!page.served_outdated()).then_some(summary)
    })
    .await;
    assert_eq!(caught_up.kpis.high_sev_count, before + 1, "the outdated figures were replaced, not kept as current");
    app.cleanup().await;
}

#[tokio::test]
async fn a_figure_first_asked_for_after_an_import_is_served_from_the_last_load_on_postgres() {
    a_figure_first_asked_for_after_an_import_is_served_from_the_last_load(Backend::Postgres).await;
}

#[tokio::test]
async fn a_figure_first_asked_for_after_an_import_is_served_from_the_last_load_on_sqlite() {
    a_figure_first_asked_for_after_an_import_is_served_from_the_last_load(Backend::Sqlite).await;
}

/// A team's trend is taken from each earlier period's roll-up of every team (kept once for all
/// teams, so a team first opened loads nothing for its trend): it must say exactly what the
/// team's own KPI report of that period says, as the organisation's trend does.
async fn a_trend_says_what_the_scopes_own_reports_say(backend: Backend) {
    use app::domain::kpi::{Scope, SeverityFilter};
    use app::domain::records::Slug;
    use server::kpis::KpiQuery;
    let app = spawn_app(backend).await;
    crate::kpis::load(&app).await;
    let policy = Policy::default_policy().expect("policy");
    let figures = Figures::new(app.db.clone(), policy, ReportingCalendar::default());
    let now = chrono::Utc::now();
    let teams = ["payments", "discovery"].map(|team| Scope::Team(Slug::parse(team).expect("slug")));
    for scope in [Scope::Org, teams[0].clone(), teams[1].clone()] {
        let team = scope.to_string();
        let summary = figures.summary(quarter("2026-Q4"), &scope, now).await.expect("team summary");
        let with_values = summary.trend.iter().filter(|(_, values)| values.is_some()).count();
        assert!(with_values >= 3, "{team}: Q2, Q3 and the running Q4 have figures: {:?}", summary.trend);
        for (period, values) in &summary.trend[..summary.trend.len() - 1] {
            if period.end() <= quarter("2026-Q2").start() {
                assert!(values.is_none(), "{team} {period}: before the first record, no data");
                continue;
            }
            let query = KpiQuery { period: *period, scope: scope.clone(), severity: SeverityFilter::HIGH };
            let own = figures.kpis(&query, now).await.map(|report| report.kpis.clone()).ok();
            assert_eq!(
                serde_json::to_value(values).expect("json"),
                serde_json::to_value(own).expect("json"),
                "{team} {period}"
            );
        }
    }
    app.cleanup().await;
}

#[tokio::test]
async fn a_trend_says_what_the_scopes_own_reports_say_on_postgres() {
    a_trend_says_what_the_scopes_own_reports_say(Backend::Postgres).await;
}

#[tokio::test]
async fn a_trend_says_what_the_scopes_own_reports_say_on_sqlite() {
    a_trend_says_what_the_scopes_own_reports_say(Backend::Sqlite).await;
}
