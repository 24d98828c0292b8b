//! The `[app:main]` options of `tests/data/*/options.ini`, the per-case `.ini` files beside the
//! vectors and `examples/sample.ini`, read by the library's PasteDeploy reader
//! (`beaker_session_jwt::ini`), so the tests read them as an app would.

use beaker_session_jwt::ini::app_settings;

/// The `(name, value)` pairs of the `[app:main]` section, in file order, names as written.
/// Panics when the text is not a valid `.ini` with that section: the files are fixtures.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    app_settings(text, "app:main", &[]).unwrap_or_else(|e| panic!("fixture .ini: {e}"))
}

/// Borrows owned pairs the way `Config::from_options` takes them.
pub fn borrow(pairs: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}
