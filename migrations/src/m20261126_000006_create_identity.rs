//! Identity (docs/access-and-audit.md): users signed in through the identity provider, their role grants and
//! team memberships, database-backed sessions (so any replica serves them), pending sign-ins
//! (state, nonce and PKCE verifier between `/auth/login` and `/auth/callback`) and API tokens.
//! Session ids and tokens are stored only as SHA-256 hashes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().auto_increment().primary_key().to_owned()
}

fn instant<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().not_null().to_owned()
}

fn text<T: IntoIden>(column: T) -> ColumnDef {
    ColumnDef::new(column).text().not_null().to_owned()
}

fn to_user(table: impl IntoTableRef, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(AppUser::Table, AppUser::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AppUser::Table)
                .col(id(AppUser::Id))
                .col(text(AppUser::Subject))
                .col(text(AppUser::Name))
                .col(ColumnDef::new(AppUser::Email).text().null())
                .col(text(AppUser::Groups))
                .col(instant(AppUser::CreatedAt))
                .col(instant(AppUser::LastLoginAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ux_app_user_subject").table(AppUser::Table).col(AppUser::Subject).unique().to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RoleGrant::Table)
                .col(id(RoleGrant::Id))
                .col(ColumnDef::new(RoleGrant::UserId).big_integer().not_null())
                .col(text(RoleGrant::Role))
                // `idp` (recomputed from groups at each sign-in) or `admin` (granted in Plumbline).
                .col(text(RoleGrant::Source))
                .col(text(RoleGrant::GrantedBy))
                .col(instant(RoleGrant::GrantedAt))
                .col(ColumnDef::new(RoleGrant::ExpiresAt).timestamp_with_time_zone().null())
                .foreign_key(&mut to_user(RoleGrant::Table, RoleGrant::UserId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_role_grant_user").table(RoleGrant::Table).col(RoleGrant::UserId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TeamMembership::Table)
                .col(id(TeamMembership::Id))
                .col(ColumnDef::new(TeamMembership::UserId).big_integer().not_null())
                .col(text(TeamMembership::TeamSlug))
                .col(text(TeamMembership::Source))
                .foreign_key(&mut to_user(TeamMembership::Table, TeamMembership::UserId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_team_membership")
                .table(TeamMembership::Table)
                .col(TeamMembership::UserId)
                .col(TeamMembership::TeamSlug)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UserSession::Table)
                .col(id(UserSession::Id))
                .col(text(UserSession::TokenHash))
                .col(ColumnDef::new(UserSession::UserId).big_integer().not_null())
                .col(instant(UserSession::CreatedAt))
                .col(instant(UserSession::LastSeenAt))
                .col(instant(UserSession::ExpiresAt))
                .foreign_key(&mut to_user(UserSession::Table, UserSession::UserId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_user_session_hash")
                .table(UserSession::Table)
                .col(UserSession::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginState::Table)
                .col(id(LoginState::Id))
                .col(text(LoginState::StateHash))
                .col(text(LoginState::Nonce))
                .col(text(LoginState::PkceVerifier))
                .col(text(LoginState::ReturnTo))
                .col(instant(LoginState::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_login_state_hash")
                .table(LoginState::Table)
                .col(LoginState::StateHash)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiToken::Table)
                .col(id(ApiToken::Id))
                .col(text(ApiToken::Name))
                // The first characters of the token, shown in lists so people can tell them apart.
                .col(text(ApiToken::Prefix))
                .col(text(ApiToken::TokenHash))
                .col(text(ApiToken::Scopes))
                // Comma-separated team slugs; NULL: not limited to teams.
                .col(ColumnDef::new(ApiToken::Teams).text().null())
                .col(ColumnDef::new(ApiToken::OwnerUserId).big_integer().null())
                .col(text(ApiToken::CreatedBy))
                .col(instant(ApiToken::CreatedAt))
                .col(ColumnDef::new(ApiToken::ExpiresAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(ApiToken::RevokedAt).timestamp_with_time_zone().null())
                .col(ColumnDef::new(ApiToken::LastUsedAt).timestamp_with_time_zone().null())
                .foreign_key(&mut to_user(ApiToken::Table, ApiToken::OwnerUserId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_api_token_hash")
                .table(ApiToken::Table)
                .col(ApiToken::TokenHash)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiToken::Table.into_iden(),
            LoginState::Table.into_iden(),
            UserSession::Table.into_iden(),
            TeamMembership::Table.into_iden(),
            RoleGrant::Table.into_iden(),
            AppUser::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Subject,
    Name,
    Email,
    Groups,
    CreatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum RoleGrant {
    Table,
    Id,
    UserId,
    Role,
    Source,
    GrantedBy,
    GrantedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum TeamMembership {
    Table,
    Id,
    UserId,
    TeamSlug,
    Source,
}

#[derive(DeriveIden)]
enum UserSession {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum LoginState {
    Table,
    Id,
    StateHash,
    Nonce,
    PkceVerifier,
    ReturnTo,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    Name,
    Prefix,
    TokenHash,
    Scopes,
    Teams,
    OwnerUserId,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}
