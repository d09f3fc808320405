//! Scopes (docs/kpis.md): a service, a team (its services), a tier, or the organisation, and the
//! pure filter that narrows a population to one. A record belongs to a scope when any service it
//! names does; each record is kept at most once, so an incident touching two services of a team
//! counts once for that team.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::records::{Slug, Tier};

/// A service as the KPIs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub slug: Slug,
    pub team: Slug,
    pub tier: Tier,
    /// Lifecycle `active` (retired services are left out of coverage KPIs).
    pub active: bool,
    /// Its recovery time objective, in minutes, when declared (`recovery.rs`).
    pub rto_target_minutes: Option<i64>,
    /// Its recovery point objective, in minutes of data, when declared.
    pub rpo_target_minutes: Option<i64>,
}

impl Service {
    /// Active and of tier 0 or 1: the services coverage KPIs count.
    pub fn is_critical_and_active(&self) -> bool {
        self.active && self.tier.value() <= 1
    }
}

/// Why a scope could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a scope like org, team:SLUG, service:SLUG or tier:N (0–3), got {0:?}")]
pub struct ScopeError(pub String);

/// What a KPI value is computed for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Org,
    Team(Slug),
    Service(Slug),
    /// A service tier, 0–3.
    Tier(u8),
}

impl Scope {
    /// Parses `org`, `team:SLUG`, `service:SLUG` or `tier:N`.
    pub fn parse(text: &str) -> Result<Self, ScopeError> {
        let text = text.trim();
        let error = || ScopeError(text.to_owned());
        if text == "org" {
            return Ok(Scope::Org);
        }
        let (kind, value) = text.split_once(':').ok_or_else(error)?;
        match kind {
            "team" => Slug::parse(value).map(Scope::Team).map_err(|_| error()),
            "service" => Slug::parse(value).map(Scope::Service).map_err(|_| error()),
            "tier" => {
                let valid = value.len() == 1 && value.bytes().all(|b| b.is_ascii_digit());
                let tier: u8 = if valid { value.parse().map_err(|_| error())? } else { return Err(error()) };
                Tier::new(i64::from(tier)).map(|t| Scope::Tier(t.value())).map_err(|_| error())
            }
            _ => Err(error()),
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Org => f.write_str("org"),
            Scope::Team(slug) => write!(f, "team:{slug}"),
            Scope::Service(slug) => write!(f, "service:{slug}"),
            Scope::Tier(tier) => write!(f, "tier:{tier}"),
        }
    }
}

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A record that names one or more services.
pub trait ServiceRecord {
    fn service_slugs(&self) -> &[Slug];
}

impl ServiceRecord for Service {
    fn service_slugs(&self) -> &[Slug] {
        std::slice::from_ref(&self.slug)
    }
}

impl<T: ServiceRecord + ?Sized> ServiceRecord for &T {
    fn service_slugs(&self) -> &[Slug] {
        (**self).service_slugs()
    }
}

/// Service → (team, tier), to decide scope membership.
#[derive(Debug, Clone, Default)]
pub struct ServiceDirectory {
    services: HashMap<Slug, (Slug, u8)>,
}

impl ServiceDirectory {
    pub fn new<'a>(services: impl IntoIterator<Item = &'a Service>) -> Self {
        ServiceDirectory {
            services: services.into_iter().map(|s| (s.slug.clone(), (s.team.clone(), s.tier.value()))).collect(),
        }
    }

    /// Whether a service is in a scope. Every service (even an unknown one) is in the org;
    /// an unknown service is in no team or tier.
    pub fn contains(&self, scope: &Scope, service: &Slug) -> bool {
        match scope {
            Scope::Org => true,
            Scope::Service(slug) => slug == service,
            Scope::Team(team) => self.services.get(service).is_some_and(|(t, _)| t == team),
            Scope::Tier(tier) => self.services.get(service).is_some_and(|(_, t)| t == tier),
        }
    }

    /// Whether a record names at least one service of the scope.
    pub fn record_in_scope<R: ServiceRecord + ?Sized>(&self, scope: &Scope, record: &R) -> bool {
        matches!(scope, Scope::Org) || record.service_slugs().iter().any(|s| self.contains(scope, s))
    }

    /// The teams owning the services a record names, each once.
    pub fn teams_of<'s, R: ServiceRecord + ?Sized>(&'s self, record: &R) -> Vec<&'s Slug> {
        let mut teams: Vec<&Slug> =
            record.service_slugs().iter().filter_map(|s| self.services.get(s).map(|(team, _)| team)).collect();
        teams.sort_unstable();
        teams.dedup();
        teams
    }

    /// The teams a scope reaches (`None`: every team): a team's own, a service's owner, or the
    /// owners of a tier's services. Team-level records (on-call shifts) are scoped by it.
    pub fn teams_in_scope<'s>(&'s self, scope: &'s Scope) -> Option<std::collections::HashSet<&'s Slug>> {
        match scope {
            Scope::Org => None,
            Scope::Team(team) => Some(std::iter::once(team).collect()),
            Scope::Service(slug) => Some(self.services.get(slug).map(|(team, _)| team).into_iter().collect()),
            Scope::Tier(tier) => {
                Some(self.services.values().filter(|(_, t)| t == tier).map(|(team, _)| team).collect())
            }
        }
    }

    /// The team owning a service, if the service is known.
    pub fn team_of(&self, service: &Slug) -> Option<&Slug> {
        self.services.get(service).map(|(team, _)| team)
    }

    /// The records of a population that belong to a scope, each once, in their original order.
    pub fn filter<'a, R: ServiceRecord>(&self, scope: &Scope, records: &'a [R]) -> Vec<&'a R> {
        records.iter().filter(|r| self.record_in_scope(scope, *r)).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn slug(text: &str) -> Slug {
        Slug::parse(text).unwrap()
    }

    pub(crate) fn service(name: &str, team: &str, tier: i64, active: bool) -> Service {
        Service {
            slug: slug(name),
            team: slug(team),
            tier: Tier::new(tier).unwrap(),
            active,
            rto_target_minutes: None,
            rpo_target_minutes: None,
        }
    }

    struct Named(Vec<Slug>);
    impl ServiceRecord for Named {
        fn service_slugs(&self) -> &[Slug] {
            &self.0
        }
    }

    #[test]
    fn scopes_parse_and_print_in_the_api_form() {
        for text in ["org", "team:payments", "service:checkout-api", "tier:0", "tier:3"] {
            assert_eq!(Scope::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Scope::parse("tier:1").unwrap(), Scope::Tier(1));
        for bad in ["", "Org", "team:", "team:Bad Slug", "tier:4", "tier:-1", "tier:01", "group:x", "service"] {
            assert!(Scope::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn an_incident_touching_two_services_of_a_team_is_kept_once() {
        let services = [service("a", "red", 0, true), service("b", "red", 1, true), service("c", "blue", 1, true)];
        let dir = ServiceDirectory::new(&services);
        let records = [Named(vec![slug("a"), slug("b")]), Named(vec![slug("c")]), Named(vec![slug("b"), slug("c")])];
        assert_eq!(dir.filter(&Scope::Team(slug("red")), &records).len(), 2);
        assert_eq!(dir.filter(&Scope::Team(slug("blue")), &records).len(), 2);
        assert_eq!(dir.filter(&Scope::Org, &records).len(), 3);
        assert_eq!(dir.filter(&Scope::Tier(1), &records).len(), 3);
        assert_eq!(dir.filter(&Scope::Tier(0), &records).len(), 1);
        assert_eq!(dir.filter(&Scope::Service(slug("c")), &records).len(), 2);
    }

    #[test]
    fn an_unknown_service_is_only_in_the_org_and_its_own_scope() {
        let dir = ServiceDirectory::new(&[service("a", "red", 0, true)]);
        let ghost = slug("ghost");
        assert!(dir.contains(&Scope::Org, &ghost));
        assert!(dir.contains(&Scope::Service(slug("ghost")), &ghost));
        assert!(!dir.contains(&Scope::Team(slug("red")), &ghost));
        assert!(!dir.contains(&Scope::Tier(0), &ghost));
    }
}
