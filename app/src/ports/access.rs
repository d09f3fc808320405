//! The access page's port: users, role grants, disabling.

use crate::api::AccessView;
use crate::domain::access::{Principal, Role};
use crate::error::AppError;

#[async_trait::async_trait]
pub trait AccessPort: Send + Sync {
    async fn users(&self, admin: Principal) -> Result<AccessView, AppError>;
    async fn grant(
        &self,
        admin: Principal,
        user_id: i64,
        role: Role,
        expires_on: Option<String>,
    ) -> Result<(), AppError>;
    async fn revoke_grant(&self, admin: Principal, id: i64) -> Result<(), AppError>;
    async fn set_disabled(&self, admin: Principal, user_id: i64, disabled: bool) -> Result<(), AppError>;
}
