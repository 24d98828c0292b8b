//! Hostile pickles: each is refused with a typed error (or kept inert as a placeholder), with
//! bounded memory and time, and never panics.

use base64ct::{Base64, Encoding};
use beaker_session_jwt::pickle::{self, Target};
use beaker_session_jwt::{Error, Layer, Limit, Limits, Session};
use serde_json::Value as Json;

const PYTHON_COOKIES: &str = include_str!("data/legacy/python_cookies.json");

fn read(p: &[u8]) -> Result<pickle::Pickled, Error> {
    pickle::read(p, &Limits::DEFAULT)
}

fn session(p: &[u8], remove: &[&str]) -> Result<Session, Error> {
    read(p)?.into_session(Target::Bson, remove, &Limits::DEFAULT)
}

fn malformed_at(r: Result<impl std::fmt::Debug, Error>, at: usize) {
    match r {
        Err(Error::Malformed {
            layer: Layer::Pickle,
            offset,
            ..
        }) => assert_eq!(offset, at),
        other => panic!("want malformed at {at}, got {other:?}"),
    }
}

/// BINUNICODE of `s`.
fn x(s: &str) -> Vec<u8> {
    let mut v = vec![b'X'];
    v.extend_from_slice(&(s.len() as u32).to_le_bytes());
    v.extend_from_slice(s.as_bytes());
    v
}

/// `{'a': 1, 'evil': <payload>}` at protocol 2.
fn around(payload: &[u8]) -> Vec<u8> {
    [
        &b"\x80\x02}("[..],
        &x("a"),
        b"K\x01",
        &x("evil"),
        payload,
        b"u.",
    ]
    .concat()
}

/// Python-written pickles of every protocol, from the committed fixtures.
fn python_pickles() -> Vec<(String, Vec<u8>)> {
    let all: Json = serde_json::from_str(PYTHON_COOKIES).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["serializer"] == "pickle" && e["expect"].get("session").is_some())
        .map(|e| {
            let cookie = e["cookie"].as_str().unwrap().trim_matches('"');
            (
                e["name"].as_str().unwrap().to_owned(),
                Base64::decode_vec(&cookie[40..]).unwrap(),
            )
        })
        .collect()
}

/// Protocol-5 out-of-band buffers have no buffer to take, and no protocol above 5 exists. (That
/// every byte outside the opcode table is refused is an internal test, beside the table:
/// `tests/internal/pickle_tables.rs`.)
#[test]
fn pickle_refuses_out_of_band_buffers_and_unknown_protocols() {
    assert!(
        matches!(read(b"\x80\x02\x97."), Err(Error::Unsupported { .. })),
        "NEXT_BUFFER"
    );
    assert!(
        matches!(
            read(b"\x80\x06}."),
            Err(Error::Unsupported { offset: 0, .. })
        ),
        "protocol 6"
    );
}

/// Code-running globals become inert placeholders: an error naming the key and the global, or
/// nothing at all once the key is removed. None of them is ever looked up or called.
#[test]
fn pickle_dangerous_globals_are_inert_placeholders() {
    let cases: [(&[u8], &str); 9] = [
        (b"cos\nsystem\n", "os.system"),
        (b"cposix\nsystem\n", "posix.system"),
        (b"cnt\nsystem\n", "nt.system"),
        (b"csubprocess\nPopen\n", "subprocess.Popen"),
        (b"cbuiltins\neval\n", "builtins.eval"),
        (b"c__builtin__\neval\n", "__builtin__.eval"),
        (b"cbuiltins\nexec\n", "builtins.exec"),
        (b"cbuiltins\n__import__\n", "builtins.__import__"),
        (b"cpickle\nloads\n", "pickle.loads"),
    ];
    for (global, name) in cases {
        let payload = [global, &x("touch /tmp/pwned"), b"\x85R"].concat();
        let p = around(&payload);
        match session(&p, &[]) {
            Err(Error::Placeholder(refused)) => {
                assert_eq!((refused.key(), refused.global()), ("evil", name));
            }
            other => panic!("{name}: {other:?}"),
        }
        let kept = session(&p, &["evil"]).unwrap();
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["a"]);
    }
}

/// A placeholder used where a whitelisted call needs a value makes the result a placeholder:
/// an aware datetime whose tzinfo is `os.system(...)` is inert too.
#[test]
fn pickle_placeholder_arguments_stay_inert() {
    let payload = [
        &b"cdatetime\ndatetime\nC\n\x07\xe8\x01\x02\0\0\0\0\0\0cos\nsystem\n"[..],
        &x("id"),
        b"\x85R\x86R",
    ]
    .concat();
    assert!(matches!(
        session(&around(&payload), &[]),
        Err(Error::Placeholder { .. })
    ));
    // BUILD with a placeholder state on a whitelisted object, and BUILD on a placeholder.
    let payload = [
        &b"cbson.objectid\nObjectId\n)\x81cos\nsystem\n"[..],
        &x("id"),
        b"\x85Rb",
    ]
    .concat();
    assert!(matches!(
        session(&around(&payload), &[]),
        Err(Error::Placeholder { .. })
    ));
    let payload = [&b"cos\nsystem\n)\x81}b"[..]].concat();
    assert!(matches!(session(&around(&payload), &["evil"]), Ok(s) if s.len() == 1));
}

/// Billion laughs: ten lists of ten references to the previous list is 10**9 values once
/// expanded, from a pickle of a few hundred bytes. The reader shares the objects; building the
/// session counts every expanded value and stops at `max_items`.
#[test]
fn pickle_memo_bomb_stops_at_max_items() {
    let mut p = b"\x80\x02}X\x01\x00\x00\x00b]q\x00K\x01a0".to_vec();
    for level in 1..=9u8 {
        p.extend_from_slice(b"](");
        p.extend(std::iter::repeat([b'h', level - 1]).take(10).flatten());
        p.extend_from_slice(&[b'e', b'q', level, b'0']);
    }
    p.extend_from_slice(b"h\x09s.");
    let pickled = read(&p).unwrap();
    // With the defaults the session budget trips first (a few hundred copies in); without it,
    // the item count.
    let got = pickled.into_session(Target::Bson, &[] as &[&str], &Limits::DEFAULT);
    assert_eq!(got, Err(Error::LimitExceeded(Limit::SessionBytes)));
    let mut limits = Limits::DEFAULT;
    limits.max_session_bytes = usize::MAX;
    let pickled = read(&p).unwrap();
    let got = pickled.into_session(Target::Bson, &[] as &[&str], &limits);
    assert_eq!(got, Err(Error::LimitExceeded(Limit::Items)));
}

/// The same with one 200 KB string referenced 100 times: the bytes built are counted too.
#[test]
fn pickle_memo_string_bomb_stops_at_max_inflated_len() {
    let big = "x".repeat(200_000);
    let mut p = [&b"\x80\x02}"[..], &x("s"), &x(&big), b"q\x00"].concat();
    p.extend_from_slice(b"X\x01\x00\x00\x00l](");
    p.extend(std::iter::repeat(*b"h\x00").take(100).flatten());
    p.extend_from_slice(b"eu.");
    p.insert(3, b'(');
    let got = session(&p, &[]);
    assert_eq!(got, Err(Error::LimitExceeded(Limit::InflatedLen)));
    // `_codecs.encode` of a memo'd string copies it: counted before the copies add up.
    let mut p = [&b"\x80\x02]("[..], &x(&big), b"q\x00"].concat();
    for _ in 0..20 {
        p.extend_from_slice(b"c_codecs\nencode\nh\x00");
        p.extend_from_slice(&x("latin1"));
        p.extend_from_slice(b"\x86R");
    }
    p.extend_from_slice(b"e.");
    assert_eq!(
        read(&p).map(|_| ()),
        Err(Error::LimitExceeded(Limit::InflatedLen))
    );
}

/// A copying construction, as its Python generator writes it: `{'a': None}` after
/// `builds` Regex objects, each given by BUILD one memo'd state whose pattern is
/// `pattern` (`V`: UNICODE text, which the reader owns; `X`: BINUNICODE, borrowed).
fn regex_rebuilds(pattern: &[u8], builds: usize) -> Vec<u8> {
    let mut p = [&b"\x80\x02("[..], pattern, b"q\x010}q\x02("].concat();
    p.extend(
        [
            x("flags"),
            b"K\x00".to_vec(),
            x("pattern"),
            b"h\x01u0".to_vec(),
        ]
        .concat(),
    );
    p.extend_from_slice(b"cbson.regex\nRegex\nq\x030)q\x040");
    for _ in 0..builds {
        p.extend_from_slice(b"h\x03h\x04\x81h\x02b");
    }
    p.extend([&b"1}"[..], &x("a"), b"Ns."].concat());
    p
}

/// A Regex rebuilt from a memo'd state copies its pattern each time: each copy is charged, so
/// 360 copies of a 3 KB pattern (1 MB, from a 6 KB pickle) are refused instead of grown
/// into; a few are read as Python reads them.
#[test]
fn pickle_regex_build_copies_are_charged() {
    let owned = [&b"V"[..], &b"x".repeat(3_007), b"\n"].concat();
    assert_eq!(
        session(&regex_rebuilds(&owned, 360), &[]).map(|_| ()),
        Err(Error::LimitExceeded(Limit::InflatedLen))
    );
    // The same pattern borrowed from the input is not copied (each Regex takes a node and a
    // box), but its length counts against `max_inflated_len` at each BUILD, as a new
    // Binary's bytes do.
    let borrowed = x(&"x".repeat(3_007));
    assert_eq!(
        session(&regex_rebuilds(&borrowed, 360), &[]).map(|_| ()),
        Err(Error::LimitExceeded(Limit::InflatedLen))
    );
    for pattern in [owned, borrowed] {
        let got = session(&regex_rebuilds(&pattern, 20), &[]).unwrap();
        assert_eq!(got.keys().collect::<Vec<_>>(), ["a"]);
    }
}

/// A second copying construction: `{'a': None}` after `calls` calls of
/// `collections.OrderedDict(pairs)`, `pairs` one memo'd list of `n` references to one pair.
fn ordered_dict_copies(n: usize, calls: usize) -> Vec<u8> {
    let mut p = [&b"\x80\x02("[..], &x("k"), b"N\x86q\x000]q\x01("].concat();
    p.extend(std::iter::repeat(*b"h\x00").take(n).flatten());
    p.extend_from_slice(b"e0ccollections\nOrderedDict\nq\x020");
    p.extend(std::iter::repeat(*b"h\x02h\x01\x85R").take(calls).flatten());
    p.extend([&b"1}"[..], &x("a"), b"Ns."].concat());
    p
}

/// `OrderedDict(list)` makes a dict as long as the list each time: its pairs are charged, so
/// 32 calls on a memo'd list of 2,000 pairs (64,000 pairs, 1 MB, from a 4 KB pickle) are
/// refused (their count alone, against `max_items`, would let the pickle be read).
#[test]
fn pickle_ordered_dict_copies_are_charged() {
    assert_eq!(
        session(&ordered_dict_copies(2_000, 32), &[]).map(|_| ()),
        Err(Error::LimitExceeded(Limit::InflatedLen))
    );
    let got = session(&ordered_dict_copies(2_000, 2), &[]).unwrap();
    assert_eq!(got.keys().collect::<Vec<_>>(), ["a"]);
}

/// The reader charges the memory its objects take against `max_inflated_len` (apart from
/// the buffer lengths it also counts there): `pickle::read` alone refuses them once they pass
/// it, whatever builds them.
#[test]
fn pickle_reader_objects_are_charged_against_max_inflated_len() {
    let mut limits = Limits::DEFAULT;
    limits.max_inflated_len = 16 * 1024;
    // 1,000 empty tuples: a node each (about 48 bytes) and a list item each.
    let tuples = [&b"\x80\x02]("[..], &b")".repeat(1_000), b"e."].concat();
    assert_eq!(
        pickle::read(&tuples, &limits).map(|_| ()),
        Err(Error::LimitExceeded(Limit::InflatedLen))
    );
    // 1,000 Nones share one node, as Python's `None` is one object: a list item each.
    let nones = [&b"\x80\x02]("[..], &b"N".repeat(1_000), b"e."].concat();
    assert!(pickle::read(&nones, &limits).is_ok());
    // 1,000 empty lists in a list: a node, a block and an item each.
    let lists = [&b"\x80\x02]("[..], &b"]".repeat(1_000), b"e."].concat();
    assert_eq!(
        pickle::read(&lists, &limits).map(|_| ()),
        Err(Error::LimitExceeded(Limit::InflatedLen))
    );
    // About 56 and 72 bytes each: both fit 80 KB.
    limits.max_inflated_len = 80 * 1024;
    assert!(pickle::read(&tuples, &limits).is_ok());
    assert!(pickle::read(&lists, &limits).is_ok());
}

#[test]
fn pickle_100k_nested_marks_are_refused() {
    let mut p = b"\x80\x02".to_vec();
    p.extend(std::iter::repeat(b'(').take(100_000));
    assert_eq!(
        read(&p).map(|_| ()),
        Err(Error::LimitExceeded(Limit::Depth))
    );
}

/// Nesting deeper than `max_depth` is refused while building the session (no recursion runs
/// away), also for 60,000 nested lists or tuples.
#[test]
fn pickle_deep_nesting_is_refused() {
    // 60,000 objects (a 120 KB pickle, no cookie holds it) take more memory than the
    // reader's `max_inflated_len` by default: raised so that the conversion meets them.
    let mut limits = Limits::DEFAULT;
    limits.max_inflated_len = usize::MAX;
    // [[[...[None]...]]] by EMPTY_LIST n times, NONE, APPEND n times; ((...(None,),...),) by
    // NONE and TUPLE1 n times.
    for (open, close) in [(b"]", b"a"), (b" ", b"\x85")] {
        let n = 60_000;
        let mut p = b"\x80\x02}X\x01\x00\x00\x00d".to_vec();
        p.extend(std::iter::repeat(open[0]).take(n).filter(|&b| b != b' '));
        p.push(b'N');
        p.extend(std::iter::repeat(close[0]).take(n));
        p.extend_from_slice(b"s.");
        let got = pickle::read(&p, &limits)
            .and_then(|objects| objects.into_session(Target::Bson, &[] as &[&str], &limits));
        assert_eq!(got, Err(Error::LimitExceeded(Limit::Depth)), "{:?}", close);
        // With the defaults the reader refuses them first.
        assert_eq!(
            session(&p, &[]),
            Err(Error::LimitExceeded(Limit::InflatedLen)),
            "{:?}",
            close
        );
    }
}

/// `max_depth = usize::MAX` still stops at `Limits::MAX_DEPTH`: no stack overflow.
#[test]
fn pickle_depth_is_capped_whatever_the_limit() {
    let mut unlimited = Limits::default();
    unlimited.max_depth = usize::MAX;
    // And room for the reader's 50,000 nested lists (a 100 KB pickle).
    unlimited.max_inflated_len = usize::MAX;
    let n = 50_000;
    let mut p = b"\x80\x02}X\x01\x00\x00\x00d".to_vec();
    p.extend(std::iter::repeat(b']').take(n));
    p.push(b'N');
    p.extend(std::iter::repeat(b'a').take(n));
    p.extend_from_slice(b"s.");
    let got = pickle::read(&p, &unlimited).unwrap().into_session(
        Target::Json,
        &[] as &[&str],
        &unlimited,
    );
    assert_eq!(got, Err(Error::LimitExceeded(Limit::Depth)));
    // The session is depth 1, so MAX_DEPTH - 1 nested lists fit exactly.
    let n = Limits::MAX_DEPTH - 1;
    let mut p = b"\x80\x02}X\x01\x00\x00\x00d".to_vec();
    p.extend(std::iter::repeat(b']').take(n));
    p.push(b'N');
    p.extend(std::iter::repeat(b'a').take(n));
    p.extend_from_slice(b"s.");
    let deep = pickle::read(&p, &unlimited).unwrap().into_session(
        Target::Bson,
        &[] as &[&str],
        &unlimited,
    );
    assert_eq!(deep.map(|s| s.len()), Ok(1));
    let mut marks = b"\x80\x02".to_vec();
    marks.extend(std::iter::repeat(b'(').take(50_000));
    assert_eq!(
        pickle::read(&marks, &unlimited).map(|_| ()),
        Err(Error::LimitExceeded(Limit::Depth))
    );
}

/// Declared lengths far beyond the input are refused before anything is allocated.
#[test]
fn pickle_huge_declared_lengths_are_refused() {
    let cases: [&[u8]; 9] = [
        b"\x80\x02X\xff\xff\xff\xff",
        b"\x80\x02\x8d\xff\xff\xff\xff\xff\xff\xff\xff",
        b"\x80\x02\x8e\xff\xff\xff\xff\xff\xff\xff\xff",
        b"\x80\x02\x96\xff\xff\xff\xff\xff\xff\xff\x7f",
        b"\x80\x02B\xff\xff\xff\xff",
        b"\x80\x02T\xff\xff\xff\x7f",
        b"\x80\x02\x8b\xff\xff\xff\x7f",
        b"\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\xff",
        b"\x80\x02U\xff",
    ];
    for p in cases {
        malformed_at(read(p), 2);
    }
    malformed_at(read(b"\x80\x02T\xff\xff\xff\xff"), 2); // negative BINSTRING
    malformed_at(read(b"\x80\x02\x8b\xfe\xff\xff\xff"), 2); // negative LONG4
                                                            // Within the input but over max_str_len.
    let mut tiny = Limits::default();
    tiny.max_str_len = 3;
    assert_eq!(
        pickle::read(b"\x80\x02X\x04\x00\x00\x00abcd.", &tiny).map(|_| ()),
        Err(Error::LimitExceeded(Limit::StrLen))
    );
    assert_eq!(
        pickle::read(b"I12345\n.", &tiny).map(|_| ()),
        Err(Error::LimitExceeded(Limit::StrLen))
    );
}

/// Every proper prefix of every Python-written pickle (protocols 0..=5, Python 2 style) is a
/// malformed pickle, with an offset inside the prefix, and never a panic.
#[test]
fn pickle_truncation_at_every_offset_is_malformed() {
    let pickles = python_pickles();
    assert!(pickles.len() > 40);
    let mut checked = 0;
    for (name, p) in &pickles {
        assert!(read(p).is_ok(), "{name}");
        for end in 0..p.len() {
            match read(&p[..end]) {
                Err(Error::Malformed {
                    layer: Layer::Pickle,
                    offset,
                    ..
                }) if offset <= end => checked += 1,
                other => panic!("{name} cut at {end}: {other:?}"),
            }
        }
    }
    assert_eq!(checked, pickles.iter().map(|(_, p)| p.len()).sum::<usize>());
    assert!(checked > 30_000, "{checked}");
}

#[test]
fn pickle_memo_indices_are_bounded() {
    assert_eq!(
        read(b"\x80\x02]r\xff\xff\xff\xff.").map(|_| ()),
        Err(Error::LimitExceeded(Limit::Memo))
    );
    assert_eq!(
        read(b"\x80\x02]r\x00\x00\x01\x00.").map(|_| ()),
        Err(Error::LimitExceeded(Limit::Memo))
    );
    assert!(read(b"\x80\x02]r\xff\xff\x00\x00.").is_ok());
    assert_eq!(
        read(b"p99999999999999999999\n.")
            .map(|_| ())
            .unwrap_err()
            .layer(),
        Some(Layer::Pickle)
    );
    malformed_at(read(b"\x80\x02]h\x05."), 3);
    malformed_at(read(b"\x80\x02q\x00."), 2);
}

#[test]
fn pickle_data_after_stop_is_refused() {
    malformed_at(read(b"\x80\x02}.X"), 4);
    malformed_at(read(b"\x80\x02}.."), 4);
    malformed_at(read(b"}.\x00"), 2);
}

#[test]
fn pickle_stack_and_mark_misuse_is_malformed() {
    let cases: [(&[u8], usize); 14] = [
        (b"\x80\x02a.", 2),           // APPEND on an empty stack
        (b"\x80\x02](\x85.", 4),      // TUPLE1 cannot reach below the MARK
        (b"\x80\x02t.", 2),           // TUPLE without a MARK
        (b"\x80\x02}(K\x01u.", 6),    // odd SETITEMS
        (b"\x80\x02}(]K\x01u.", 7),   // unhashable key
        (b"\x80\x02}]K\x01s.", 6),    // unhashable key by SETITEM
        (b"\x80\x02(]}d.", 5),        // unhashable key by DICT
        (b"\x80\x02\x8f(]\x90.", 5),  // unhashable set item
        (b"\x80\x02K\x01K\x02.", 6),  // two items at STOP
        (b"\x80\x02(}.", 4),          // open MARK at STOP
        (b"\x80\x02.", 2),            // empty stack at STOP
        (b"\x80\x02K\x01]a.", 5),     // APPEND of a list to an int
        (b"\x80\x02K\x01K\x02a.", 6), // APPEND to an int
        (b"\x80\x02K\x01)R.", 5),     // REDUCE on an int
    ];
    for (p, at) in cases {
        malformed_at(read(p), at);
    }
    malformed_at(read(b"\x80\x02}K\x01K\x02K\x03u."), 9);
    malformed_at(read(b"\x80\x02\x93."), 2);
    malformed_at(read(b"\x80\x02K\x01K\x02\x93."), 6);
}

/// Whitelisted globals accept only their exact shapes.
#[test]
fn pickle_whitelist_shapes_are_exact() {
    let bad: [&[u8]; 16] = [
        // set([[]]) and OrderedDict([[[], 1]]): unhashable
        b"\x80\x02c__builtin__\nset\n](]e\x85R.",
        b"\x80\x02ccollections\nOrderedDict\n](](]K\x01ee\x85R.",
        // datetime with a 9-byte state, and with hour 24
        b"\x80\x03cdatetime\ndatetime\nC\t\x07\xe8\x01\x02\x03\x04\x05\x00\x00\x85R.",
        b"\x80\x03cdatetime\ndatetime\nC\n\x07\xe8\x01\x02\x18\x04\x05\x00\x00\x00\x85R.",
        // ObjectId with an 11-byte state (pymongo's C encoder would over-read it)
        b"\x80\x03cbson.objectid\nObjectId\n)\x81C\x0b01234567890b.",
        // _codecs.encode with another codec, and with a char above U+00FF
        b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00utf-8\x86R.",
        b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00\xe2\x82\xacX\x06\x00\x00\x00latin1\x86R.",
        // Binary subtype 256
        b"\x80\x03cbson.binary\nBinary\nC\x01aM\x00\x01\x86\x81.",
        // Int64 of 2**63
        b"\x80\x02cbson.int64\nInt64\n\x8a\t\x00\x00\x00\x00\x00\x00\x00\x80\x00\x85\x81.",
        // Timestamp with a negative time
        b"\x80\x02cbson.timestamp\nTimestamp\n)\x81}(X\x0f\x00\x00\x00_Timestamp__incK\x01X\x10\x00\x00\x00_Timestamp__timeJ\xff\xff\xff\xffub.",
        // Decimal128 with three halves
        b"\x80\x02cbson.decimal128\nDecimal128\n)\x81K\x01K\x02K\x03\x87b.",
        // ObjectId applied by REDUCE, datetime applied by NEWOBJ
        b"\x80\x02cbson.objectid\nObjectId\n)R.",
        b"\x80\x02cdatetime\ndatetime\n)\x81.",
        // NEWOBJ_EX with keyword arguments
        b"\x80\x04cbson.objectid\nObjectId\n)}X\x01\x00\x00\x00aK\x01s\x92.",
        // BUILD on a dict, and Regex state with an extra key
        b"\x80\x02}}b.",
        b"\x80\x02cbson.regex\nRegex\n)\x81}(X\x05\x00\x00\x00flagsK\x00X\x07\x00\x00\x00patternX\x00\x00\x00\x00X\x01\x00\x00\x00xK\x00ub.",
    ];
    for p in bad {
        assert!(
            matches!(
                read(p),
                Err(Error::Malformed {
                    layer: Layer::Pickle,
                    ..
                })
            ),
            "{p:?}: {:?}",
            read(p).map(|_| ())
        );
    }
    // timezone offsets must be strictly within 24 hours.
    let tz = b"\x80\x02cdatetime\ntimezone\ncdatetime\ntimedelta\nK\x01K\x00K\x00\x87R\x85R.";
    assert!(matches!(read(tz), Err(Error::Malformed { .. })));
}

/// A whitelisted object that never got its BUILD state, and a list that contains itself, are
/// refused when the session is built.
#[test]
fn pickle_unbuilt_and_recursive_objects_are_malformed() {
    let unbuilt = [
        &b"\x80\x02}"[..],
        &x("o"),
        b"cbson.objectid\nObjectId\n)\x81s.",
    ]
    .concat();
    assert!(matches!(
        session(&unbuilt, &[]),
        Err(Error::Malformed {
            layer: Layer::Pickle,
            ..
        })
    ));
    let cyclic = [&b"\x80\x02}"[..], &x("l"), b"]q\x00h\x00as."].concat();
    assert!(matches!(
        session(&cyclic, &[]),
        Err(Error::Malformed {
            layer: Layer::Pickle,
            ..
        })
    ));
    assert!(session(&cyclic, &["l"]).is_ok());
}

/// Mutated Python pickles with tiny limits: whatever happens, no panic and no partial result.
#[test]
fn pickle_mutations_never_panic() {
    let mut tiny = Limits::default();
    tiny.max_items = 64;
    tiny.max_depth = 4;
    tiny.max_str_len = 16;
    tiny.max_inflated_len = 256;
    tiny.max_memo = 8;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pickles = python_pickles();
    for i in 0..30_000 {
        let (_, base) = &pickles[i % pickles.len()];
        let mut p = base.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % p.len();
            match next() % 3 {
                0 => p[at] = next() as u8,
                1 => p.insert(at, next() as u8),
                _ => drop(p.remove(at)),
            }
        }
        for limits in [&tiny, &Limits::DEFAULT] {
            if let Ok(pickled) = pickle::read(&p, limits) {
                let _ = pickled.clone().into_session(Target::Bson, &["x"], limits);
                let _ = pickled.into_session(Target::Json, &[] as &[&str], limits);
            }
        }
    }
}
