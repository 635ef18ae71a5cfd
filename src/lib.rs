//! Herald: a schema registry and event catalog that speaks the Confluent Schema Registry REST API.

pub mod api;
pub mod auth;
pub mod catalog;
pub mod catalog_entities;
pub mod cli;
pub mod codegen;
pub mod error;
pub mod formats;
pub mod http;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod registry;
pub mod serve_settings;
pub mod server;
pub mod store;
pub mod tls;
pub mod transfer;
pub mod web;

pub use error::{Error, Result};
