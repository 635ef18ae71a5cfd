//! The catalog's entities (domains, teams, services, events, the policy and the ownership rules)
//! and the whole catalog as one value: plain data that the registry holds in memory and that
//! the catalog's operations (plan, apply, impact, lint) work on.

pub mod contents;
pub mod model;
