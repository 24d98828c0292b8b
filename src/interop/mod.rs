//! Conversions to and from other crates' types (features `bson` and `serde`): the `bson`
//! crate's documents, Extended JSON through serde, and the caller's own types through serde
//! ([`natural`]); and (feature `arbitrary`) the `arbitrary` crate's `Arbitrary` for
//! [`Value`](crate::Value), [`Document`](crate::Document) (so [`Session`](crate::Session)) and
//! [`Limits`](crate::Limits), for fuzzing with structured sessions (the implementations' docs
//! say what is drawn, within which bounds, and show a cargo-fuzz target).

#[cfg(feature = "arbitrary")]
mod arbitrary;
#[cfg(feature = "bson")]
pub mod bson;
#[cfg(feature = "serde")]
pub mod natural;
#[cfg(feature = "serde")]
mod serde;
