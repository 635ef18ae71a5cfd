//! The one error type of the registry, with the Confluent `error_code` and HTTP status of each
//! failure; `http::error` turns it into the wire body `{"error_code": N, "message": "..."}`.

use axum::http::StatusCode;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    #[error("Version {0} not found.")]
    VersionNotFound(String),
    #[error("Schema {0} not found")]
    SchemaIdNotFound(i64),
    #[error("Schema not found")]
    SchemaNotFound,
    // The missing space after the full stop is Confluent's own text.
    #[error("Subject '{0}' was soft deleted.Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    #[error("Subject '{0}' Version {1} was soft deleted.Set permanent=true to delete permanently")]
    VersionSoftDeleted(String, i32),
    #[error("Subject '{0}' Version {1} was not deleted first before being permanently deleted")]
    VersionNotSoftDeleted(String, i32),
    #[error("Subject '{0}' does not have subject-level compatibility configured")]
    SubjectCompatibilityNotConfigured(String),
    #[error("Subject '{0}' does not have subject-level mode configured")]
    SubjectModeNotConfigured(String),
    /// `code` is 409 in the 7.9 dialect and 40901 in the 8.x one.
    #[error("Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]", messages.join(", "))]
    Incompatible {
        subject: String,
        messages: Vec<String>,
        code: u32,
    },
    #[error("Invalid schema: {0}")]
    InvalidSchema(String),
    #[error("{0}")]
    InvalidSchemaBare(String),
    #[error("The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"")]
    InvalidVersion(String),
    #[error("Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive")]
    InvalidCompatibilityLevel,
    #[error("Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT.")]
    InvalidMode,
    #[error("{0}")]
    OperationNotPermitted(String),
    #[error("One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={0},version={1}}}.")]
    ReferenceExists(String, i32),
    // "is not a valid." is Confluent's own text.
    #[error("The specified subject '{0}' is not a valid.")]
    InvalidSubject(String),
    #[error("Register operation failed because schema is too large")]
    SchemaTooLarge,
    #[error("The specified context '{0}' is not empty.")]
    ContextNotEmpty(String),
    /// The cause (a driver error, say) is logged with the request id; the client gets
    /// Confluent's fixed text, never the cause's.
    #[error("Error in the backend data store")]
    Store(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A schema or payload whose checking would pass the work or nesting budget.
    #[error("Invalid schema: too complex to process: {0}")]
    TooComplex(String),
    /// A bug (a panic) or a lost worker; the detail is logged, never sent.
    #[error("Internal Server Error")]
    Internal(String),
    /// The subject changed between reading its versions and writing; retried, then reported.
    #[error("Operation timed out: {0}")]
    Timeout(String),
    #[error("{0}")]
    BadRequest(String),
    /// A request Confluent's validation refuses before any registry logic (a missing body).
    #[error("{0}")]
    Unprocessable(String),
    /// The credentials do not reach what the request names.
    #[error("Forbidden: {0}")]
    Forbidden(String),
    #[error("{kind} '{name}' not found")]
    CatalogNotFound { kind: String, name: String },
    #[error("Invalid catalog change: {0}")]
    CatalogInvalid(String),
    #[error("{0}")]
    CatalogConflict(String),
    #[error("HTTP 404 Not Found")]
    NotFound,
    #[error("HTTP 405 Method Not Allowed")]
    MethodNotAllowed,
    #[error("HTTP 415 Unsupported Media Type")]
    UnsupportedMediaType,
    #[error("Request body is larger than the limit of {0} bytes")]
    PayloadTooLarge(usize),
}

impl Error {
    /// The Confluent `error_code`; its first three digits are the HTTP status.
    pub fn code(&self) -> u32 {
        use Error::*;
        match self {
            SubjectNotFound(_) => 40401,
            VersionNotFound(_) => 40402,
            SchemaIdNotFound(_) | SchemaNotFound => 40403,
            SubjectSoftDeleted(_) => 40404,
            SubjectNotSoftDeleted(_) => 40405,
            VersionSoftDeleted(..) => 40406,
            VersionNotSoftDeleted(..) => 40407,
            SubjectCompatibilityNotConfigured(_) => 40408,
            SubjectModeNotConfigured(_) => 40409,
            Incompatible { code, .. } => *code,
            InvalidSchema(_) | InvalidSchemaBare(_) => 42201,
            InvalidVersion(_) => 42202,
            InvalidCompatibilityLevel => 42203,
            InvalidMode => 42204,
            OperationNotPermitted(_) => 42205,
            ReferenceExists(..) => 42206,
            InvalidSubject(_) => 42208,
            SchemaTooLarge => 42209,
            ContextNotEmpty(_) => 42211,
            Store(_) | Internal(_) => 50001,
            TooComplex(_) => 42201,
            Timeout(_) => 50002,
            BadRequest(_) => 400,
            Unprocessable(_) => 422,
            Forbidden(_) => 403,
            // Herald's own codes, in Confluent's scheme: status followed by two digits.
            CatalogNotFound { .. } => 40490,
            CatalogInvalid(_) => 42290,
            CatalogConflict(_) => 40990,
            NotFound => 404,
            MethodNotAllowed => 405,
            UnsupportedMediaType => 415,
            PayloadTooLarge(_) => 413,
        }
    }

    pub fn status(&self) -> StatusCode {
        let code = self.code();
        let status = if code >= 1000 { code / 100 } else { code };
        StatusCode::from_u16(status as u16).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn not_permitted(message: impl Into<String>) -> Self {
        Error::OperationNotPermitted(message.into())
    }

    /// A caught panic, with its message when it has one.
    pub fn internal_panic(panic: &(dyn std::any::Any + Send)) -> Self {
        let text = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        Error::Internal(format!("panic: {text}"))
    }

    /// A store failure described in words (no driver error behind it).
    pub fn store(detail: impl Into<String>) -> Self {
        Error::Store(detail.into().into())
    }

    /// What is logged for a server-side failure: the detail the client does not see, with
    /// every cause in the chain.
    pub fn detail(&self) -> Option<String> {
        match self {
            Error::Store(cause) => {
                let mut text = cause.to_string();
                let mut next = cause.source();
                while let Some(e) = next {
                    text.push_str(": ");
                    text.push_str(&e.to_string());
                    next = e.source();
                }
                Some(text)
            }
            Error::Internal(d) => Some(d.clone()),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        Error::Store(Box::new(err))
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Error::Store(Box::new(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_driver_error_keeps_its_text_for_the_log_and_never_shows_it() {
        let err = Error::from(sqlx::Error::Protocol("no such table: audit_log".into()));
        assert_eq!(err.code(), 50001);
        assert_eq!(err.to_string(), "Error in the backend data store");
        assert!(std::error::Error::source(&err).is_some());
        let detail = err.detail().expect("a detail");
        assert!(detail.contains("no such table: audit_log"), "{detail}");
    }
}
