//! The API tokens page's port.

use crate::api::{NewTokenRequest, NewTokenView, TokensView};
use crate::domain::access::Principal;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait TokensPort: Send + Sync {
    async fn tokens(&self, principal: Principal) -> Result<TokensView, AppError>;
    async fn create_token(&self, principal: Principal, request: NewTokenRequest) -> Result<NewTokenView, AppError>;
    async fn revoke_token(&self, principal: Principal, id: i64) -> Result<(), AppError>;
}
