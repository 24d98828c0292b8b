//! Conversions to and from other crates' types (features `bson` and `serde`).

#[cfg(feature = "bson")]
pub mod bson;
#[cfg(feature = "serde")]
mod serde;
