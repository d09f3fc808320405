//! Who may do what (docs/access-and-audit.md): roles, API-token scopes, the access a route requires, and the
//! pure decision between them. The server resolves a request to a [`Principal`] (a signed-in
//! user, an API token, or the single local admin of local mode) and asks [`Principal::allows`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// A role granted to a user (from identity-provider groups, or by an admin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including access management.
    Admin,
    /// Reads, and writes records of the teams they are a member of.
    Editor,
    /// Reads.
    Viewer,
    /// Reads, the audit log and evidence exports; a grant may expire.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Viewer, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an API token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Write records (`POST /api/v1/{kind}`).
    Ingest,
    /// Read records, KPIs, scorecards and snapshots.
    Read,
    /// Scrape `/metrics` (a monitoring system's token; only admins create one).
    Metrics,
}

impl TokenScope {
    pub const ALL: [TokenScope; 3] = [TokenScope::Ingest, TokenScope::Read, TokenScope::Metrics];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Ingest => "ingest",
            TokenScope::Read => "read",
            TokenScope::Metrics => "metrics",
        }
    }

    pub fn parse(text: &str) -> Option<TokenScope> {
        TokenScope::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone, signed in or not (health checks, static assets, the login flow).
    Public,
    /// Any signed-in principal (who am I, sign out).
    SignedIn,
    /// A signed-in person, not an API token (managing one's API tokens).
    Person,
    /// Reading records, KPIs, scorecards, reports and snapshots.
    Read,
    /// Writing records; editors and team-limited tokens only for their teams' services.
    Ingest,
    /// The audit log and evidence exports.
    Audit,
    /// Publishing snapshots and managing access.
    Admin,
    /// `/metrics`: a token with the `metrics` scope or an admin (and, checked by the gate,
    /// any client on the same machine that is not behind a proxy).
    Metrics,
}

/// Which teams' records a principal may write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "teams")]
pub enum IngestRight {
    None,
    /// Records of these teams' services only (team slugs).
    Teams(BTreeSet<String>),
    /// Any record.
    Any,
}

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum PrincipalId {
    /// The single local admin of local mode (no identity provider configured).
    Local,
    /// A signed-in user (row id).
    User(i64),
    /// An API token (row id).
    Token(i64),
}

/// A resolved caller: identity, roles (users), scopes (tokens), team memberships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub id: PrincipalId,
    /// Display name (a user's name, a token's name).
    pub name: String,
    pub email: Option<String>,
    /// Roles in force (expired grants already left out).
    pub roles: BTreeSet<Role>,
    /// Team slugs the user is a member of (an editor writes for these).
    pub teams: BTreeSet<String>,
    /// For a token: its scopes, and the teams it is limited to (`None`: its creator's reach).
    pub token: Option<TokenGrant>,
}

/// What an API token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenGrant {
    pub scopes: BTreeSet<TokenScope>,
    /// Teams the token may write for; `None` for a token an admin made without a limit.
    pub teams: Option<BTreeSet<String>>,
}

impl Principal {
    /// The local admin of local mode.
    pub fn local_admin() -> Self {
        Principal {
            id: PrincipalId::Local,
            name: "Local admin".to_owned(),
            email: None,
            roles: BTreeSet::from([Role::Admin]),
            teams: BTreeSet::new(),
            token: None,
        }
    }

    /// How a person is named on what they sign: answers, sign-offs, waiver requests and
    /// decisions (their email, else their name).
    pub fn signature(&self) -> String {
        self.email.clone().unwrap_or_else(|| self.name.clone())
    }

    /// How the audit trail names this principal.
    pub fn actor(&self) -> String {
        match &self.id {
            PrincipalId::Local => "local".to_owned(),
            PrincipalId::User(id) => match &self.email {
                Some(email) => format!("user:{id}:{email}"),
                None => format!("user:{id}"),
            },
            PrincipalId::Token(id) => format!("token:{id}:{}", self.name),
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    fn has_scope(&self, scope: TokenScope) -> bool {
        self.token.as_ref().is_some_and(|t| t.scopes.contains(&scope))
    }

    /// The highest role, for display (admin > auditor > editor > viewer).
    pub fn primary_role(&self) -> Option<Role> {
        [Role::Admin, Role::Auditor, Role::Editor, Role::Viewer].into_iter().find(|r| self.has_role(*r))
    }

    /// Which teams' records this principal may write.
    pub fn ingest_right(&self) -> IngestRight {
        match &self.token {
            Some(token) if token.scopes.contains(&TokenScope::Ingest) => match &token.teams {
                Some(teams) => IngestRight::Teams(teams.clone()),
                None => IngestRight::Any,
            },
            Some(_) => IngestRight::None,
            None if self.has_role(Role::Admin) => IngestRight::Any,
            None if self.has_role(Role::Editor) && !self.teams.is_empty() => IngestRight::Teams(self.teams.clone()),
            None => IngestRight::None,
        }
    }

    /// Whether this principal may use a route requiring `access`.
    pub fn allows(&self, access: Access) -> bool {
        match access {
            Access::Public | Access::SignedIn => true,
            Access::Person => self.token.is_none(),
            Access::Read => match self.token {
                Some(_) => self.has_scope(TokenScope::Read),
                None => !self.roles.is_empty(),
            },
            Access::Ingest => self.ingest_right() != IngestRight::None,
            Access::Audit => self.token.is_none() && (self.has_role(Role::Admin) || self.has_role(Role::Auditor)),
            Access::Admin => self.token.is_none() && self.has_role(Role::Admin),
            Access::Metrics => match self.token {
                Some(_) => self.has_scope(TokenScope::Metrics),
                None => self.has_role(Role::Admin),
            },
        }
    }
}

/// Maps identity-provider groups to roles, per `group:role` pairs (e.g.
/// `plumbline-admins:admin,sre:editor`); an unknown role name is a configuration error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleMapping {
    pairs: Vec<(String, Role)>,
}

impl RoleMapping {
    /// Parses `group:role` pairs separated by commas; group names are matched exactly.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut pairs = Vec::new();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (group, role) = item.rsplit_once(':').ok_or_else(|| format!("expected group:role, got {item:?}"))?;
            let role = Role::parse(role)
                .ok_or_else(|| format!("unknown role {role:?} in {item:?}; roles: admin, editor, viewer, auditor"))?;
            if group.trim().is_empty() {
                return Err(format!("empty group name in {item:?}"));
            }
            pairs.push((group.trim().to_owned(), role));
        }
        Ok(RoleMapping { pairs })
    }

    /// The roles a user with these groups holds.
    pub fn roles_for<'a>(&self, groups: impl IntoIterator<Item = &'a str>) -> BTreeSet<Role> {
        let groups: BTreeSet<&str> = groups.into_iter().collect();
        self.pairs.iter().filter(|(g, _)| groups.contains(g.as_str())).map(|(_, r)| *r).collect()
    }
}

/// The teams a user belongs to: groups starting with `prefix` (e.g. `team:payments`).
pub fn teams_from_groups<'a>(prefix: &str, groups: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    if prefix.is_empty() {
        return BTreeSet::new();
    }
    groups.into_iter().filter_map(|g| g.strip_prefix(prefix)).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role], teams: &[&str]) -> Principal {
        Principal {
            id: PrincipalId::User(1),
            name: "Someone".into(),
            email: Some("someone@example.test".into()),
            roles: roles.iter().copied().collect(),
            teams: teams.iter().map(|t| (*t).to_owned()).collect(),
            token: None,
        }
    }

    fn token(scopes: &[TokenScope], teams: Option<&[&str]>) -> Principal {
        Principal {
            id: PrincipalId::Token(7),
            name: "ci".into(),
            email: None,
            roles: BTreeSet::new(),
            teams: BTreeSet::new(),
            token: Some(TokenGrant {
                scopes: scopes.iter().copied().collect(),
                teams: teams.map(|t| t.iter().map(|s| (*s).to_owned()).collect()),
            }),
        }
    }

    #[test]
    fn each_role_reaches_exactly_its_routes() {
        use Access::*;
        let cases: [(Principal, [bool; 6]); 7] = [
            (user(&[Role::Admin], &[]), [true, true, true, true, true, true]),
            (user(&[Role::Editor], &["payments"]), [true, true, true, true, false, false]),
            (user(&[Role::Editor], &[]), [true, true, true, false, false, false]),
            (user(&[Role::Viewer], &[]), [true, true, true, false, false, false]),
            (user(&[Role::Auditor], &[]), [true, true, true, false, true, false]),
            // A user whose only grant expired holds no role: signed in, nothing more.
            (user(&[], &[]), [true, true, false, false, false, false]),
            (Principal::local_admin(), [true, true, true, true, true, true]),
        ];
        for (principal, expected) in cases {
            let got = [Public, SignedIn, Read, Ingest, Audit, Admin].map(|a| principal.allows(a));
            assert_eq!(got, expected, "{principal:?}");
        }
    }

    #[test]
    fn tokens_are_limited_to_their_scopes_and_never_reach_audit_or_admin() {
        let ingest = token(&[TokenScope::Ingest], Some(&["payments"]));
        assert!(ingest.allows(Access::Ingest));
        assert!(!ingest.allows(Access::Read));
        assert_eq!(ingest.ingest_right(), IngestRight::Teams(BTreeSet::from(["payments".to_owned()])));
        let read = token(&[TokenScope::Read], None);
        assert!(read.allows(Access::Read) && !read.allows(Access::Ingest));
        let both = token(&[TokenScope::Read, TokenScope::Ingest], None);
        assert_eq!(both.ingest_right(), IngestRight::Any);
        assert!(!both.allows(Access::Audit) && !both.allows(Access::Admin));
        assert!(!both.allows(Access::Person), "a token never manages tokens");
    }

    #[test]
    fn groups_map_to_roles_and_teams() {
        let mapping = RoleMapping::parse("plumbline-admins:admin, sre:editor,auditors:auditor,staff:viewer").unwrap();
        let groups = ["sre", "team:payments", "team:search", "other"];
        assert_eq!(mapping.roles_for(groups), BTreeSet::from([Role::Editor]));
        assert_eq!(teams_from_groups("team:", groups), BTreeSet::from(["payments".to_owned(), "search".to_owned()]));
        assert!(RoleMapping::parse("x:superuser").unwrap_err().contains("unknown role"));
        assert!(RoleMapping::parse("admin").is_err());
        assert_eq!(RoleMapping::parse("").unwrap().roles_for(["x"]), BTreeSet::new());
    }

    #[test]
    fn actors_name_the_principal() {
        assert_eq!(Principal::local_admin().actor(), "local");
        assert_eq!(user(&[Role::Viewer], &[]).actor(), "user:1:someone@example.test");
        assert_eq!(token(&[TokenScope::Read], None).actor(), "token:7:ci");
    }
}
