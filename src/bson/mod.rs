//! BSON (<https://bsonspec.org/spec.html>) to and from [`Document`](crate::Document): every
//! element type, validated like the BSON corpus `decodeErrors`, bounded by
//! [`Limits`](crate::Limits), and read and written without recursion; or validated and viewed
//! in place ([`view()`]).

mod read;
mod view;
mod write;

pub use self::read::read;
pub(crate) use self::read::{read_in, Stacks};
pub use self::view::{view, ArrayView, DocumentView, ValueRef};
pub use self::write::write;
pub(crate) use self::write::write_to;
