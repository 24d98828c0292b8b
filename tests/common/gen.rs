//! Sessions built in Rust for the interop tests: fixed ones that name every type and boundary,
//! and seeded random ones (SplitMix64, so a failure names a seed that reproduces it).

use std::str::FromStr;

use beaker_session_jwt::{CodeWithScope, Document, Regex, Session, Value};

/// Which values a cookie mode can carry both ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Every BSON type that Python reads back as itself: all but Undefined, Symbol and
    /// DbPointer, datetimes within years 1..=9999.
    Bson,
    /// JSON types; integers canonical (`Int32` when they fit, as Python's `int` comes back).
    Json,
    /// JSON types plus `bytes` (Binary subtype 0) and datetimes: what a legacy pickle holds.
    Pickle,
}

/// SplitMix64.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

const PIECES: &[&str] = &[
    "a",
    "Z",
    "0",
    " ",
    "session",
    "\u{e9}",
    "\u{df}",
    "\u{65e5}\u{672c}",
    "\u{1f600}",
    "\u{1f44d}\u{1f3fd}",
    "\0",
    "\"",
    "\\",
    "/",
    "\n",
    "\t",
    "\u{7f}",
    "\u{80}",
    "\u{2028}",
    "\u{feff}",
    "\u{ffff}",
    "\u{10ffff}",
    "$",
    ".",
    "=",
    ";",
];

/// Smallest and largest BSON datetimes Python reads: 0001-01-01 and 9999-12-31T23:59:59.999.
pub const DATETIME_MIN_MS: i64 = -62_135_596_800_000;
/// See [`DATETIME_MIN_MS`].
pub const DATETIME_MAX_MS: i64 = 253_402_300_799_999;

const DOUBLES: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    2.0,
    -1.5,
    0.1,
    1.0 / 3.0,
    1e16,
    1e20,
    1e-7,
    1_700_000_000.123_456,
    9_007_199_254_740_993.0,
    5e-324,
    f64::MIN_POSITIVE,
    f64::MAX,
    f64::MIN,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

const INTS: &[i64] = &[
    0,
    1,
    -1,
    i32::MAX as i64,
    i32::MIN as i64,
    i32::MAX as i64 + 1,
    i32::MIN as i64 - 1,
    (1 << 53) + 1,
    i64::MAX,
    i64::MIN,
];

const DECIMALS: &[&str] = &[
    "0",
    "-0",
    "1.5E+3",
    "123.456",
    "-1.0",
    "NaN",
    "Infinity",
    "-Infinity",
    "1E-6176",
    "9.999999999999999999999999999999999E+6144",
    "1234567890123456789012345678901234",
];

const BINARY_SUBTYPES: &[u8] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0xff];

/// A Decimal128 value from its string form.
pub fn decimal(s: &str) -> Value {
    Value::Decimal128(
        bson::Decimal128::from_str(s)
            .expect("valid decimal")
            .bytes(),
    )
}

/// A string of up to `max` random pieces.
pub fn string(rng: &mut Rng, max: usize) -> String {
    (0..rng.below(max + 1)).map(|_| *rng.pick(PIECES)).collect()
}

/// A key every mode can carry: no NUL (BSON keys are C strings) and no leading `$` (which
/// Extended JSON would read as an operator).
pub fn key(rng: &mut Rng) -> String {
    let mut k = string(rng, 3);
    k.retain(|c| c != '\0');
    if k.starts_with('$') {
        k.insert(0, 'k');
    }
    k
}

fn double(rng: &mut Rng) -> f64 {
    if rng.one_in(2) {
        *rng.pick(DOUBLES)
    } else {
        let d = f64::from_bits(rng.next_u64());
        if d.is_nan() {
            0.5
        } else {
            d
        }
    }
}

fn int(rng: &mut Rng) -> i64 {
    if rng.one_in(2) {
        *rng.pick(INTS)
    } else {
        (rng.next_u64() >> rng.below(64)) as i64
    }
}

fn datetime(rng: &mut Rng) -> i64 {
    match rng.below(4) {
        0 => *rng.pick(&[0, -1, 1, DATETIME_MIN_MS, DATETIME_MAX_MS]),
        _ => DATETIME_MIN_MS + (rng.next_u64() % (DATETIME_MAX_MS - DATETIME_MIN_MS) as u64) as i64,
    }
}

fn regex_options(rng: &mut Rng) -> String {
    "ilmsux".chars().filter(|_| rng.one_in(2)).collect()
}

fn document(rng: &mut Rng, profile: Profile, depth: usize) -> Document {
    let mut doc = Document::new();
    for _ in 0..rng.below(4) {
        let k = key(rng);
        doc.insert(k, value(rng, profile, depth + 1));
    }
    doc
}

/// A random value for `profile`, nested at most 3 deep.
pub fn value(rng: &mut Rng, profile: Profile, depth: usize) -> Value {
    let kinds = match profile {
        Profile::Json => 7,
        Profile::Pickle => 9,
        Profile::Bson => 20,
    };
    let kind = rng.below(if depth >= 3 { kinds.min(5) } else { kinds });
    match (kind, profile) {
        (0, _) => Value::String(string(rng, 6).into()),
        (1, _) => Value::from(int(rng)),
        (2, _) => Value::Double(double(rng)),
        (3, _) => Value::Bool(rng.one_in(2)),
        (4, _) => Value::Null,
        (5, _) => Value::Document(document(rng, profile, depth)),
        (6, _) => Value::Array(
            (0..rng.below(4))
                .map(|_| value(rng, profile, depth + 1))
                .collect(),
        ),
        (7, Profile::Pickle) => Value::Binary {
            subtype: 0,
            bytes: {
                let n = rng.below(20);
                rng.bytes(n)
            },
        },
        (8, Profile::Pickle) => Value::DateTime(datetime(rng)),
        (7, _) => Value::Binary {
            subtype: *rng.pick(BINARY_SUBTYPES),
            bytes: {
                let n = rng.below(20);
                rng.bytes(n)
            },
        },
        (8, _) => Value::DateTime(datetime(rng)),
        (9, _) => Value::ObjectId(rng.bytes(12).try_into().expect("12 bytes")),
        (10, _) => Value::Int64(int(rng)),
        (11, _) => Value::Int32(rng.next_u64() as i32),
        (12, _) => Value::Regex(Box::new(Regex {
            pattern: string(rng, 4).replace('\0', "").into(),
            options: regex_options(rng).into(),
        })),
        (13, _) => Value::JavaScript(string(rng, 6).into()),
        (14, _) => Value::JavaScriptWithScope(Box::new(CodeWithScope {
            code: string(rng, 6).into(),
            scope: document(rng, profile, depth),
        })),
        (15, _) => Value::Timestamp {
            time: rng.next_u64() as u32,
            increment: rng.next_u64() as u32,
        },
        (16, _) => decimal(DECIMALS[rng.below(DECIMALS.len())]),
        (17, _) => Value::MinKey,
        (18, _) => Value::MaxKey,
        _ => Value::Binary {
            subtype: 4,
            bytes: rng.bytes(16),
        },
    }
}

/// A random session: up to 6 keys, sometimes an `_id` (not first) and sometimes the internal
/// keys `_expires`, `_path`, `_domain` that JWT writes drop.
pub fn session(rng: &mut Rng, profile: Profile) -> Session {
    let mut s = Session::new();
    for _ in 0..rng.below(7) {
        let k = key(rng);
        s.insert(k, value(rng, profile, 0));
    }
    if rng.one_in(4) {
        let id: String = rng.bytes(16).iter().map(|b| format!("{b:02x}")).collect();
        s.insert("_id", id);
    }
    if rng.one_in(5) {
        let expires = match profile {
            Profile::Json => Value::from("Wed, 01-Jan-2030 00:00:00 GMT"),
            _ => Value::DateTime(1_893_456_000_000),
        };
        s.insert("_expires", expires);
        s.insert("_path", "/");
        s.insert("_domain", "example.com");
    }
    s
}

fn doc(entries: Vec<(&str, Value)>) -> Document {
    Document::from_entries(
        entries
            .into_iter()
            .map(|(k, v)| (beaker_session_jwt::Str::from(k), v))
            .collect(),
    )
}

/// Fixed sessions naming every value type and boundary `profile` carries.
pub fn typed_sessions(profile: Profile) -> Vec<(&'static str, Session)> {
    let mut all_strings = Session::new();
    for (i, p) in PIECES.iter().enumerate() {
        all_strings.insert(format!("s{i:02}"), *p);
    }
    all_strings.insert("all", PIECES.concat());
    all_strings.insert("", "empty key");
    all_strings.insert("\u{43a}\u{43b}\u{44e}\u{447}", "cyrillic key");
    all_strings.insert("long", "0123456789".repeat(100));
    let mut ints = Session::new();
    for (i, n) in INTS.iter().enumerate() {
        ints.insert(format!("i{i:02}"), Value::from(*n));
    }
    let mut doubles = Session::new();
    for (i, d) in DOUBLES.iter().enumerate() {
        doubles.insert(format!("d{i:02}"), *d);
    }
    let mut deep = Value::from("bottom");
    for i in 0..30 {
        deep = if i % 2 == 0 {
            Value::Array(vec![deep])
        } else {
            Value::Document(doc(vec![("child", deep)]))
        };
    }
    let nested = doc(vec![
        (
            "dict",
            Value::Document(doc(vec![(
                "a",
                Value::Document(doc(vec![("b", Value::Array(vec![1.into(), Value::Null]))])),
            )])),
        ),
        (
            "list",
            Value::Array(vec![
                1.into(),
                "two".into(),
                3.5.into(),
                Value::Array(vec![]),
                Value::Document(Document::new()),
            ]),
        ),
        ("empty_dict", Value::Document(Document::new())),
        ("empty_list", Value::Array(vec![])),
        ("deep", deep),
    ]);
    let scalars = doc(vec![
        ("t", true.into()),
        ("f", false.into()),
        ("none", Value::Null),
    ]);
    let beaker = doc(vec![
        ("_id", "3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e".into()),
        ("_creation_time", 1_699_990_000.5.into()),
        ("_accessed_time", 1_700_000_000.123_456.into()),
        ("user_id", 1234.into()),
        ("roles", Value::Array(vec!["admin".into(), "editor".into()])),
    ]);
    let order = doc(vec![
        ("zeta", 1.into()),
        ("alpha", 2.into()),
        ("_id", "id".into()),
        ("mid", 3.into()),
    ]);
    let mut sessions = vec![
        ("empty", Session::new()),
        ("beaker", beaker),
        ("strings", all_strings),
        ("ints", ints),
        ("doubles", doubles),
        ("scalars", scalars),
        ("nested", nested),
        ("order", order),
    ];
    if profile != Profile::Json {
        let mut dates = Session::new();
        for (name, ms) in [
            ("epoch", 0),
            ("pre_epoch", -1),
            ("min", DATETIME_MIN_MS),
            ("max", DATETIME_MAX_MS),
            ("leap", 1_709_210_096_789),
        ] {
            dates.insert(name, Value::DateTime(ms));
        }
        sessions.push(("datetimes", dates));
        let bytes = doc(vec![
            (
                "empty",
                Value::Binary {
                    subtype: 0,
                    bytes: vec![],
                },
            ),
            (
                "all",
                Value::Binary {
                    subtype: 0,
                    bytes: (0..=255).collect(),
                },
            ),
        ]);
        sessions.push(("bytes", bytes));
    }
    if profile == Profile::Bson {
        let mut binaries = Session::new();
        for st in BINARY_SUBTYPES {
            binaries.insert(
                format!("st{st:02x}"),
                Value::Binary {
                    subtype: *st,
                    bytes: b"\x10abc".to_vec(),
                },
            );
        }
        sessions.push(("binary_subtypes", binaries));
        let mut decimals = Session::new();
        for (i, d) in DECIMALS.iter().enumerate() {
            decimals.insert(format!("dec{i:02}"), decimal(d));
        }
        sessions.push(("decimals", decimals));
        let oid = *b"\x65\xf0\xc0\xff\xee\x01\x23\x45\x67\x89\xab\xcd";
        sessions.push((
            "bson_types",
            doc(vec![
                ("oid", Value::ObjectId(oid)),
                ("int64_small", Value::Int64(7)),
                ("int64_zero", Value::Int64(0)),
                ("int64_big", Value::Int64(1 << 40)),
                ("int32", Value::Int32(-5)),
                (
                    "regex",
                    Value::Regex(Box::new(Regex {
                        pattern: "^a.*b$".into(),
                        options: "imsx".into(),
                    })),
                ),
                (
                    "regex_all",
                    Value::Regex(Box::new(Regex {
                        pattern: "x".into(),
                        options: "ilmsux".into(),
                    })),
                ),
                (
                    "regex_none",
                    Value::Regex(Box::new(Regex {
                        pattern: String::new().into(),
                        options: String::new().into(),
                    })),
                ),
                (
                    "code",
                    Value::JavaScript("function () { return 1; }".into()),
                ),
                (
                    "code_scope",
                    Value::JavaScriptWithScope(Box::new(CodeWithScope {
                        code: "x + y".into(),
                        scope: doc(vec![("y", 1.into())]),
                    })),
                ),
                (
                    "code_empty_scope",
                    Value::JavaScriptWithScope(Box::new(CodeWithScope {
                        code: "x".into(),
                        scope: Document::new(),
                    })),
                ),
                (
                    "ts",
                    Value::Timestamp {
                        time: 1_700_000_000,
                        increment: 7,
                    },
                ),
                (
                    "ts_max",
                    Value::Timestamp {
                        time: u32::MAX,
                        increment: u32::MAX,
                    },
                ),
                ("min", Value::MinKey),
                ("max", Value::MaxKey),
                (
                    "dbref_doc",
                    Value::Document(doc(vec![
                        ("$ref", "users".into()),
                        ("$id", Value::ObjectId(oid)),
                    ])),
                ),
            ]),
        ));
    }
    sessions
}
