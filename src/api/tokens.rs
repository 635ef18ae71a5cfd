//! `/herald/v1/tokens`: API tokens, listed without their secrets, created (the secret shown
//! once) and deleted.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Token;
use crate::error::Result;
use crate::http::error::ErrorBody;
use crate::http::wire::{Created, JsonBody, PathParams, Wire};
use crate::http::AppState;

/// A new token and its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    pub token: Token,
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct NewToken {
    name: String,
    role: String,
    #[serde(default)]
    subjects: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/herald/v1/tokens",
    tag = "tokens",
    operation_id = "createToken",
    request_body = NewToken,
    responses(
        (status = 201, description = "The token and its secret, shown this once", body = TokenCreated),
        (status = 400, description = "Bad name or role", body = ErrorBody),
        (status = 409, description = "The name is taken (40990)", body = ErrorBody),
    )
)]
pub(super) async fn create(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewToken>,
) -> Result<Created<TokenCreated>> {
    let (token, secret) = state
        .registry
        .create_token(&body.name, body.role.parse()?, body.subjects)
        .await?;
    Ok(Created(TokenCreated { token, secret }))
}

#[utoipa::path(
    get,
    path = "/herald/v1/tokens",
    tag = "tokens",
    operation_id = "listTokens",
    responses((status = 200, description = "Tokens, never their secrets", body = [Token]))
)]
pub(super) async fn list(State(state): State<AppState>) -> Result<Wire<Vec<Token>>> {
    Ok(Wire(state.registry.tokens().await?))
}

#[utoipa::path(
    delete,
    path = "/herald/v1/tokens/{name}",
    tag = "tokens",
    operation_id = "deleteToken",
    params(("name" = String, Path, description = "Token name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such token (40490)", body = ErrorBody),
    )
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    PathParams(name): PathParams<String>,
) -> Result<StatusCode> {
    state.registry.delete_token(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}
