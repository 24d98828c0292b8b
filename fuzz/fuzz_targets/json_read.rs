#![no_main]
//! `json::read` on any bytes with the default limits. Oracle: what it reads, written as
//! compact JSON (the claims style), reads back equal.
use beaker_session_jwt::json::{self, Style};
use beaker_session_jwt::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = json::read(data, &Limits::DEFAULT) {
        let text = json::write(&doc, Style::Compact).expect("what we read is writable");
        assert_eq!(json::read(text.as_bytes(), &Limits::DEFAULT), Ok(doc));
    }
});
