//! View pieces shared by pages: chrome, the period picker, figures and charts, error display.

pub mod automation;
pub mod campaigns;
pub mod capacity;
pub mod causes;
pub mod chart;
pub mod chart_svg;
pub mod check_matrix;
pub mod chrome;
pub mod cost;
pub mod escape;
pub mod figures;
pub mod follow;
pub mod forecast;
pub mod level_badge;
pub mod movers;
pub mod oncall;
pub mod page_error;
pub mod period_picker;
pub mod recovery;
pub mod satisfaction;
pub mod slo_indicators;
pub mod theme;
pub mod toil;
pub mod trend;
pub mod url;
pub mod waiver_requests;
