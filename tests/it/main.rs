//! The integration tests, one binary: each module drives the real server (or the library) for
//! one area. One binary links the crate once instead of once per area.

mod common;

mod api_compatibility;
mod api_config_mode;
mod api_delete;
mod api_import;
mod api_schemas;
mod api_subjects;
mod api_wire;
mod audit;
mod auth;
mod avro_compat;
mod catalog_api;
mod catalog_code;
mod cli;
mod codegen;
mod config;
mod contexts;
mod fuzz;
mod hardening;
mod impact;
mod json_bounds;
mod json_compat;
mod json_schemas;
mod multi_instance;
mod openapi;
mod ops;
mod payload_validation;
mod persistence;
mod protobuf_compat;
mod protobuf_schemas;
mod readme;
mod references;
mod structure;
mod tls;
mod transfer;
mod web_browser;
mod web_fields;
mod web_pages;
