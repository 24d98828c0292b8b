#![no_main]
//! `bson::read` on any bytes with the default limits. Oracle: what it reads is writable, and
//! written twice gives the same canonical bytes (decode∘encode∘decode == decode, regex option
//! order aside, which the writer sorts); one byte less of `max_session_bytes` than the document
//! is charged refuses the same bytes; `bson::view` accepts exactly what `read` accepts, with the
//! same error, under the default limits and under tiny ones, and its document is `read`'s.
use beaker_session_jwt::{bson, Limits};
use beaker_session_jwt_fuzz::{assert_charged, tiny_limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for limits in [Limits::DEFAULT, tiny_limits()] {
        let viewed = bson::view(data, &limits).and_then(|v| v.to_document());
        assert_eq!(viewed, bson::read(data, &limits), "view and read disagree");
    }
    if let Ok(doc) = bson::read(data, &Limits::DEFAULT) {
        let bytes = bson::write(&doc).expect("what we read is writable");
        let again = bson::read(&bytes, &Limits::DEFAULT).expect("our bytes read back");
        assert_eq!(bson::write(&again).as_ref(), Ok(&bytes));
        assert_charged(&doc, &Limits::DEFAULT, |l| bson::read(data, l));
    }
});
