//! Conversions to and from other crates' types (feature `bson`).

pub mod bson;
