//! A small client for the Confluent REST API: retries with backoff on connection errors and 5xx,
//! clear messages for 401/403/404, and nothing a Confluent or Karapace server would not answer.

use std::time::Duration;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use serde_json::Value;

use super::Connection;

const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// Why a call failed; every one of them exits with code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the registry at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the registry refused the credentials (HTTP 401): set --token/HERALD_TOKEN or --basic-auth/HERALD_BASIC_AUTH")]
    Unauthorized,
    #[error("not allowed (HTTP 403): the credentials lack the rights for {0}")]
    Forbidden(String),
    #[error("the registry answered HTTP {status} (error_code {code}): {message}")]
    Server {
        status: u16,
        code: i64,
        message: String,
    },
}

impl ClientError {
    pub fn code(&self) -> Option<i64> {
        match self {
            ClientError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    conn: Connection,
}

/// A service a change would break, as Herald's impact analysis reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Impact {
    pub service: String,
    /// `consumer` or `producer`.
    pub role: String,
    /// The catalog version the service declared it reads or writes.
    #[serde(default)]
    pub version: Option<String>,
    pub team: Option<String>,
    pub contact: Option<String>,
    /// Why, in one sentence.
    pub reason: Option<String>,
}

/// What Herald's impact analysis answers: the services a candidate breaks, and why the
/// registry's compatibility level refuses it, as data.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct Analysis {
    #[serde(default)]
    pub breaks: Vec<Impact>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub against_version: Option<i64>,
    #[serde(default)]
    pub reasons: Vec<crate::formats::Reason>,
}

/// The outcome of a compatibility check.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub compatible: bool,
    pub messages: Vec<String>,
}

pub fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, NON_ALPHANUMERIC).to_string()
}

impl Client {
    pub fn new(conn: &Connection) -> Result<Client, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(conn.timeout())
            .user_agent(concat!("herald-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Unreachable {
                url: conn.url.clone(),
                reason: e.to_string(),
            })?;
        Ok(Client {
            http,
            base: conn.url.trim_end_matches('/').to_string(),
            conn: conn.clone(),
        })
    }

    /// Sends one request, retrying connection failures and 5xx answers with exponential backoff.
    /// Returns the status and JSON body of any answer below 500.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), ClientError> {
        let url = format!("{}{}", self.base, path);
        let mut attempt = 0;
        loop {
            let mut req = self
                .http
                .request(method.clone(), &url)
                .header("accept", CONTENT_TYPE);
            if let Some(token) = &self.conn.token {
                req = req.bearer_auth(token);
            } else if let Some(basic) = &self.conn.basic_auth {
                let (user, pass) = basic.split_once(':').unwrap_or((basic, ""));
                req = req.basic_auth(user, Some(pass));
            }
            if let Some(b) = body {
                req = req.header("content-type", CONTENT_TYPE).body(b.to_string());
            }
            let failure = match req.send().await {
                Ok(resp) if resp.status().as_u16() < 500 => {
                    let status = resp.status().as_u16();
                    let text = resp.text().await.unwrap_or_default();
                    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                    return match status {
                        401 => Err(ClientError::Unauthorized),
                        403 => Err(ClientError::Forbidden(format!("{method} {path}"))),
                        _ => Ok((status, value)),
                    };
                }
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let value: Value = resp.json().await.unwrap_or(Value::Null);
                    server_error(status, &value)
                }
                Err(e) => ClientError::Unreachable {
                    url: self.base.clone(),
                    reason: root_cause(&e),
                },
            };
            if attempt >= self.conn.retries {
                return Err(failure);
            }
            attempt += 1;
            let backoff = Duration::from_millis(200 * (1 << attempt.min(5)));
            tokio::time::sleep(backoff).await;
        }
    }

    /// A GET of any path; the status and JSON body of an answer below 500.
    pub async fn get(&self, path: &str) -> Result<(u16, Value), ClientError> {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// A POST to any path; the status and JSON body of an answer below 500.
    pub async fn post(&self, path: &str, body: &Value) -> Result<(u16, Value), ClientError> {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// Registers a schema; returns (id, version). Registries in the 7.x dialect answer only the
    /// id, so the version comes from a lookup.
    pub async fn register(
        &self,
        subject: &str,
        body: &Value,
    ) -> Result<(i64, Option<i64>), ClientError> {
        let path = format!("/subjects/{}/versions", encode(subject));
        let (status, answer) = self.send(reqwest::Method::POST, &path, Some(body)).await?;
        if status != 200 {
            return Err(server_error(status, &answer));
        }
        let id = answer["id"]
            .as_i64()
            .ok_or_else(|| server_error(status, &answer))?;
        if let Some(v) = answer["version"].as_i64() {
            return Ok((id, Some(v)));
        }
        let (status, found) = self
            .send(
                reqwest::Method::POST,
                &format!("/subjects/{}", encode(subject)),
                Some(body),
            )
            .await?;
        Ok((
            id,
            (status == 200).then(|| found["version"].as_i64()).flatten(),
        ))
    }

    /// Checks a schema against the versions the subject's level requires. A subject without
    /// versions is compatible. Registries without the all-versions route (Karapace) are asked
    /// about the latest version instead.
    pub async fn check(&self, subject: &str, body: &Value) -> Result<Verdict, ClientError> {
        let all = format!(
            "/compatibility/subjects/{}/versions?verbose=true",
            encode(subject)
        );
        let (mut status, mut answer) = self.send(reqwest::Method::POST, &all, Some(body)).await?;
        if status == 404 && answer["error_code"].as_i64().is_none_or(|c| c == 404) {
            let latest = format!(
                "/compatibility/subjects/{}/versions/latest?verbose=true",
                encode(subject)
            );
            (status, answer) = self
                .send(reqwest::Method::POST, &latest, Some(body))
                .await?;
        }
        if status == 404 && matches!(answer["error_code"].as_i64(), Some(40401 | 40402)) {
            return Ok(Verdict {
                compatible: true,
                messages: Vec::new(),
            });
        }
        if status != 200 {
            return Err(server_error(status, &answer));
        }
        let verdict = Verdict {
            compatible: answer["is_compatible"].as_bool().unwrap_or(false),
            messages: answer["messages"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        };
        // With verbose=true Confluent reports an unparsable schema as merely incompatible, its
        // parse error as the only message; asked without verbose it answers 42201.
        let compared = verdict
            .messages
            .iter()
            .any(|m| m.starts_with("{oldSchemaVersion"));
        if !verdict.compatible && !compared {
            let plain = format!(
                "/compatibility/subjects/{}/versions/latest",
                encode(subject)
            );
            let (status, answer) = self.send(reqwest::Method::POST, &plain, Some(body)).await?;
            if status == 422 {
                return Err(server_error(status, &answer));
            }
        }
        Ok(verdict)
    }

    /// Herald's impact analysis: the producers and consumers a candidate schema would break,
    /// and its reasons as data. `None` when the registry does not offer it (any registry but a
    /// Herald).
    pub async fn impact(
        &self,
        subject: &str,
        body: &Value,
    ) -> Result<Option<Analysis>, ClientError> {
        let path = format!("/herald/v1/subjects/{}/impact", encode(subject));
        let (status, answer) = self.send(reqwest::Method::POST, &path, Some(body)).await?;
        match status {
            200 => Ok(Some(serde_json::from_value(answer).unwrap_or_default())),
            404 | 405 => Ok(None),
            _ => Err(server_error(status, &answer)),
        }
    }

    /// The subject's effective compatibility level, when the registry tells.
    pub async fn level(&self, subject: &str) -> Option<String> {
        let path = format!("/config/{}?defaultToGlobal=true", encode(subject));
        match self.send(reqwest::Method::GET, &path, None).await {
            Ok((200, v)) => v["compatibilityLevel"].as_str().map(str::to_string),
            _ => None,
        }
    }
}

fn server_error(status: u16, body: &Value) -> ClientError {
    ClientError::Server {
        status,
        code: body["error_code"].as_i64().unwrap_or(status as i64),
        message: body["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| body.to_string()),
    }
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
