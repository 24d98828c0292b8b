//! The settings a Paste/Pyramid `.ini` hands its app, read as PasteDeploy 3.1 does
//! (`paste/deploy/loadwsgi.py`: `ConfigLoader`, `NicerConfigParser`) over Python 3's
//! `configparser.ConfigParser` (`RawConfigParser._read`, `BasicInterpolation`).
//!
//! - `[section]` headers; `name = value` or `name: value` (the first `=` or `:` splits); lines
//!   starting with `#` or `;` are comments; a line indented deeper than its option continues
//!   the value (joined with newlines; blank lines inside are kept, trailing ones dropped).
//! - Names keep their case (`optionxform = str`). A repeated section or option is an error.
//! - `[DEFAULT]` holds the global options, plus `here` (the file's folder) and `__file__`; the
//!   app gets only its section's own options (one that `[DEFAULT]` also names is skipped, and a
//!   `set NAME` line goes to the globals), and `get NAME = GLOBAL` copies a global in.
//! - Values are interpolated: `%%` is `%`, `%(name)s` is another option of the section or of
//!   `[DEFAULT]`, nested at most 10 deep; any other `%` is an error.
//!
//! Error messages name the file, line, section and option, never a value: values hold keys.

use std::path::Path;

/// configparser's `MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// Options of one section, in file order: `(name, raw value)`.
type Options = Vec<(String, String)>;

struct Parsed {
    defaults: Options,
    sections: Vec<(String, Options)>,
}

/// The `(name, value)` settings PasteDeploy gives the app of `section` in the file at `path`.
///
/// # Errors
/// A message naming the file (and line) when it cannot be read or parsed, when `section` is
/// missing, or when a value cannot be interpolated.
pub fn app_settings(path: &Path, section: &str) -> Result<Vec<(String, String)>, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let here = absolute
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut parsed = parse(&text).map_err(|e| format!("{shown}: {e}"))?;
    let builtins = [
        ("here".to_string(), here),
        ("__file__".to_string(), absolute.display().to_string()),
    ];
    for (name, value) in builtins.into_iter().rev() {
        if !parsed.defaults.iter().any(|(n, _)| *n == name) {
            parsed.defaults.insert(0, (name, value));
        }
    }
    settings(&parsed, section).map_err(|e| format!("{shown}: {e}"))
}

fn settings(parsed: &Parsed, section: &str) -> Result<Vec<(String, String)>, String> {
    let options = parsed
        .sections
        .iter()
        .find(|(name, _)| name == section)
        .map(|(_, options)| options)
        .ok_or_else(|| format!("no [{section}] section"))?;
    let lookup = |name: &str| -> Option<&str> {
        options
            .iter()
            .chain(&parsed.defaults)
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let get = |name: &str, raw: &str| -> Result<String, String> {
        let mut out = String::new();
        interpolate(raw, &lookup, 1, &mut out).map_err(|e| format!("[{section}] {name}: {e}"))?;
        Ok(out)
    };
    let mut out = Vec::new();
    for (name, raw) in options {
        if name.starts_with("set ") || parsed.defaults.iter().any(|(n, _)| n == name) {
            continue;
        }
        if let Some(local) = name.strip_prefix("get ") {
            let global = get(name, raw)?;
            let value = parsed
                .defaults
                .iter()
                .find(|(n, _)| *n == global)
                .ok_or_else(|| format!("[{section}] {name}: no global option {global:?}"))?;
            out.push((local.trim().to_string(), get(&value.0, &value.1)?));
            continue;
        }
        out.push((name.clone(), get(name, raw)?));
    }
    Ok(out)
}

/// `BasicInterpolation._interpolate_some`.
fn interpolate<'a>(
    raw: &str,
    lookup: &impl Fn(&str) -> Option<&'a str>,
    depth: usize,
    out: &mut String,
) -> Result<(), String> {
    if depth > MAX_INTERPOLATION_DEPTH {
        return Err("interpolation nested more than 10 deep".to_string());
    }
    let mut rest = raw;
    while let Some(p) = rest.find('%') {
        out.push_str(rest.get(..p).unwrap_or_default());
        rest = rest.get(p..).unwrap_or_default();
        if let Some(after) = rest.strip_prefix("%%") {
            out.push('%');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("%(") {
            let (name, after) = after
                .split_once(")s")
                .filter(|(name, _)| !name.is_empty() && !name.contains(')'))
                .ok_or_else(|| "a '%(' without a closing ')s'".to_string())?;
            let value = lookup(name).ok_or_else(|| format!("no option {name:?} to interpolate"))?;
            if value.contains('%') {
                interpolate(value, lookup, depth + 1, out)?;
            } else {
                out.push_str(value);
            }
            rest = after;
        } else {
            return Err("a '%' not followed by '%' or '(' (write %% for a literal %)".to_string());
        }
    }
    out.push_str(rest);
    Ok(())
}

/// Leading whitespace, in characters (configparser's `NONSPACECRE.search(line).start()`).
fn indent(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// `RawConfigParser._read` with `strict=True`, `empty_lines_in_values=True`, no inline
/// comments, delimiters `=` and `:`.
fn parse(text: &str) -> Result<Parsed, String> {
    let mut defaults: Options = Vec::new();
    let mut sections: Vec<(String, Options)> = Vec::new();
    // Which options list we are in: None before the first header, Some(None) for [DEFAULT].
    let mut current: Option<Option<usize>> = None;
    // The option being read, as an index into the current list; None right after a header.
    let mut option: Option<usize> = None;
    let mut indent_level = 0;
    for (index, line) in text.lines().enumerate() {
        let lineno = index + 1;
        let value = line.trim();
        let comment = value.starts_with('#') || value.starts_with(';');
        let list = match current {
            Some(None) => Some(&mut defaults),
            Some(Some(i)) => sections.get_mut(i).map(|(_, o)| o),
            None => None,
        };
        if value.is_empty() || comment {
            // A blank line (not a comment) inside a value is part of it.
            if let (false, Some(list), Some(o)) = (comment, list, option) {
                if let Some((_, v)) = list.get_mut(o) {
                    v.push('\n');
                }
            }
            continue;
        }
        let level = indent(line);
        if let (Some(list), Some(o), true) = (list, option, level > indent_level) {
            if let Some((_, v)) = list.get_mut(o) {
                v.push('\n');
                v.push_str(value);
            }
            continue;
        }
        indent_level = level;
        if let Some(header) = value
            .strip_prefix('[')
            .and_then(|v| v.rfind(']').and_then(|end| v.get(..end)))
            .filter(|h| !h.is_empty())
        {
            option = None;
            if header == "DEFAULT" {
                current = Some(None);
            } else if sections.iter().any(|(name, _)| name == header) {
                return Err(format!("line {lineno}: section [{header}] repeated"));
            } else {
                sections.push((header.to_string(), Vec::new()));
                current = Some(Some(sections.len() - 1));
            }
            continue;
        }
        let list = match current {
            None => return Err(format!("line {lineno}: an option before any [section]")),
            Some(None) => &mut defaults,
            Some(Some(i)) => match sections.get_mut(i) {
                Some((_, o)) => o,
                None => return Err(format!("line {lineno}: lost section")),
            },
        };
        let split = value
            .find(['=', ':'])
            .and_then(|at| Some((value.get(..at)?.trim_end(), value.get(at + 1..)?.trim())))
            .filter(|(name, _)| !name.is_empty());
        let Some((name, raw)) = split else {
            return Err(format!("line {lineno}: not `name = value`"));
        };
        if list.iter().any(|(n, _)| n == name) {
            return Err(format!("line {lineno}: option {name:?} repeated"));
        }
        list.push((name.to_string(), raw.to_string()));
        option = Some(list.len() - 1);
    }
    // `_join_multiline_values`: `'\n'.join(val).rstrip()`.
    for (_, v) in defaults
        .iter_mut()
        .chain(sections.iter_mut().flat_map(|(_, o)| o.iter_mut()))
    {
        let trimmed = v.trim_end().len();
        v.truncate(trimmed);
    }
    Ok(Parsed { defaults, sections })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str, name: &str) -> Result<Vec<(String, String)>, String> {
        let mut parsed = parse(text)?;
        parsed
            .defaults
            .insert(0, ("here".to_string(), "/srv/app".to_string()));
        settings(&parsed, name)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ini_reads_like_pastedeploy() {
        let text = "\
# comment
[DEFAULT]
debug = true
secret = from-default

[app:main]
use = egg:myapp
session.type: cookie
Session.Key = kept-case
beaker.session.jwt_secret_keys = k1,
    k2

    k3
; another comment
session.path = %(here)s/sessions %% done
get session.secret = secret
set debug = false
debug = ignored, as PasteDeploy skips options [DEFAULT] names

[other]
session.timeout = 1
";
        assert_eq!(
            section(text, "app:main").unwrap(),
            pairs(&[
                ("use", "egg:myapp"),
                ("session.type", "cookie"),
                ("Session.Key", "kept-case"),
                ("beaker.session.jwt_secret_keys", "k1,\nk2\n\nk3"),
                ("session.path", "/srv/app/sessions % done"),
                ("session.secret", "from-default"),
            ])
        );
        assert!(section(text, "app:missing").is_err());
    }

    #[test]
    fn ini_refuses_what_configparser_refuses() {
        assert!(parse("x = 1\n").is_err(), "option before a section");
        assert!(parse("[a]\nx = 1\nx = 2\n").is_err(), "repeated option");
        assert!(parse("[a]\n[a]\n").is_err(), "repeated section");
        assert!(parse("[a]\njust words\n").is_err(), "no delimiter");
        assert!(parse("[a]\n= 1\n").is_err(), "empty name");
        assert!(section("[a]\nx = 50%\n", "a").is_err(), "lone %");
        assert!(section("[a]\nx = %(nope)s\n", "a").is_err(), "missing name");
        assert!(section("[a]\nx = %(x)s\n", "a").is_err(), "self reference");
    }

    #[test]
    fn ini_interpolates_nested_values() {
        let text = "[a]\nbase = /x\nmid = %(base)s/y\nleaf = %(mid)s/z\n";
        let got = section(text, "a").unwrap();
        assert_eq!(got.last().unwrap().1, "/x/y/z");
    }
}
