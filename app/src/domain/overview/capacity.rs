//! The "Capacity headroom" panel of the overview and team pages: the share of service-days that
//! kept their tier's headroom against the previous period and over time, the services that kept
//! it least, and the period's capacity-caused incidents beside them.

use serde::{Deserialize, Serialize};

use super::headline::{Direction, Headline, HeadlineKpi, annotate_of, headlines_of};
use super::trend::{TrendSeries, trend_series_of};
use crate::domain::format::Unit;
use crate::domain::kpi::{Elapsed, KpiId, KpiValues, Period, ServiceHeadroom};

/// Services listed, the least compliant first.
pub const SERVICES_SHOWN: usize = 10;

pub const CAPACITY_HEADLINES: [HeadlineKpi; 1] = [HeadlineKpi {
    kpi: KpiId::CapacityHeadroomCompliance,
    label: "Service-days within headroom",
    unit: Unit::Fraction,
    direction: Direction::HigherIsBetter,
    accumulates: false,
    read: |k| k.capacity_headroom_compliance,
}];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapacityBreakdown {
    /// Services measured in the period, the least compliant first, cut at [`SERVICES_SHOWN`].
    pub services: Vec<ServiceHeadroom>,
    pub services_measured: u32,
    /// Incidents of the scope started in the period whose root cause is `capacity`.
    pub capacity_incidents: u32,
}

impl CapacityBreakdown {
    pub fn of(rows: Vec<ServiceHeadroom>, capacity_incidents: u32) -> Self {
        let services_measured = rows.len() as u32;
        CapacityBreakdown {
            services: rows.into_iter().take(SERVICES_SHOWN).collect(),
            services_measured,
            capacity_incidents,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityPanel {
    pub headlines: Vec<Headline>,
    pub trends: Vec<TrendSeries>,
    pub breakdown: CapacityBreakdown,
    /// The headroom tiers 0–3 keep, from the policy.
    pub headroom: [f64; 4],
    /// No capacity measurement in any period shown.
    pub empty: bool,
}

pub fn capacity_panel(
    current: Option<&KpiValues>,
    previous: Option<&KpiValues>,
    elapsed: Elapsed,
    trend: &[(Period, Option<KpiValues>)],
    targets: &std::collections::BTreeMap<KpiId, f64>,
    breakdown: CapacityBreakdown,
    headroom: [f64; 4],
) -> CapacityPanel {
    let mut headlines = headlines_of(&CAPACITY_HEADLINES, current, previous, elapsed);
    annotate_of(&CAPACITY_HEADLINES, &mut headlines, targets, None);
    let trends = trend_series_of(CAPACITY_HEADLINES.iter(), trend, elapsed.is_partial());
    let empty =
        trend.iter().filter_map(|(_, values)| values.as_ref()).all(|v| v.capacity_headroom_compliance.is_none());
    CapacityPanel { headlines, trends, breakdown, headroom, empty }
}
