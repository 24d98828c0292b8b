//! Conversions to and from other crates' types (features `bson` and `serde`): the `bson`
//! crate's documents, Extended JSON through serde, and the caller's own types through serde
//! ([`natural`]).

#[cfg(feature = "bson")]
pub mod bson;
#[cfg(feature = "serde")]
pub mod natural;
#[cfg(feature = "serde")]
mod serde;
