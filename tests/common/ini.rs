//! Reads the option files of `tests/data/*/options.ini` and `examples/sample.ini`.

/// `name = value` pairs of a Beaker `.ini` file, in order. Blank lines, `#`/`;` comments and
/// `[section]` headers are skipped; names and values are trimmed.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with(['#', ';', '[']))
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect()
}

/// Borrows owned pairs the way `Config::from_options` takes them.
pub fn borrow(pairs: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}
