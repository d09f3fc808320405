//! Names and wording: the hand-made small organisation, the building blocks of the large one,
//! and the text of incidents, actions and DR test notes.

use super::org::Health::{self, Exemplary, Steady, Struggling};

pub(super) struct ServiceSpec {
    pub slug: &'static str,
    pub name: &'static str,
    pub tier: u8,
    pub health: Health,
    pub retired: bool,
}

const fn svc(slug: &'static str, name: &'static str, tier: u8, health: Health) -> ServiceSpec {
    ServiceSpec { slug, name, tier, health, retired: false }
}

const fn retired(slug: &'static str, name: &'static str, tier: u8) -> ServiceSpec {
    ServiceSpec { slug, name, tier, health: Steady, retired: true }
}

pub(super) struct TeamSpec {
    pub slug: &'static str,
    pub name: &'static str,
    pub services: [ServiceSpec; 5],
}

/// The small organisation: 8 teams, 40 services (4 tier-0, 11 tier-1, 13 tier-2, 12 tier-3).
/// The story: checkout-api and search-indexer are struggling; payments-gateway and auth-api
/// are the teams' pride; three old services have been retired along the way.
pub(super) static SMALL_TEAMS: [TeamSpec; 8] = [
    TeamSpec {
        slug: "payments",
        name: "Payments",
        services: [
            svc("payments-gateway", "Payments Gateway", 0, Exemplary),
            svc("payments-ledger", "Payments Ledger", 1, Steady),
            svc("fraud-scoring", "Fraud Scoring", 1, Steady),
            svc("refunds", "Refunds", 2, Steady),
            svc("payout-scheduler", "Payout Scheduler", 3, Steady),
        ],
    },
    TeamSpec {
        slug: "identity",
        name: "Identity & Access",
        services: [
            svc("auth-api", "Authentication API", 0, Exemplary),
            svc("session-store", "Session Store", 1, Steady),
            svc("user-profile", "User Profile", 2, Steady),
            svc("sso-bridge", "SSO Bridge", 2, Steady),
            retired("legacy-login", "Legacy Login", 3),
        ],
    },
    TeamSpec {
        slug: "search",
        name: "Search & Discovery",
        services: [
            svc("search-api", "Search API", 1, Steady),
            svc("search-indexer", "Search Indexer", 1, Struggling),
            svc("recommendations", "Recommendations", 2, Steady),
            svc("autocomplete", "Autocomplete", 2, Steady),
            svc("catalog-sync", "Catalog Sync", 3, Steady),
        ],
    },
    TeamSpec {
        slug: "checkout",
        name: "Checkout",
        services: [
            svc("checkout-api", "Checkout API", 0, Struggling),
            svc("cart", "Cart", 1, Steady),
            svc("pricing-engine", "Pricing Engine", 1, Steady),
            svc("promotions", "Promotions", 2, Steady),
            svc("tax-calculator", "Tax Calculator", 3, Steady),
        ],
    },
    TeamSpec {
        slug: "platform",
        name: "Core Platform",
        services: [
            svc("api-gateway", "API Gateway", 0, Steady),
            svc("service-mesh", "Service Mesh", 1, Steady),
            svc("config-service", "Config Service", 2, Steady),
            svc("feature-flags", "Feature Flags", 2, Steady),
            svc("build-runners", "Build Runners", 3, Steady),
        ],
    },
    TeamSpec {
        slug: "data",
        name: "Data Platform",
        services: [
            svc("event-pipeline", "Event Pipeline", 1, Steady),
            svc("warehouse-loader", "Warehouse Loader", 2, Steady),
            svc("reporting-api", "Reporting API", 3, Steady),
            svc("metrics-exporter", "Metrics Exporter", 3, Steady),
            retired("batch-scheduler", "Batch Scheduler", 3),
        ],
    },
    TeamSpec {
        slug: "notifications",
        name: "Notifications",
        services: [
            svc("webhook-dispatcher", "Webhook Dispatcher", 1, Steady),
            svc("email-sender", "Email Sender", 2, Steady),
            svc("push-gateway", "Push Gateway", 2, Steady),
            svc("sms-relay", "SMS Relay", 3, Steady),
            svc("notification-preferences", "Notification Preferences", 3, Steady),
        ],
    },
    TeamSpec {
        slug: "storefront",
        name: "Storefront",
        services: [
            svc("web-frontend", "Web Frontend", 1, Steady),
            svc("mobile-bff", "Mobile BFF", 2, Steady),
            svc("reviews", "Reviews", 2, Steady),
            svc("image-resizer", "Image Resizer", 3, Steady),
            retired("store-locator", "Store Locator", 3),
        ],
    },
];

/// Business domains of the large organisation; each has one team per qualifier.
pub(super) const DOMAINS: [(&str, &str); 25] = [
    ("payments", "Payments"),
    ("identity", "Identity"),
    ("search", "Search"),
    ("checkout", "Checkout"),
    ("platform", "Platform"),
    ("data", "Data"),
    ("notifications", "Notifications"),
    ("storefront", "Storefront"),
    ("logistics", "Logistics"),
    ("inventory", "Inventory"),
    ("billing", "Billing"),
    ("messaging", "Messaging"),
    ("analytics", "Analytics"),
    ("media", "Media"),
    ("security", "Security"),
    ("support", "Customer Support"),
    ("marketing", "Marketing"),
    ("partners", "Partners"),
    ("mobile", "Mobile"),
    ("growth", "Growth"),
    ("compliance", "Compliance"),
    ("maps", "Maps"),
    ("ads", "Ads"),
    ("content", "Content"),
    ("observability", "Observability"),
];

pub(super) const QUALIFIERS: [(&str, &str); 4] =
    [("core", "Core"), ("platform", "Platform"), ("experience", "Experience"), ("insights", "Insights")];

/// Regions of the extra-large organisation: each has the large organisation's 100 teams.
pub(super) const REGIONS: [(&str, &str); 5] =
    [("emea", "EMEA"), ("amer", "Americas"), ("apac", "APAC"), ("latam", "LatAm"), ("anz", "ANZ")];

/// Service components; a large team runs a random 20 of them.
pub(super) const COMPONENTS: [(&str, &str); 32] = [
    ("api", "API"),
    ("worker", "Worker"),
    ("gateway", "Gateway"),
    ("scheduler", "Scheduler"),
    ("indexer", "Indexer"),
    ("store", "Store"),
    ("cache", "Cache"),
    ("sync", "Sync"),
    ("exporter", "Exporter"),
    ("importer", "Importer"),
    ("router", "Router"),
    ("ledger", "Ledger"),
    ("auth", "Auth"),
    ("notifier", "Notifier"),
    ("webhooks", "Webhooks"),
    ("reports", "Reports"),
    ("admin", "Admin"),
    ("search", "Search"),
    ("pipeline", "Pipeline"),
    ("stream", "Stream Processor"),
    ("batch", "Batch Jobs"),
    ("console", "Console"),
    ("bff", "BFF"),
    ("proxy", "Proxy"),
    ("events", "Events"),
    ("config", "Config"),
    ("adapter", "Adapter"),
    ("reconciler", "Reconciler"),
    ("auditor", "Auditor"),
    ("archiver", "Archiver"),
    ("replicator", "Replicator"),
    ("planner", "Planner"),
];

pub(super) const FIRST_NAMES: [&str; 20] = [
    "alex", "sam", "priya", "jordan", "mei", "lucas", "fatima", "noah", "elena", "kofi", "hana", "mateo", "aisha",
    "oliver", "yuki", "ines", "david", "zara", "tomas", "leila",
];

pub(super) const LAST_NAMES: [&str; 20] = [
    "kim", "patel", "garcia", "nguyen", "okafor", "schmidt", "rossi", "tanaka", "silva", "cohen", "novak", "haddad",
    "larsen", "dubois", "mensah", "kowalski", "ortiz", "chen", "murphy", "ali",
];

fn fill(template: &str, service: &str) -> String {
    template.replace("{svc}", service)
}

/// An incident title for a root cause; `variant` picks one of a few phrasings.
pub(super) fn incident_title(root_cause: Option<&str>, variant: usize, service: &str) -> String {
    let templates: [&str; 3] = match root_cause {
        Some("deploy") => [
            "Elevated 5xx errors on {svc} after release",
            "{svc} release broke request routing",
            "Schema migration locked {svc} tables",
        ],
        Some("config") => [
            "Config push disabled {svc} endpoints",
            "Expired TLS certificate on {svc}",
            "Feature flag misfire degraded {svc}",
        ],
        Some("capacity") => [
            "{svc} saturated during traffic spike",
            "Connection pool exhaustion in {svc}",
            "{svc} queue backlog growing",
        ],
        Some("dependency") => [
            "{svc} degraded by upstream timeouts",
            "DNS resolution failures affecting {svc}",
            "Third-party provider outage impacted {svc}",
        ],
        Some("hardware") => [
            "Disk failure on {svc} primary node",
            "Network partition in {svc} availability zone",
            "Host reboot loop in {svc} cluster",
        ],
        _ => ["Intermittent errors on {svc}", "Latency spike on {svc}", "{svc} health checks flapping"],
    };
    fill(templates[variant % templates.len()], service)
}

/// A follow-up action title for a root cause; `variant` picks one of a few phrasings.
pub(super) fn action_title(root_cause: Option<&str>, variant: usize, service: &str) -> String {
    let templates: [&str; 4] = match root_cause {
        Some("deploy") => [
            "Add automated canary analysis to {svc} deploys",
            "Require staged rollout for {svc} schema changes",
            "Write a rollback runbook for {svc}",
            "Block {svc} deploys when error budget is exhausted",
        ],
        Some("config") => [
            "Validate {svc} configuration changes in CI",
            "Add peer review to {svc} config changes",
            "Alert on certificate expiry for {svc}",
            "Alert on config drift for {svc}",
        ],
        Some("capacity") => [
            "Load test {svc} at twice the observed peak",
            "Add autoscaling headroom alert for {svc}",
            "Raise connection pool limits for {svc}",
            "Shed low-priority traffic in {svc} under load",
        ],
        Some("dependency") => [
            "Add a circuit breaker around {svc} upstream calls",
            "Set timeouts and a retry budget for {svc} clients",
            "Document and test {svc} dependency fallbacks",
            "Cache upstream responses in {svc}",
        ],
        Some("hardware") => [
            "Replace ageing nodes behind {svc}",
            "Spread {svc} replicas across zones",
            "Automate disk health checks for {svc}",
            "Rehearse node loss for {svc}",
        ],
        _ => [
            "Improve {svc} logging around the failure path",
            "Add missing dashboards for {svc}",
            "Update the {svc} on-call runbook",
            "Add an alert for the early symptom seen on {svc}",
        ],
    };
    fill(templates[variant % templates.len()], service)
}

/// What went wrong in a DR test that did not fully pass.
pub(super) fn dr_problem(scenario: &str, variant: usize) -> &'static str {
    let problems: [&str; 3] = match scenario {
        "failover" => [
            "Replica promotion took longer than the RTO",
            "DNS TTL delayed the traffic shift",
            "Health checks did not mark the old primary down",
        ],
        "restore" => [
            "Restore from snapshot exceeded the RTO",
            "Backup was missing the last two hours of writes",
            "Restore runbook referenced a decommissioned bucket",
        ],
        "backup_verification" => [
            "Checksum mismatch in the nightly backup",
            "Backup job silently skipped a shard",
            "Backup retention shorter than policy",
        ],
        "region_evacuation" => [
            "Secondary region lacked capacity for peak traffic",
            "Client config hard-codes the primary region endpoint",
            "Queue consumers did not follow the evacuation",
        ],
        _ => ["Test aborted by the operator", "Monitoring gap during the test", "Runbook out of date"],
    };
    problems[variant % problems.len()]
}
