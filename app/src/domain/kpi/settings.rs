//! What the KPIs read from the scorecard policy besides the records: the paging hours
//! (`[oncall]`), the fewest survey responses a mean is shown for (`[surveys]`) and the headroom
//! each tier keeps (`[capacity]`).

use serde::{Deserialize, Serialize};

use super::PagingHours;

/// [`KpiSettings::min_survey_responses`] when the policy names none.
pub const DEFAULT_MIN_SURVEY_RESPONSES: u32 = 5;

/// [`KpiSettings::capacity_headroom`] when the policy names none: tier 0 keeps 30 %, tier 1
/// 20 %, tier 2 10 %, tier 3 only stays within capacity.
pub const DEFAULT_CAPACITY_HEADROOM: [f64; 4] = [0.30, 0.20, 0.10, 0.0];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiSettings {
    /// When a page counts as off hours or sleep hours.
    pub paging_hours: PagingHours,
    /// The fewest responses a satisfaction mean is shown for.
    pub min_survey_responses: u32,
    /// The share of capacity a service of tier 0, 1, 2 and 3 keeps spare.
    pub capacity_headroom: [f64; 4],
}

impl Default for KpiSettings {
    fn default() -> Self {
        KpiSettings {
            paging_hours: PagingHours::default(),
            min_survey_responses: DEFAULT_MIN_SURVEY_RESPONSES,
            capacity_headroom: DEFAULT_CAPACITY_HEADROOM,
        }
    }
}

impl KpiSettings {
    /// The headroom a service of `tier` keeps (tiers above 3 as tier 3).
    pub fn headroom_of(&self, tier: u8) -> f64 {
        self.capacity_headroom[usize::from(tier.min(3))]
    }
}

impl std::fmt::Display for KpiSettings {
    /// `business Mon … 09:00–18:00, sleep 22:00–07:00; surveys from 5; headroom 0.3/0.2/0.1/0`:
    /// part of stored figures' keys, so a changed setting recomputes them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [t0, t1, t2, t3] = self.capacity_headroom;
        write!(f, "{}; surveys from {}; headroom {t0}/{t1}/{t2}/{t3}", self.paging_hours, self.min_survey_responses)
    }
}
