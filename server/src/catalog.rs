//! Services and teams as pages look them up by slug.

use std::collections::BTreeMap;

use app::error::AppError;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{service, team};

/// Every team's name by slug (pages show names where data has slugs).
pub async fn team_names<C: ConnectionTrait>(db: &C) -> Result<BTreeMap<String, String>, DbErr> {
    let pairs: Vec<(String, String)> = team::Entity::find()
        .select_only()
        .columns([team::Column::Slug, team::Column::Name])
        .into_tuple()
        .all(db)
        .await?;
    Ok(pairs.into_iter().collect())
}

/// A service with its team's slug, or a 404 naming the service.
pub async fn service_and_team(db: &DatabaseConnection, slug: &str) -> Result<(service::Model, String), AppError> {
    let not_found = || AppError::NotFound(format!("There is no service '{slug}'."));
    let internal = |error: sea_orm::DbErr| AppError::internal("looking up a service", &error);
    let service = service::Entity::find()
        .filter(service::Column::Slug.eq(slug))
        .one(db)
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    let team = team::Entity::find_by_id(service.team_id).one(db).await.map_err(internal)?.ok_or_else(not_found)?;
    Ok((service, team.slug))
}

/// Whether a team of that slug exists (`Scope::Team`).
pub async fn team_exists<C: ConnectionTrait>(db: &C, slug: &str) -> Result<bool, DbErr> {
    Ok(team::Entity::find().filter(team::Column::Slug.eq(slug)).one(db).await?.is_some())
}

/// Whether a service of that slug exists, active or retired.
pub async fn service_exists<C: ConnectionTrait>(db: &C, slug: &str) -> Result<bool, DbErr> {
    Ok(service::Entity::find().filter(service::Column::Slug.eq(slug)).one(db).await?.is_some())
}
