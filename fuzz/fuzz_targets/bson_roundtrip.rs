#![no_main]
//! An arbitrary document (every BSON type) written by `bson::write` reads back equal, but for a
//! symbol and undefined, read as pymongo reads them: a string and null (`as_read`).
use beaker_session_jwt::{bson, Limits};
use beaker_session_jwt_fuzz::{as_read, BsonSession};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: BsonSession| {
    let bytes = bson::write(&input.0).expect("generated documents are writable");
    assert_eq!(bson::read(&bytes, &Limits::DEFAULT), Ok(as_read(&input.0)));
});
