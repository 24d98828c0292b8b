#![no_main]
//! `json::read` on any bytes with the default limits. Oracle: what it reads, written as
//! compact JSON (the claims style), reads back equal; one byte less of `max_session_bytes`
//! than the document is charged refuses the same bytes.
use beaker_session_jwt::json::{self, Style};
use beaker_session_jwt::Limits;
use beaker_session_jwt_fuzz::assert_charged;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = json::read(data, &Limits::DEFAULT) {
        let text = json::write(&doc, Style::Compact).expect("what we read is writable");
        assert_eq!(
            json::read(text.as_bytes(), &Limits::DEFAULT),
            Ok(doc.clone())
        );
        assert_charged(&doc, &Limits::DEFAULT, |l| json::read(data, l));
    }
});
