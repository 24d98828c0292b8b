//! The settings a Paste/Pyramid `.ini` hands its app, read as PasteDeploy 3.1 does
//! (`paste/deploy/loadwsgi.py`: `ConfigLoader`, `NicerConfigParser`) over Python 3's
//! `configparser.ConfigParser` (`RawConfigParser._read`, `BasicInterpolation`).
//!
//! - `[section]` headers; `name = value` or `name: value` (the first `=` or `:` splits); lines
//!   starting with `#` or `;` are comments; a line indented deeper than its option continues
//!   the value (joined with newlines; blank lines inside are kept, trailing ones dropped).
//! - Names keep their case (`optionxform = str`). A repeated section or option is an error.
//! - `[DEFAULT]` holds the global options, plus the built-ins the caller gives (PasteDeploy's
//!   `here`, the file's folder, and `__file__`); the app gets only its section's own options
//!   (one that `[DEFAULT]` also names is skipped, and a `set NAME` line goes to the globals),
//!   and `get NAME = GLOBAL` copies a global in.
//! - Values are interpolated: `%%` is `%`, `%(name)s` is another option of the section or of
//!   `[DEFAULT]`, nested at most 10 deep; any other `%` is an error.
//! - One difference on purpose: a line that starts with `[` and has no `]` is an error ("missing
//!   `]`"), where configparser would read `[app:main` as an option named `[app`.
//!
//! Errors name the line, section and option. They show an option's value only when
//! [`value_is_shown`] says it cannot be a key (a boolean, a timeout, a path: never
//! `jwt_secret_keys` or `original_format_validate_key`). Reading is bounded by the text: every
//! loop walks it once, and interpolation is at most 10 deep.

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::error::Error;

/// configparser's `MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// Options of one section, in file order: `(name, raw value)`.
type Options = Vec<(String, String)>;

struct Parsed {
    defaults: Options,
    sections: Vec<(String, Options)>,
}

/// Why an `.ini` file could not give a [`Config`](crate::Config): what went wrong
/// ([`IniError::kind`]) and where (file, line, section, option). Boxed, so a `Result` carrying it
/// stays one pointer wide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IniError(Box<Where>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Where {
    file: Option<String>,
    line: Option<usize>,
    section: Option<String>,
    option: Option<String>,
    /// The option's value, only when [`value_is_shown`] allows it.
    value: Option<String>,
    kind: IniErrorKind,
}

/// What an [`IniError`] is about. Match on this, not on the `Display` text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IniErrorKind {
    /// The file could not be read (the I/O error's text).
    Read(String),
    /// A line starts with `[` but has no `]`.
    MissingBracket,
    /// An option comes before any `[section]` header.
    OptionBeforeSection,
    /// A line that is not a header, a comment or `name = value`.
    NotNameValue,
    /// A `[section]` header appears twice.
    SectionRepeated,
    /// An option appears twice in one section.
    OptionRepeated,
    /// The requested section is not in the file.
    MissingSection {
        /// The sections the file has, in file order (`DEFAULT` excluded).
        found: Vec<String>,
    },
    /// A `%` in a value cannot be interpolated (the reason; never the value).
    Interpolation(String),
    /// `get NAME = GLOBAL` names a global `[DEFAULT]` does not have.
    NoGlobal(String),
    /// The options were read but [`Config`](crate::Config) refused one (then `option` names
    /// it) or refused the whole (`option` is `None`).
    Config(Error),
}

impl IniError {
    fn new(kind: IniErrorKind) -> IniError {
        IniError(Box::new(Where {
            file: None,
            line: None,
            section: None,
            option: None,
            value: None,
            kind,
        }))
    }

    fn at(line: usize, kind: IniErrorKind) -> IniError {
        let mut e = IniError::new(kind);
        e.0.line = Some(line);
        e
    }

    pub(crate) fn in_section(section: &str, option: Option<&str>, kind: IniErrorKind) -> IniError {
        let mut e = IniError::new(kind);
        e.0.section = Some(section.to_string());
        e.0.option = option.map(ToString::to_string);
        e
    }

    /// `Config::set_option` refused `value` for the option `name` (as the file spells it):
    /// the error names the option, and shows the value when [`value_is_shown`] allows it.
    pub(crate) fn refused(section: &str, name: &str, value: &str, e: Error) -> IniError {
        let mut err = IniError::in_section(section, Some(name), IniErrorKind::Config(e));
        if crate::Config::option_name(name).is_some_and(value_is_shown) {
            err.0.value = Some(value.trim().to_string());
        }
        err
    }

    #[cfg(feature = "std")]
    pub(crate) fn with_file(mut self, file: String) -> IniError {
        self.0.file = Some(file);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &IniErrorKind {
        &self.0.kind
    }

    /// The file, when read from one ([`file_settings`]).
    pub fn file(&self) -> Option<&str> {
        self.0.file.as_deref()
    }

    /// The 1-based line at fault, for a syntax error.
    pub fn line(&self) -> Option<usize> {
        self.0.line
    }

    /// The section being read, when the error is inside one.
    pub fn section(&self) -> Option<&str> {
        self.0.section.as_deref()
    }

    /// The option at fault, as the file spells it (prefix included).
    pub fn option(&self) -> Option<&str> {
        self.0.option.as_deref()
    }

    /// The refused value (trimmed), when the option's value may be shown ([`value_is_shown`]).
    pub fn value(&self) -> Option<&str> {
        self.0.value.as_deref()
    }
}

impl fmt::Display for IniError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.0;
        if let Some(file) = &w.file {
            write!(f, "{file}: ")?;
        }
        if let Some(line) = w.line {
            write!(f, "line {line}: ")?;
        }
        match (&w.section, &w.option, &w.kind) {
            (Some(section), _, IniErrorKind::MissingSection { .. }) => {
                write!(f, "no [{section}] section")?
            }
            (Some(section), Some(option), _) => {
                write!(f, "[{section}] {option}")?;
                if let Some(value) = &w.value {
                    write!(f, " = {value:?}")?;
                }
                f.write_str(": ")?
            }
            (Some(section), None, _) => write!(f, "[{section}]: ")?,
            (None, Some(option), _) => write!(f, "{option}: ")?,
            (None, None, _) => {}
        }
        match &w.kind {
            IniErrorKind::Read(why) => f.write_str(why),
            IniErrorKind::MissingBracket => f.write_str("missing ']' after the section name"),
            IniErrorKind::OptionBeforeSection => f.write_str("an option before any [section]"),
            IniErrorKind::NotNameValue => f.write_str("not `name = value`"),
            IniErrorKind::SectionRepeated => f.write_str("section repeated"),
            IniErrorKind::OptionRepeated => f.write_str("option repeated"),
            IniErrorKind::MissingSection { found } if found.is_empty() => {
                f.write_str(" (the file has no sections)")
            }
            IniErrorKind::MissingSection { found } => {
                f.write_str(" (found: ")?;
                for (i, name) in found.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}[{name}]")?;
                }
                f.write_str(")")
            }
            IniErrorKind::Interpolation(why) => f.write_str(why),
            IniErrorKind::NoGlobal(name) => write!(f, "no global option {name:?}"),
            IniErrorKind::Config(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for IniError {}

/// Whether an error may show the value of the session option `option` (named without its
/// `session.` prefix, as [`Config::option_name`](crate::Config::option_name) gives it): true
/// for every option of [`Config::OPTIONS`](crate::Config::OPTIONS) but the two that hold keys
/// (`jwt_secret_keys`, `original_format_validate_key`); false for any other name, which may be
/// a misspelt key option.
///
/// ```
/// use beaker_session_jwt::ini::value_is_shown;
/// assert!(value_is_shown("secure"));
/// assert!(!value_is_shown("jwt_secret_keys"));
/// assert!(!value_is_shown("jwt_secret_key"));
/// ```
pub fn value_is_shown(option: &str) -> bool {
    const KEYS: [&str; 2] = ["jwt_secret_keys", "original_format_validate_key"];
    crate::Config::OPTIONS.contains(&option) && !KEYS.contains(&option)
}

/// The `(name, value)` settings PasteDeploy gives the app of `section`, in file order, names as
/// written (prefixes kept), values interpolated. `builtins` are `[DEFAULT]` options the file
/// may override: PasteDeploy sets `here` (the file's folder) and `__file__`.
///
/// # Errors
/// [`IniError`] with a line for a syntax error, with [`IniErrorKind::MissingSection`] (listing the sections
/// found) when `section` is missing, with the option's name when a value cannot be
/// interpolated.
///
/// # Limits
/// Bounded by the text: one pass over it; interpolation nests at most 10 deep.
pub fn app_settings(
    text: &str,
    section: &str,
    builtins: &[(&str, &str)],
) -> Result<Vec<(String, String)>, IniError> {
    let mut parsed = parse(text)?;
    for (name, value) in builtins.iter().rev() {
        if !parsed.defaults.iter().any(|(n, _)| n == name) {
            parsed
                .defaults
                .insert(0, ((*name).to_owned(), (*value).to_owned()));
        }
    }
    settings(&parsed, section)
}

/// [`app_settings`] on the file at `path`, with `here` (the file's folder) and `__file__` (its
/// absolute path) as PasteDeploy sets them. Errors carry the path ([`IniError::file`]).
///
/// # Errors
/// As [`app_settings`], and [`IniErrorKind::Read`] when the file cannot be read.
///
/// # Limits
/// As [`app_settings`]; the whole file is read into memory.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn file_settings(
    path: &std::path::Path,
    section: &str,
) -> Result<Vec<(String, String)>, IniError> {
    let with_file = |e: IniError| e.with_file(path.display().to_string());
    let text = std::fs::read_to_string(path)
        .map_err(|e| with_file(IniError::new(IniErrorKind::Read(e.to_string()))))?;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // Only the root has no parent, and it is no file: it was read above, so this cannot fail.
    let here = absolute
        .parent()
        .map(|p| p.display().to_string())
        .ok_or_else(|| {
            with_file(IniError::new(IniErrorKind::Read(
                "the file has no parent directory".into(),
            )))
        })?;
    let file = absolute.display().to_string();
    app_settings(&text, section, &[("here", &here), ("__file__", &file)]).map_err(with_file)
}

fn settings(parsed: &Parsed, section: &str) -> Result<Vec<(String, String)>, IniError> {
    let options = parsed
        .sections
        .iter()
        .find(|(name, _)| name == section)
        .map(|(_, options)| options)
        .ok_or_else(|| {
            let found = parsed.sections.iter().map(|(n, _)| n.clone()).collect();
            IniError::in_section(section, None, IniErrorKind::MissingSection { found })
        })?;
    let lookup = |name: &str| -> Option<&str> {
        options
            .iter()
            .chain(&parsed.defaults)
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let get = |name: &str, raw: &str| -> Result<String, IniError> {
        let mut out = String::new();
        interpolate(raw, &lookup, 1, &mut out).map_err(|why| {
            IniError::in_section(section, Some(name), IniErrorKind::Interpolation(why))
        })?;
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
                .ok_or_else(|| {
                    IniError::in_section(section, Some(name), IniErrorKind::NoGlobal(global))
                })?;
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
        let (before, from) = rest.split_at(p);
        out.push_str(before);
        rest = from;
        if let Some(after) = rest.strip_prefix("%%") {
            out.push('%');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("%(") {
            let (name, after) = after
                .split_once(")s")
                .filter(|(name, _)| !name.is_empty() && !name.contains(')'))
                .ok_or_else(|| "a '%(' without a closing ')s'".to_string())?;
            let value =
                lookup(name).ok_or_else(|| alloc::format!("no option {name:?} to interpolate"))?;
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
fn parse(text: &str) -> Result<Parsed, IniError> {
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
        if let Some(inside) = value.strip_prefix('[') {
            let Some(end) = inside.rfind(']') else {
                return Err(IniError::at(lineno, IniErrorKind::MissingBracket));
            };
            let (header, _) = inside.split_at(end);
            if header.is_empty() {
                return Err(IniError::at(lineno, IniErrorKind::NotNameValue));
            }
            option = None;
            if header == "DEFAULT" {
                current = Some(None);
            } else if sections.iter().any(|(name, _)| name == header) {
                let mut e = IniError::at(lineno, IniErrorKind::SectionRepeated);
                e.0.section = Some(header.to_string());
                return Err(e);
            } else {
                sections.push((header.to_string(), Vec::new()));
                current = Some(Some(sections.len() - 1));
            }
            continue;
        }
        let list = match current {
            None => return Err(IniError::at(lineno, IniErrorKind::OptionBeforeSection)),
            Some(None) => &mut defaults,
            Some(Some(i)) => match sections.get_mut(i) {
                Some((_, o)) => o,
                None => return Err(IniError::at(lineno, IniErrorKind::OptionBeforeSection)),
            },
        };
        let split = value
            .find(['=', ':'])
            .and_then(|at| Some((value.get(..at)?.trim_end(), value.get(at + 1..)?.trim())))
            .filter(|(name, _)| !name.is_empty());
        let Some((name, raw)) = split else {
            return Err(IniError::at(lineno, IniErrorKind::NotNameValue));
        };
        if list.iter().any(|(n, _)| n == name) {
            let mut e = IniError::at(lineno, IniErrorKind::OptionRepeated);
            e.0.option = Some(name.to_string());
            return Err(e);
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

    fn section(text: &str, name: &str) -> Result<Vec<(String, String)>, IniError> {
        app_settings(text, name, &[("here", "/srv/app")])
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
        let missing = section(text, "app:missing").unwrap_err();
        assert_eq!(
            missing.to_string(),
            "no [app:missing] section (found: [app:main], [other])"
        );
    }

    #[test]
    fn ini_refuses_what_configparser_refuses() {
        let kind = |text: &str| parse(text).err().map(|e| e.kind().clone());
        assert_eq!(kind("x = 1\n"), Some(IniErrorKind::OptionBeforeSection));
        assert_eq!(
            kind("[a]\nx = 1\nx = 2\n"),
            Some(IniErrorKind::OptionRepeated)
        );
        assert_eq!(kind("[a]\n[a]\n"), Some(IniErrorKind::SectionRepeated));
        assert_eq!(kind("[a]\njust words\n"), Some(IniErrorKind::NotNameValue));
        assert_eq!(kind("[a]\n= 1\n"), Some(IniErrorKind::NotNameValue));
        assert_eq!(
            kind("[app:main\nx = 1\n"),
            Some(IniErrorKind::MissingBracket)
        );
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
