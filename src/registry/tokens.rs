//! API tokens: created with a secret shown once and stored only as its hash, listed, deleted,
//! and looked up by the secret a request carries.

use super::{audit_line, Registry};
use crate::auth::{hash_secret, new_secret};
use crate::error::{Error, Result};
use crate::model::{Role, Token};

impl Registry {
    /// Creates a token; the secret is returned this once and stored only as a hash.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        subjects: Vec<String>,
    ) -> Result<(Token, String)> {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !valid {
            return Err(Error::BadRequest(format!(
                "token name '{name}' may hold letters, digits, '-', '_' and '.'"
            )));
        }
        let token = Token {
            name: name.to_string(),
            role,
            subjects,
            created_at: crate::store::now_millis(),
        };
        let secret = new_secret();
        let audit = audit_line(
            "token.create",
            &format!("token/{name}"),
            None,
            serde_json::to_value(&token).ok(),
        );
        self.store()
            .create_token(&token, &hash_secret(&secret), &audit)
            .await?;
        Ok((token, secret))
    }

    pub async fn tokens(&self) -> Result<Vec<Token>> {
        self.store().tokens().await
    }

    pub async fn delete_token(&self, name: &str) -> Result<()> {
        let before = self
            .store()
            .tokens()
            .await?
            .into_iter()
            .find(|t| t.name == name);
        let audit = audit_line(
            "token.delete",
            &format!("token/{name}"),
            before.and_then(|t| serde_json::to_value(t).ok()),
            None,
        );
        if !self.store().delete_token(name, &audit).await? {
            return Err(Error::CatalogNotFound {
                kind: "token".into(),
                name: name.into(),
            });
        }
        self.forget_token(name);
        Ok(())
    }

    /// The token a secret belongs to, if any.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<Token>> {
        let hash = hash_secret(secret);
        if let Some(token) = self.cached_token(&hash) {
            return Ok(Some(token));
        }
        let token = self.store().token_by_hash(&hash).await?;
        if let Some(t) = &token {
            self.remember_token(&hash, t);
        }
        Ok(token)
    }
}
