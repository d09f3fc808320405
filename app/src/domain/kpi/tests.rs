use super::*;
use crate::domain::kpi::incidents::tests::incident;
use crate::domain::kpi::period::tests::{q, utc};
use crate::domain::kpi::scope::tests::{service, slug};
use crate::domain::records::{ActionStatus, DeploymentOutcome, DrOutcome, Severity, Slug};
use proptest::prelude::*;

pub(crate) fn dataset() -> Dataset {
    let services = vec![
        service("checkout", "payments", 0, true),
        service("ledger", "payments", 1, true),
        service("search", "discovery", 1, true),
        service("legacy", "discovery", 2, false),
    ];
    let mut both = incident("both", Severity::Sev0, "2026-07-10T00:00:00Z");
    both.services = vec![slug("checkout"), slug("ledger")];
    let mut search = incident("search-1", Severity::Sev1, "2026-08-10T00:00:00Z");
    search.services = vec![slug("search")];
    let mut cross = incident("cross", Severity::Sev2, "2026-09-10T00:00:00Z");
    cross.services = vec![slug("ledger"), slug("search")];
    Dataset {
        services,
        incidents: vec![both, search, cross],
        actions: vec![Action {
            id: "act".into(),
            service: slug("ledger"),
            incident: Some("both".into()),
            incident_started_at: Some(utc("2026-07-10T00:00:00Z")),
            due_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 8, 1).unwrap()),
            status: ActionStatus::Done,
            completed_at: Some(utc("2026-07-30T00:00:00Z")),
        }],
        dr_tests: vec![DrTest {
            id: "dr".into(),
            service: slug("checkout"),
            performed_at: utc("2026-09-01T00:00:00Z"),
            outcome: DrOutcome::Pass,
            rto_target_minutes: Some(60),
            rto_achieved_minutes: Some(30),
            rpo_target_minutes: None,
            rpo_achieved_minutes: None,
        }],
        deployments: vec![Deployment {
            id: "d".into(),
            service: slug("search"),
            deployed_at: utc("2026-07-01T00:00:00Z"),
            outcome: DeploymentOutcome::Success,
            incident: None,
        }],
        ..Dataset::default()
    }
}

#[test]
fn kpi_ids_round_trip_and_are_unique() {
    for id in KpiId::ALL {
        assert_eq!(KpiId::parse(id.as_str()), Some(id));
    }
    let mut names: Vec<&str> = KpiId::ALL.iter().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), KpiId::ALL.len());
    assert_eq!(KpiId::parse("nope"), None);
}

#[test]
fn a_team_scope_counts_an_incident_on_two_of_its_services_once() {
    let data = dataset();
    let now = utc("2027-01-01T00:00:00Z");
    let p = q("2026-Q3");
    let payments = compute_kpis(&p, now, &data.scoped(&Scope::Team(slug("payments"))), SeverityFilter::HIGH);
    assert_eq!(payments.high_sev_count, 1);
    assert_eq!(payments.incident_count[&Severity::Sev2], 1);
    assert_eq!(payments.action_on_time_rate, Some(1.0));
    // checkout covered by a DR pass, ledger not.
    assert_eq!(payments.dr_coverage, Some(0.5));
    assert_eq!(payments.deployment_frequency, None);
    let org = compute_kpis(&p, now, &data.scoped(&Scope::Org), SeverityFilter::HIGH);
    assert_eq!(org.high_sev_count, 2);
    assert_eq!(org.incident_count.values().sum::<u64>(), 3);
    assert_eq!(org.rto_compliance, Some(1.0));
    assert_eq!(org.rpo_compliance, None);
    // checkout of checkout, ledger, search (legacy is retired and tier 2).
    assert_eq!(org.dr_coverage, Some(1.0 / 3.0));
    let tier2 = compute_kpis(&p, now, &data.scoped(&Scope::Tier(2)), SeverityFilter::HIGH);
    assert_eq!(tier2.high_sev_count, 0);
    assert_eq!(tier2.dr_coverage, None);
    assert_eq!(tier2.slo_met_rate, None);
}

#[test]
fn the_kpi_values_serialize_with_the_api_keys_and_null_for_no_data() {
    let data = dataset();
    let values =
        compute_kpis(&q("2026-Q3"), utc("2027-01-01T00:00:00Z"), &data.scoped(&Scope::Org), SeverityFilter::HIGH);
    let json = serde_json::to_value(&values).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "slo_met_rate",
        "budget_exhausted_count",
        "slo_coverage",
        "high_sev_count",
        "incident_count",
        "customer_impact_minutes",
        "mttd",
        "mtta",
        "mttr",
        "impact_duration",
        "time_to_resolve",
        "repeat_incident_rate",
        "postmortem_coverage",
        "action_on_time_rate",
        "overdue_actions",
        "dr_pass_rate",
        "rto_compliance",
        "rpo_compliance",
        "dr_coverage",
        "change_failure_rate",
        "deployment_frequency",
        "data_quality",
    ] {
        assert!(keys.contains(&key), "missing {key}");
    }
    assert!(json["mttd"].is_null());
    assert!(json["slo_met_rate"].is_null());
    assert_eq!(json["incident_count"]["SEV0"], 1);
    assert_eq!(json["overdue_actions"]["days_31_90"], 0);
}

fn team_of(i: usize) -> String {
    format!("team-{}", i % 3)
}

proptest! {
    #[test]
    fn the_org_high_sev_count_is_the_sum_over_teams_when_no_incident_spans_teams(
        incidents in prop::collection::vec((0usize..9, 0usize..3, 0i16..5, 0i64..120), 0..40)
    ) {
        // Nine services, three per team (service k belongs to team k mod 3).
        let services: Vec<Service> =
            (0..9).map(|k| service(&format!("svc-{k}"), &team_of(k), (k % 4) as i64, true)).collect();
        let incidents: Vec<Incident> = incidents
            .into_iter()
            .enumerate()
            .map(|(n, (svc, extra, level, day))| {
                let mut i = incident(&format!("inc-{n}"), Severity::from_level(level).unwrap(), "2026-06-01T00:00:00Z");
                i.started_at += chrono::TimeDelta::days(day);
                // A second service of the same team (possibly the same one again).
                let sibling = (svc + 3 * extra) % 9;
                i.services = vec![slug(&format!("svc-{svc}")), slug(&format!("svc-{sibling}"))];
                i
            })
            .collect();
        let data = Dataset { services, incidents, ..Dataset::default() };
        let p = q("2026-Q3");
        let org = high_sev_count(&p, &data.scoped(&Scope::Org).incidents);
        let by_team: u64 = (0..3)
            .map(|t| high_sev_count(&p, &data.scoped(&Scope::Team(Slug::parse(&team_of(t)).unwrap())).incidents))
            .sum();
        prop_assert_eq!(org, by_team);
    }
}
