#![no_main]
//! `base85::decode` on any bytes. Oracle: what it decodes, `encode` writes back to text that
//! decodes to the same bytes, and a text of whole 5-character groups is the one encoding.
use beaker_session_jwt::base85;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| {
    if let Ok(bytes) = base85::decode(text) {
        let again = base85::encode(&bytes);
        assert_eq!(base85::decode(again.as_bytes()).as_ref(), Ok(&bytes));
        if text.len().is_multiple_of(5) {
            assert_eq!(again.as_bytes(), text);
        }
    }
});
