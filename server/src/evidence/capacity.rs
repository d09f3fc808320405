//! `capacity_measurements.csv`: every daily peak of a service in scope in the window, with the
//! headroom it left, so an auditor sees capacity was monitored (SOC 2 A1.1, ISO/IEC 27001 8.6).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::EvidenceError;
use super::populations::{Ctx, instant, write_rows};
use super::writer::PackWriter;
use crate::csv::Line;
use crate::entities::capacity_measurement;

pub async fn measurements(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use capacity_measurement::Column as C;
    let rows = capacity_measurement::Entity::find()
        .filter(ctx.in_scope(C::ServiceId))
        .filter(C::Day.gte(ctx.window.from))
        .filter(C::Day.lte(ctx.window.to))
        .order_by_asc(C::Id)
        .stream(ctx.db)
        .await?;
    write_rows(rows, w, |r| {
        let (service, team) = ctx.service(r.service_id);
        let tier = ctx.tier(r.service_id);
        // The stored capacity is above 0 (a check constraint).
        let headroom = 1.0 - r.peak_used / r.capacity;
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(service).push(team).push(&tier).push(&r.resource);
        line.push(&r.day.to_string()).push(&r.peak_used.to_string()).push(&r.capacity.to_string());
        line.number(headroom, 4);
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.created_at)).push(&instant(r.updated_at));
        line
    })
    .await
}
