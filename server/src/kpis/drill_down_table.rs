//! The drill-down as an evidence table (`app::domain::kpi::population_table`), with what the KPI
//! data leaves out but a reader needs: incident and action titles, action owners, DR scenarios.
//! The drill-down page and its CSV download both come from here.

use std::collections::BTreeSet;

use app::domain::kpi::{PopulationTable, RecordDetails, RecordView, SortOrder, population_table};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::PopulationReport;
use crate::entities::{dr_test, incident, postmortem_action};

/// Ids looked up per query, well under every backend's parameter limit.
const CHUNK: usize = 500;

/// The report's records as a table, sorted by `sort` (a column number, `-` for descending) when
/// it names a column; anything else keeps the population's order.
pub async fn drill_down_table<C: ConnectionTrait>(
    db: &C,
    report: &PopulationReport,
    sort: Option<&str>,
) -> Result<(PopulationTable, Option<SortOrder>), DbErr> {
    let details = record_details(db, report).await?;
    let mut table = population_table(&report.population, &details);
    let order = sort.and_then(|s| SortOrder::parse(s, table.columns.len()));
    if let Some(order) = order {
        table.sort(order);
    }
    Ok((table, order))
}

async fn record_details<C: ConnectionTrait>(db: &C, report: &PopulationReport) -> Result<RecordDetails, DbErr> {
    let (mut incidents, mut actions, mut tests) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for row in &report.population.rows {
        match &row.record {
            RecordView::Incident { id, .. } => incidents.insert(id.clone()),
            RecordView::Action { id, .. } => actions.insert(id.clone()),
            RecordView::DrTest { id, .. } => tests.insert(id.clone()),
            _ => false,
        };
    }
    let mut details = RecordDetails::default();
    for ids in incidents.into_iter().collect::<Vec<_>>().chunks(CHUNK) {
        let rows: Vec<(String, String)> = incident::Entity::find()
            .select_only()
            .columns([incident::Column::ExternalId, incident::Column::Title])
            .filter(incident::Column::ExternalId.is_in(ids.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        details.incident_titles.extend(rows);
    }
    for ids in actions.into_iter().collect::<Vec<_>>().chunks(CHUNK) {
        let rows: Vec<(String, String, Option<String>)> = postmortem_action::Entity::find()
            .select_only()
            .columns([
                postmortem_action::Column::ExternalId,
                postmortem_action::Column::Title,
                postmortem_action::Column::Owner,
            ])
            .filter(postmortem_action::Column::ExternalId.is_in(ids.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        details.actions.extend(rows.into_iter().map(|(id, title, owner)| (id, (title, owner))));
    }
    for ids in tests.into_iter().collect::<Vec<_>>().chunks(CHUNK) {
        let rows: Vec<(String, String)> = dr_test::Entity::find()
            .select_only()
            .columns([dr_test::Column::ExternalId, dr_test::Column::Scenario])
            .filter(dr_test::Column::ExternalId.is_in(ids.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        details.dr_scenarios.extend(rows);
    }
    Ok(details)
}
