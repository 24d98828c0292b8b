//! BSON (<https://bsonspec.org/spec.html>) to and from [`Document`](crate::Document): every
//! element type, validated like the BSON corpus `decodeErrors`, bounded by
//! [`Limits`](crate::Limits), and read and written without recursion.

mod read;
mod write;

pub use self::read::{read, MAX_NESTING};
pub use self::write::write;
