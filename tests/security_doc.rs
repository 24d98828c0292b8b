//! SECURITY.md promises the pickle tables verbatim: keep the copies equal to the code.

const SECURITY: &str = include_str!("../SECURITY.md");
const OPS: &str = include_str!("../src/pickle/ops.rs");

/// The `pub const NAME ... ];` block of `src/pickle/ops.rs`.
fn block(name: &str) -> &'static str {
    let start = OPS
        .find(&format!("pub const {name}"))
        .unwrap_or_else(|| panic!("{name} not in ops.rs"));
    let len = OPS[start..].find("\n];").expect("table end") + 3;
    &OPS[start..start + len]
}

#[test]
fn security_doc_tables_match_the_code() {
    for name in ["WHITELIST", "OPCODES"] {
        assert!(
            SECURITY.contains(block(name)),
            "SECURITY.md's copy of {name} differs from src/pickle/ops.rs: copy it again"
        );
    }
}
