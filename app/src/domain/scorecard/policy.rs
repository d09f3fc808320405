//! The scorecard policy (docs/scorecard-policy.md): versioned data naming the checks of each level with a
//! threshold per tier. Parsed from TOML and validated into typed thresholds, so evaluation
//! never meets a malformed value.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::records::Slug;

/// The policy shipped with Plumbline.
pub const DEFAULT_POLICY_TOML: &str = include_str!("../../../policy/default.toml");

/// A scorecard level; `Bronze < Silver < Gold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Bronze,
    Silver,
    Gold,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Bronze, Level::Silver, Level::Gold];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Bronze => "bronze",
            Level::Silver => "silver",
            Level::Gold => "gold",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// "Bronze", "Silver", "Gold".
    pub fn label(self) -> &'static str {
        match self {
            Level::Bronze => "Bronze",
            Level::Silver => "Silver",
            Level::Gold => "Gold",
        }
    }

    /// How many levels a failing check of this level keeps out of reach (Bronze 3 … Gold 1).
    pub fn levels_blocked(self) -> u8 {
        match self {
            Level::Bronze => 3,
            Level::Silver => 2,
            Level::Gold => 1,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a threshold measures, fixed per check id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A plain requirement: the threshold is `true`.
    Flag,
    /// A whole number of records.
    Count,
    /// A whole number of days.
    Days,
    /// Minutes (may be fractional).
    Minutes,
    /// A fraction in [0, 1], shown as a percentage.
    Fraction,
}

macro_rules! check_ids {
    ($($variant:ident => $text:literal : $unit:ident),+ $(,)?) => {
        /// The checks Plumbline knows how to evaluate. A policy may use any subset, at any level.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CheckId { $($variant),+ }

        impl CheckId {
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(CheckId::$variant => $text),+ }
            }

            /// The unit of the check's thresholds and values.
            pub fn unit(self) -> Unit {
                match self { $(CheckId::$variant => Unit::$unit),+ }
            }
        }
    };
}

check_ids! {
    OwningTeam => "owning_team": Flag,
    ActiveSlo => "active_slo": Count,
    SloDataFresh => "slo_data_fresh": Days,
    DrTestOnRecord => "dr_test_on_record": Flag,
    SlosMet => "slos_met": Flag,
    PostmortemCoverage => "postmortem_coverage": Days,
    ActionOnTimeRate => "action_on_time_rate": Fraction,
    NoLongOverdueActions => "no_long_overdue_actions": Days,
    DrTestRecent => "dr_test_recent": Days,
    ErrorBudgetRemaining => "error_budget_remaining": Fraction,
    MttrHighSev => "mttr_high_sev": Minutes,
    NoRepeatIncidents => "no_repeat_incidents": Count,
    DrLatestMetObjectives => "dr_latest_met_objectives": Flag,
    SelfAssessmentCurrent => "self_assessment_current": Days,
    PagesReviewed => "pages_reviewed": Fraction,
    AlertPrecision => "alert_precision": Fraction,
    PagingLoad => "paging_load": Count,
    CapacityHeadroom => "capacity_headroom": Fraction,
}

impl CheckId {
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == text.trim())
    }

    /// The known ids, for error messages.
    pub fn expected() -> String {
        Self::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CheckId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown check id {text:?}; expected one of {}", Self::expected()))
        })
    }
}

/// A validated threshold for one tier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// The check does not apply to services of this tier.
    NotApplicable,
    /// A plain requirement (unit [`Unit::Flag`]).
    Required,
    /// A number in the check's unit.
    Value(f64),
}

impl Threshold {
    /// The threshold as shown in a check result: `null`, `true` or the number.
    pub fn to_json(self) -> serde_json::Value {
        match self {
            Threshold::NotApplicable => serde_json::Value::Null,
            Threshold::Required => serde_json::Value::Bool(true),
            Threshold::Value(v) => number_json(v),
        }
    }
}

/// A number as JSON: an integer when it is whole (so `2` stays `2`, not `2.0`).
pub(crate) fn number_json(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// A number in a unit, for explanations: "2 days", "90 %", "120 min".
pub fn format_in_unit(unit: Unit, v: f64) -> String {
    let plain = |v: f64| if v.fract() == 0.0 { format!("{}", v as i64) } else { format!("{v:.1}") };
    match unit {
        Unit::Flag => "required".to_owned(),
        Unit::Count => plain(v),
        Unit::Days if v == 1.0 => "1 day".to_owned(),
        Unit::Days => format!("{} days", plain(v)),
        Unit::Minutes => format!("{} min", plain(v)),
        Unit::Fraction => {
            let pct = v * 100.0;
            if (pct - pct.round()).abs() < 1e-9 { format!("{} %", pct.round() as i64) } else { format!("{pct:.1} %") }
        }
    }
}

/// One check of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSpec {
    pub id: CheckId,
    pub level: Level,
    pub title: String,
    /// Share of the score, ≥ 1.
    pub weight: u32,
    /// Thresholds for tiers 0, 1, 2 and 3.
    pub thresholds: [Threshold; 4],
    /// One-line fix hint; `{threshold}` and `{tier}` are replaced when shown.
    pub fix: String,
    /// The first reporting day the check counts (a check announced ahead of time): scorecards
    /// whose as-of instant is not past that day's start show it as upcoming, judged but not
    /// changing level or score.
    pub counts_from: Option<chrono::NaiveDate>,
}

impl CheckSpec {
    /// The threshold for a tier (tiers above 3 use tier 3's).
    pub fn threshold_for(&self, tier: u8) -> Threshold {
        self.thresholds[usize::from(tier.min(3))]
    }

    /// The fix hint for a tier, placeholders filled in.
    pub fn fix_for(&self, tier: u8) -> String {
        let threshold = match self.threshold_for(tier) {
            Threshold::Value(v) => format_in_unit(self.id.unit(), v),
            Threshold::Required => "required".to_owned(),
            Threshold::NotApplicable => "n/a".to_owned(),
        };
        self.fix.replace("{threshold}", &threshold).replace("{tier}", &tier.to_string())
    }
}

/// One item of the readiness checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub id: String,
    /// Tiers the item applies to; `None`: every tier the readiness check applies to.
    pub tiers: Option<Vec<u8>>,
    /// Days an answer stays valid; `None`: the readiness check's threshold for the tier.
    pub valid_days: Option<u32>,
}

impl ChecklistItem {
    pub fn applies_to(&self, tier: u8) -> bool {
        self.tiers.as_ref().is_none_or(|tiers| tiers.contains(&tier))
    }

    /// Days an answer stays valid, given the check's threshold for the service's tier.
    pub fn validity_days(&self, check_threshold_days: i64) -> i64 {
        self.valid_days.map_or(check_threshold_days, i64::from)
    }
}

/// A validated policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub version: String,
    /// The readiness checklist, with the tiers and validity of each item.
    pub checklist: Vec<ChecklistItem>,
    /// In file order (which is also the order of check results).
    pub checks: Vec<CheckSpec>,
    /// Targets for headline KPIs (`[targets]`), by KPI.
    pub targets: BTreeMap<crate::domain::kpi::KpiId, f64>,
    /// What the KPIs read from the policy: when a page counts as off hours or sleep hours
    /// (`[oncall]`), and the fewest survey responses a mean is shown for (`[surveys]`).
    pub kpi: crate::domain::kpi::KpiSettings,
    /// The 1-day burn rate above which a team is told its error budget burns fast
    /// (`[notifications] fast_burn_rate`; docs/notifications.md).
    pub fast_burn_rate: f64,
}

/// [`Policy::fast_burn_rate`] when the policy names none: a 28-day budget gone in under 10 days.
pub const DEFAULT_FAST_BURN_RATE: f64 = 3.0;

/// Why a policy file was rejected. Messages name the check and tier at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy is not valid TOML of the expected shape: {0}")]
    Syntax(String),
    #[error("policy `version` must not be empty")]
    MissingVersion,
    #[error("policy defines no checks")]
    NoChecks,
    #[error("checks[{index}]: unknown check id {id:?}; known ids: {known}")]
    UnknownCheck { index: usize, id: String, known: String },
    #[error("check {0:?} is listed more than once")]
    DuplicateCheck(String),
    #[error("check {check:?}: unknown level {level:?}; expected bronze, silver or gold")]
    UnknownLevel { check: String, level: String },
    #[error("check {0:?}: `title` must not be empty")]
    MissingTitle(String),
    #[error("check {0:?}: `fix` must be a non-empty single line")]
    BadFix(String),
    #[error("check {check:?}: `fix` uses unknown placeholder {{{placeholder}}}; use {{threshold}} or {{tier}}")]
    UnknownPlaceholder { check: String, placeholder: String },
    #[error("check {check:?}: `weight` must be a whole number from 1 to 1000, got {weight}")]
    BadWeight { check: String, weight: i64 },
    #[error("check {check:?}: missing threshold for tier {tier} (give a value or \"not_applicable\")")]
    MissingThreshold { check: String, tier: u8 },
    #[error("check {check:?}: unknown threshold key {key:?}; expected tier0, tier1, tier2 and tier3")]
    UnknownTier { check: String, key: String },
    #[error("check {check:?}: `counts_from` must be a date like 2027-01-01, got {value:?}")]
    BadCountsFrom { check: String, value: String },
    #[error("check {check:?}, tier {tier}: {message}")]
    BadThreshold { check: String, tier: u8, message: String },
    #[error("[self_assessment] items: {0}")]
    BadChecklist(String),
    #[error("[targets]: {0}")]
    BadTarget(String),
    #[error("[oncall] {0}")]
    BadOncall(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: String,
    #[serde(default)]
    self_assessment: Option<RawSelfAssessment>,
    #[serde(default)]
    checks: Vec<RawCheck>,
    /// Headline KPI targets, by KPI id.
    #[serde(default)]
    targets: BTreeMap<String, f64>,
    #[serde(default)]
    oncall: Option<super::oncall_hours::RawOncall>,
    #[serde(default)]
    notifications: Option<RawNotifications>,
    #[serde(default)]
    surveys: Option<RawSurveys>,
    #[serde(default)]
    capacity: Option<RawCapacity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapacity {
    /// `{ tier0 = 0.3, … }`: the share of capacity each tier keeps spare.
    headroom: Option<BTreeMap<String, f64>>,
}

/// The headroom per tier of `[capacity]`: each a fraction in [0, 1); a tier left out keeps the
/// default.
fn validate_headroom(raw: Option<RawCapacity>) -> Result<[f64; 4], PolicyError> {
    let mut headroom = crate::domain::kpi::DEFAULT_CAPACITY_HEADROOM;
    for (key, value) in raw.and_then(|c| c.headroom).unwrap_or_default() {
        let tier = match key.as_str() {
            "tier0" => 0,
            "tier1" => 1,
            "tier2" => 2,
            "tier3" => 3,
            _ => {
                return Err(PolicyError::Syntax(format!(
                    "capacity.headroom: unknown key {key:?}; use tier0, tier1, tier2 and tier3"
                )));
            }
        };
        if !(0.0..1.0).contains(&value) {
            return Err(PolicyError::Syntax(format!(
                "capacity.headroom.{key} must be a fraction from 0 to below 1 (0.3 keeps 30 % spare), got {value}"
            )));
        }
        headroom[tier] = value;
    }
    Ok(headroom)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurveys {
    min_responses: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotifications {
    fast_burn_rate: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelfAssessment {
    items: Vec<RawItem>,
}

/// A checklist item: its id alone, or `{ id, tiers = [0, 1], valid_days = 90 }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawItem {
    Id(String),
    Detailed(RawDetailedItem),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDetailedItem {
    id: String,
    #[serde(default)]
    tiers: Option<Vec<i64>>,
    #[serde(default)]
    valid_days: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: String,
    level: String,
    title: String,
    weight: i64,
    thresholds: BTreeMap<String, RawThreshold>,
    fix: String,
    /// A TOML date (`2027-01-01`) or the same as a string.
    #[serde(default)]
    counts_from: Option<RawDate>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDate {
    Date(toml::value::Datetime),
    Text(String),
}

impl RawDate {
    fn text(&self) -> String {
        match self {
            RawDate::Date(date) => date.to_string(),
            RawDate::Text(text) => text.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawThreshold {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

const TIER_KEYS: [&str; 4] = ["tier0", "tier1", "tier2", "tier3"];

impl Policy {
    /// The policy shipped in `app/policy/default.toml`.
    pub fn default_policy() -> Result<Policy, PolicyError> {
        Policy::from_toml(DEFAULT_POLICY_TOML)
    }

    /// Parses and validates a policy file.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string().trim().to_owned()))?;
        let version = raw.version.trim().to_owned();
        if version.is_empty() {
            return Err(PolicyError::MissingVersion);
        }
        if raw.checks.is_empty() {
            return Err(PolicyError::NoChecks);
        }
        let mut seen = BTreeSet::new();
        let mut checks = Vec::with_capacity(raw.checks.len());
        for (index, check) in raw.checks.into_iter().enumerate() {
            let spec = validate_check(index, check)?;
            if !seen.insert(spec.id) {
                return Err(PolicyError::DuplicateCheck(spec.id.as_str().to_owned()));
            }
            checks.push(spec);
        }
        let items = raw.self_assessment.map(|s| s.items).unwrap_or_default();
        let checklist = validate_checklist(items, seen.contains(&CheckId::SelfAssessmentCurrent))?;
        let targets = super::targets::validate_targets(raw.targets)?;
        let paging_hours = super::oncall_hours::validate_oncall(raw.oncall)?;
        let fast_burn_rate = raw.notifications.and_then(|n| n.fast_burn_rate).unwrap_or(DEFAULT_FAST_BURN_RATE);
        if !fast_burn_rate.is_finite() || fast_burn_rate <= 1.0 {
            return Err(PolicyError::Syntax(format!(
                "notifications.fast_burn_rate must be a number above 1 (the budget lasting exactly its window), got {fast_burn_rate}"
            )));
        }
        let min_survey_responses = match raw.surveys.and_then(|s| s.min_responses) {
            None => crate::domain::kpi::DEFAULT_MIN_SURVEY_RESPONSES,
            Some(n) if (1..=1000).contains(&n) => n as u32,
            Some(n) => {
                return Err(PolicyError::Syntax(format!(
                    "surveys.min_responses must be a whole number from 1 to 1000, got {n}"
                )));
            }
        };
        let capacity_headroom = validate_headroom(raw.capacity)?;
        let kpi = crate::domain::kpi::KpiSettings { paging_hours, min_survey_responses, capacity_headroom };
        Ok(Policy { version, checklist, checks, targets, kpi, fast_burn_rate })
    }

    pub fn check(&self, id: CheckId) -> Option<&CheckSpec> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The readiness checklist items' ids, in order (every tier's): what ingestion accepts.
    pub fn self_assessment_items(&self) -> Vec<String> {
        self.checklist.iter().map(|item| item.id.clone()).collect()
    }

    /// The checklist items a service of `tier` answers.
    pub fn checklist_for(&self, tier: u8) -> Vec<&ChecklistItem> {
        self.checklist.iter().filter(|item| item.applies_to(tier)).collect()
    }
}

fn validate_checklist(items: Vec<RawItem>, required: bool) -> Result<Vec<ChecklistItem>, PolicyError> {
    if required && items.is_empty() {
        return Err(PolicyError::BadChecklist(
            "check \"self_assessment_current\" needs a non-empty checklist ([self_assessment] items = [...])".into(),
        ));
    }
    let bad = |message: String| PolicyError::BadChecklist(message);
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let (id, tiers, valid_days) = match item {
            RawItem::Id(id) => (id, None, None),
            RawItem::Detailed(RawDetailedItem { id, tiers, valid_days }) => (id, tiers, valid_days),
        };
        let slug = Slug::parse(&id).map_err(|e| bad(format!("item {id:?} {e}")))?;
        if !seen.insert(slug.clone()) {
            return Err(bad(format!("item {id:?} is listed more than once")));
        }
        let tiers = match tiers {
            None => None,
            Some(list) if list.is_empty() => return Err(bad(format!("item {id:?}: `tiers` must not be empty"))),
            Some(list) => {
                let mut tiers = Vec::with_capacity(list.len());
                for tier in list {
                    let tier = u8::try_from(tier)
                        .ok()
                        .filter(|t| *t <= 3)
                        .ok_or_else(|| bad(format!("item {id:?}: tier {tier} is not one of 0, 1, 2, 3")))?;
                    if !tiers.contains(&tier) {
                        tiers.push(tier);
                    }
                }
                tiers.sort_unstable();
                Some(tiers)
            }
        };
        let valid_days = match valid_days {
            None => None,
            Some(days) => Some(
                u32::try_from(days)
                    .ok()
                    .filter(|d| (1..=3650).contains(d))
                    .ok_or_else(|| bad(format!("item {id:?}: `valid_days` must be from 1 to 3650, got {days}")))?,
            ),
        };
        out.push(ChecklistItem { id: slug.as_str().to_owned(), tiers, valid_days });
    }
    Ok(out)
}

fn validate_check(index: usize, raw: RawCheck) -> Result<CheckSpec, PolicyError> {
    let id = CheckId::parse(&raw.id).ok_or_else(|| PolicyError::UnknownCheck {
        index,
        id: raw.id.clone(),
        known: CheckId::expected(),
    })?;
    let name = id.as_str().to_owned();
    let level =
        Level::parse(&raw.level).ok_or_else(|| PolicyError::UnknownLevel { check: name.clone(), level: raw.level })?;
    let title = raw.title.trim().to_owned();
    if title.is_empty() {
        return Err(PolicyError::MissingTitle(name));
    }
    let fix = raw.fix.trim().to_owned();
    if fix.is_empty() || fix.contains('\n') {
        return Err(PolicyError::BadFix(name));
    }
    check_placeholders(&name, &fix)?;
    let weight = u32::try_from(raw.weight)
        .ok()
        .filter(|w| (1..=1000).contains(w))
        .ok_or(PolicyError::BadWeight { check: name.clone(), weight: raw.weight })?;
    if let Some(key) = raw.thresholds.keys().find(|k| !TIER_KEYS.contains(&k.as_str())) {
        return Err(PolicyError::UnknownTier { check: name, key: key.clone() });
    }
    let mut thresholds = [Threshold::NotApplicable; 4];
    for (tier, key) in TIER_KEYS.iter().enumerate() {
        let tier_u8 = tier as u8;
        let value =
            raw.thresholds.get(*key).ok_or(PolicyError::MissingThreshold { check: name.clone(), tier: tier_u8 })?;
        thresholds[tier] = validate_threshold(id, value).map_err(|message| PolicyError::BadThreshold {
            check: name.clone(),
            tier: tier_u8,
            message,
        })?;
    }
    let counts_from = match raw.counts_from.as_ref().map(RawDate::text) {
        None => None,
        Some(text) => Some(
            chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| PolicyError::BadCountsFrom { check: name.clone(), value: text })?,
        ),
    };
    Ok(CheckSpec { id, level, title, weight, thresholds, fix, counts_from })
}

fn check_placeholders(check: &str, fix: &str) -> Result<(), PolicyError> {
    let mut rest = fix;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        let name = &after[..close];
        if name != "threshold" && name != "tier" {
            return Err(PolicyError::UnknownPlaceholder { check: check.to_owned(), placeholder: name.to_owned() });
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    Ok(())
}

fn validate_threshold(id: CheckId, raw: &RawThreshold) -> Result<Threshold, String> {
    let unit = id.unit();
    let number = match raw {
        RawThreshold::Text(t) if t == "not_applicable" => return Ok(Threshold::NotApplicable),
        RawThreshold::Text(t) => return Err(format!("expected a threshold or \"not_applicable\", got {t:?}")),
        RawThreshold::Bool(true) if unit == Unit::Flag => return Ok(Threshold::Required),
        RawThreshold::Bool(_) if unit == Unit::Flag => {
            return Err("expected true (required) or \"not_applicable\", got false".into());
        }
        RawThreshold::Bool(b) => return Err(format!("expected a number, got {b}")),
        _ if unit == Unit::Flag => return Err("expected true (required) or \"not_applicable\"".into()),
        RawThreshold::Int(i) => *i as f64,
        RawThreshold::Float(f) => *f,
    };
    if !number.is_finite() || number < 0.0 {
        return Err(format!("expected a non-negative number, got {number}"));
    }
    match unit {
        Unit::Count | Unit::Days if number.fract() != 0.0 => Err(format!("expected a whole number, got {number}")),
        Unit::Fraction if number > 1.0 => Err(format!("expected a fraction from 0 to 1 (0.9 = 90 %), got {number}")),
        _ => Ok(Threshold::Value(number)),
    }
}
