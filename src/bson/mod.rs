//! BSON (<https://bsonspec.org/spec.html>) to and from [`Document`](crate::Document).

mod read;
mod write;

pub use self::read::read;
pub use self::write::write;
