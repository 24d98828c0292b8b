//! Typed access: `Value`'s accessors and `From` conversions, and (feature
//! `serde`) sessions read into and written from the caller's own types with the natural
//! mapping of `beaker_session_jwt::interop::natural`, including cookies Python wrote
//! (`tests/data/jwt_bson/`).

use beaker_session_jwt::{Document, Session, Value};

#[test]
fn value_as_i64_covers_int32_and_int64() {
    assert_eq!(Value::Int32(-7).as_i64(), Some(-7));
    assert_eq!(Value::Int64(i64::MIN).as_i64(), Some(i64::MIN));
    // No float truncation, no bool-as-int, no datetime-as-int.
    assert_eq!(Value::Double(7.0).as_i64(), None);
    assert_eq!(Value::Bool(true).as_i64(), None);
    assert_eq!(Value::DateTime(7).as_i64(), None);
    // The existing accessors keep their behaviour.
    assert_eq!(Value::Int64(3).as_f64(), Some(3.0));
    assert_eq!(Value::Symbol("s".into()).as_str(), None);
}

#[test]
fn value_accessors_match_only_their_type() {
    let doc: Document = [("a", 1i32)].into_iter().collect();
    let values = [
        Value::Bool(false),
        Value::from(vec![1i32]),
        Value::Document(doc.clone()),
        Value::DateTime(-1),
        Value::Binary {
            subtype: 4,
            bytes: vec![9; 16],
        },
        Value::ObjectId([7; 12]),
        Value::Null,
        Value::Undefined,
        Value::from("text"),
    ];
    for v in &values {
        assert_eq!(v.as_bool(), matches!(v, Value::Bool(_)).then_some(false));
        assert_eq!(v.as_array().is_some(), matches!(v, Value::Array(_)));
        assert_eq!(v.as_document().is_some(), matches!(v, Value::Document(_)));
        assert_eq!(
            v.as_datetime_millis().is_some(),
            matches!(v, Value::DateTime(_))
        );
        assert_eq!(v.as_binary().is_some(), matches!(v, Value::Binary { .. }));
        assert_eq!(v.as_object_id().is_some(), matches!(v, Value::ObjectId(_)));
        assert_eq!(v.is_null(), matches!(v, Value::Null | Value::Undefined));
    }
    assert_eq!(values[1].as_array(), Some(&[Value::Int32(1)][..]));
    assert_eq!(values[2].as_document(), Some(&doc));
    assert_eq!(values[3].as_datetime_millis(), Some(-1));
    assert_eq!(values[4].as_binary(), Some(&[9u8; 16][..]));
    assert_eq!(values[5].as_object_id(), Some([7; 12]));
}

#[test]
fn value_mut_accessors_edit_in_place() {
    let mut session = Session::new();
    session.insert("cart", vec![1i32, 2]);
    session.insert("prefs", Document::new());
    if let Some(cart) = session.get_mut("cart").and_then(Value::as_array_mut) {
        cart.push(Value::from(3i32));
    }
    if let Some(prefs) = session.get_mut("prefs").and_then(Value::as_document_mut) {
        prefs.insert("theme", "dark");
    }
    assert_eq!(session.get("cart"), Some(&Value::from(vec![1i32, 2, 3])));
    let theme = session
        .get("prefs")
        .and_then(Value::as_document)
        .and_then(|p| p.get("theme"))
        .and_then(Value::as_str);
    assert_eq!(theme, Some("dark"));
    assert_eq!(Value::Int32(1).as_array_mut(), None);
}

#[test]
fn value_from_integer_widths_as_pymongo_writes_them() {
    assert_eq!(Value::from(i8::MIN), Value::Int32(-128));
    assert_eq!(Value::from(i16::MAX), Value::Int32(32767));
    assert_eq!(Value::from(u8::MAX), Value::Int32(255));
    assert_eq!(Value::from(u16::MAX), Value::Int32(65535));
    assert_eq!(Value::from(7u32), Value::Int32(7));
    assert_eq!(Value::from(u32::MAX), Value::Int64(4_294_967_295));
    assert_eq!(Value::from(5i64), Value::Int32(5));
    assert_eq!(Value::from(1i64 << 40), Value::Int64(1 << 40));
    assert_eq!(Value::try_from(5u64), Ok(Value::Int32(5)));
    assert_eq!(Value::try_from(i64::MAX as u64), Ok(Value::Int64(i64::MAX)));
    assert!(Value::try_from(u64::MAX).is_err());
    assert_eq!(Value::try_from(3usize), Ok(Value::Int32(3)));
    assert_eq!(Value::from(1.5f32), Value::Double(1.5));
}

#[test]
fn value_from_option_and_vec() {
    assert_eq!(Value::from(None::<&str>), Value::Null);
    assert_eq!(Value::from(Some(3u8)), Value::Int32(3));
    assert_eq!(
        Value::from(vec![Some("a"), None]),
        Value::Array(vec![Value::from("a"), Value::Null])
    );
    assert_eq!(
        Value::from(vec![vec![1i64], vec![]]),
        Value::Array(vec![
            Value::Array(vec![Value::Int32(1)]),
            Value::Array(vec![])
        ])
    );
    // `Vec<Value>` still converts, unchanged.
    let items = vec![Value::Null, Value::DateTime(1)];
    assert_eq!(Value::from(items.clone()), Value::Array(items));
    let mut session = Session::new();
    session.insert("roles", vec!["admin".to_string()]);
    session.insert("maybe", Some(2.5));
    assert_eq!(session.get("maybe"), Some(&Value::Double(2.5)));
}

#[cfg(feature = "serde")]
mod natural {
    use std::collections::BTreeMap;

    use beaker_session_jwt::{
        decode_cookie, from_session, from_value, to_session, to_value, Config, DateTime, Document,
        Error, Layer, ObjectId, Session, Value,
    };
    use serde::{Deserialize, Serialize};

    /// `now` for `decode_cookie`; the vectors' config sets no timeout.
    const NOW: f64 = 1_700_000_000.0;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Role {
        Admin,
        Editor,
        Viewer,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Profile {
        name: String,
        age: u8,
        tags: Vec<String>,
        nickname: Option<String>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Widths {
        a: i8,
        b: i16,
        c: i32,
        d: i64,
        e: u8,
        f: u16,
        g: u32,
        h: u64,
        i: i128,
        j: u128,
        k: usize,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Event {
        Login,
        Visit(String),
        Move { x: i32, y: i32 },
        Pair(u8, u8),
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Everything {
        user_id: u64,
        ratio: f64,
        active: bool,
        role: Role,
        roles: Vec<Role>,
        profile: Profile,
        history: Vec<Profile>,
        widths: Widths,
        last_login: DateTime,
        seen: Option<DateTime>,
        oid: ObjectId,
        missing: Option<u32>,
        null: Option<String>,
        events: Vec<Event>,
        pair: (i32, String),
        map: BTreeMap<String, i64>,
        unit: (),
    }

    fn everything() -> Everything {
        Everything {
            user_id: 1234,
            ratio: 0.25,
            active: true,
            role: Role::Admin,
            roles: vec![Role::Editor, Role::Viewer],
            profile: Profile {
                name: "alice".into(),
                age: 33,
                tags: vec!["a".into(), "b".into()],
                nickname: None,
            },
            history: vec![Profile {
                name: "bob".into(),
                age: 0,
                tags: vec![],
                nickname: Some("b".into()),
            }],
            widths: Widths {
                a: i8::MIN,
                b: i16::MIN,
                c: i32::MIN,
                d: i64::MIN,
                e: u8::MAX,
                f: u16::MAX,
                g: u32::MAX,
                h: i64::MAX as u64,
                i: -5,
                j: 5,
                k: 42,
            },
            last_login: DateTime(1_709_210_096_789),
            seen: Some(DateTime(-1)),
            oid: ObjectId([
                0x65, 0xf0, 0xc0, 0xff, 0xee, 1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
            ]),
            missing: None,
            null: None,
            events: vec![
                Event::Login,
                Event::Visit("/home".into()),
                Event::Move { x: 1, y: -1 },
                Event::Pair(1, 2),
            ],
            pair: (7, "seven".into()),
            map: [("one".to_string(), 1), ("big".to_string(), 1 << 40)]
                .into_iter()
                .collect(),
            unit: (),
        }
    }

    fn doc(pairs: &[(&str, Value)]) -> Document {
        pairs.iter().map(|(k, v)| (*k, v.clone())).collect()
    }

    fn mismatch_key(e: Error) -> String {
        match e {
            Error::Mismatch { key, .. } => key.as_str().to_string(),
            other => panic!("expected a Mismatch, got {other:?}"),
        }
    }

    #[test]
    fn natural_struct_round_trip() {
        let value = everything();
        let session = to_session(&value).unwrap();
        let back: Everything = from_session(&session).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn natural_writes_the_bson_types_python_would() {
        let session = to_session(&everything()).unwrap();
        let get = |k: &str| session.get(k).unwrap().clone();
        assert_eq!(get("user_id"), Value::Int32(1234));
        assert_eq!(get("ratio"), Value::Double(0.25));
        assert_eq!(get("role"), Value::from("admin"));
        assert_eq!(get("roles"), Value::from(vec!["editor", "viewer"]));
        assert_eq!(get("last_login"), Value::DateTime(1_709_210_096_789));
        assert_eq!(get("seen"), Value::DateTime(-1));
        assert_eq!(get("oid").as_object_id(), Some(everything().oid.0));
        assert_eq!(get("missing"), Value::Null);
        assert_eq!(get("unit"), Value::Null);
        assert_eq!(
            get("pair"),
            Value::Array(vec![Value::Int32(7), "seven".into()])
        );
        let profile = get("profile");
        let profile = profile.as_document().unwrap();
        assert_eq!(
            profile.keys().collect::<Vec<_>>(),
            ["name", "age", "tags", "nickname"]
        );
        assert_eq!(profile.get("age"), Some(&Value::Int32(33)));
        let widths = get("widths");
        let widths = widths.as_document().unwrap();
        assert_eq!(widths.get("d"), Some(&Value::Int64(i64::MIN)));
        assert_eq!(widths.get("g"), Some(&Value::Int64(u32::MAX.into())));
        assert_eq!(widths.get("h"), Some(&Value::Int64(i64::MAX)));
        assert_eq!(widths.get("k"), Some(&Value::Int32(42)));
        let events = get("events");
        let events = events.as_array().unwrap();
        assert_eq!(events[0], Value::from("Login"));
        assert_eq!(
            events[1],
            Value::Document(doc(&[("Visit", "/home".into())]))
        );
        assert_eq!(
            events[2],
            Value::Document(doc(&[(
                "Move",
                Value::Document(doc(&[("x", Value::Int32(1)), ("y", Value::Int32(-1))]))
            )]))
        );
        assert_eq!(
            events[3],
            Value::Document(doc(&[("Pair", Value::from(vec![1i32, 2]))]))
        );
        assert_eq!(
            get("map").as_document().unwrap().get("big"),
            Some(&Value::Int64(1 << 40))
        );
    }

    #[test]
    fn natural_integers_of_each_width_are_range_checked() {
        let v = Value::Int64(300);
        assert_eq!(from_value::<u16>(&v).unwrap(), 300);
        assert_eq!(from_value::<i128>(&v).unwrap(), 300);
        assert_eq!(from_value::<f64>(&v).unwrap(), 300.0);
        assert!(matches!(from_value::<u8>(&v), Err(Error::Mismatch { .. })));
        assert!(matches!(from_value::<i8>(&v), Err(Error::Mismatch { .. })));
        assert!(matches!(
            from_value::<u32>(&Value::Int32(-1)),
            Err(Error::Mismatch { .. })
        ));
        assert!(matches!(
            from_value::<i32>(&Value::Int64(1 << 40)),
            Err(Error::Mismatch { .. })
        ));
        // A double is not an integer, even a whole one.
        assert!(matches!(
            from_value::<i64>(&Value::Double(1.0)),
            Err(Error::Mismatch { .. })
        ));
        for (value, expect) in [
            (Value::Int32(i32::MIN), i64::from(i32::MIN)),
            (Value::Int64(i64::MAX), i64::MAX),
        ] {
            assert_eq!(from_value::<i64>(&value).unwrap(), expect);
        }
    }

    #[test]
    fn natural_refuses_integers_beyond_i64() {
        #[derive(Serialize)]
        struct Big {
            n: u64,
        }
        let e = to_session(&Big { n: u64::MAX }).unwrap_err();
        match e {
            Error::Unwritable { layer, key, .. } => {
                assert_eq!(layer, Layer::Serde);
                assert_eq!(key.as_str(), "n");
            }
            other => panic!("expected Unwritable, got {other:?}"),
        }
        assert!(to_value(&u128::MAX).is_err());
        assert!(to_value(&i128::MIN).is_err());
        assert_eq!(
            to_value(&(i64::MAX as u128)).unwrap(),
            Value::Int64(i64::MAX)
        );
    }

    #[test]
    fn natural_option_fields_missing_null_and_present() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Opt {
            absent: Option<u32>,
            null: Option<u32>,
            undefined: Option<u32>,
            present: Option<u32>,
        }
        let session = doc(&[
            ("null", Value::Null),
            ("undefined", Value::Undefined),
            ("present", Value::Int32(3)),
        ]);
        let got: Opt = from_session(&session).unwrap();
        assert_eq!(
            got,
            Opt {
                absent: None,
                null: None,
                undefined: None,
                present: Some(3)
            }
        );
    }

    #[test]
    fn natural_vec_fields_from_arrays_and_binary() {
        #[derive(Debug, Deserialize)]
        struct Lists {
            nested: Vec<Vec<i32>>,
            bytes: Vec<u8>,
            fixed: [u8; 2],
        }
        let session = doc(&[
            ("nested", Value::from(vec![vec![1i32, 2], vec![], vec![3]])),
            (
                "bytes",
                Value::Binary {
                    subtype: 0,
                    bytes: b"abc".to_vec(),
                },
            ),
            ("fixed", Value::from(vec![1u8, 2])),
        ]);
        let got: Lists = from_session(&session).unwrap();
        assert_eq!(got.nested, [vec![1, 2], vec![], vec![3]]);
        assert_eq!(got.bytes, b"abc");
        assert_eq!(got.fixed, [1, 2]);
        let e = from_session::<Lists>(&doc(&[
            (
                "nested",
                Value::from(vec![Value::from(vec![1i32]), Value::from("x")]),
            ),
            ("bytes", Value::from(Vec::<u8>::new())),
            ("fixed", Value::from(vec![1u8])),
        ]))
        .unwrap_err();
        assert_eq!(mismatch_key(e), "nested.1");
    }

    #[test]
    fn natural_enum_unit_variants_are_strings() {
        assert_eq!(
            from_value::<Role>(&Value::from("editor")).unwrap(),
            Role::Editor
        );
        assert_eq!(to_value(&Role::Viewer).unwrap(), Value::from("viewer"));
        let e = from_value::<Role>(&Value::from("root")).unwrap_err();
        assert!(matches!(e, Error::Mismatch { .. }), "{e:?}");
        let e = from_value::<Role>(&Value::Int32(0)).unwrap_err();
        assert!(matches!(e, Error::Mismatch { .. }), "{e:?}");
        let e = from_value::<Event>(&Value::Document(doc(&[
            ("Visit", "a".into()),
            ("Login", Value::Null),
        ])))
        .unwrap_err();
        assert!(matches!(e, Error::Mismatch { .. }), "{e:?}");
        // `{variant: null}` is a unit variant too, as serde_json reads it.
        let login = Value::Document(doc(&[("Login", Value::Null)]));
        assert_eq!(from_value::<Event>(&login).unwrap(), Event::Login);
    }

    #[test]
    fn natural_datetime_fields() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Stamp {
            at: DateTime,
        }
        let session = doc(&[("at", Value::DateTime(1_700_000_000_000))]);
        let stamp: Stamp = from_session(&session).unwrap();
        assert_eq!(stamp.at, DateTime(1_700_000_000_000));
        assert_eq!(to_session(&stamp).unwrap(), session);
        // An integer field reads a datetime as milliseconds.
        assert_eq!(
            from_value::<i64>(&Value::DateTime(-5)).unwrap(),
            -5,
            "datetime into i64"
        );
        // A number is not a datetime, and Beaker's float timestamps are not either.
        for not_a_datetime in [Value::Int64(5), Value::Double(1.7e9), Value::from("2024")] {
            let e = from_session::<Stamp>(&doc(&[("at", not_a_datetime)])).unwrap_err();
            assert_eq!(mismatch_key(e), "at");
        }
        // Other formats see milliseconds, and also the Extended JSON form.
        assert_eq!(serde_json::to_string(&DateTime(5)).unwrap(), "5");
        let from_json: DateTime = serde_json::from_str("5").unwrap();
        assert_eq!(from_json, DateTime(5));
        let from_ext: DateTime =
            serde_json::from_str(r#"{"$date": {"$numberLong": "-7"}}"#).unwrap();
        assert_eq!(from_ext, DateTime(-7));
    }

    #[test]
    fn natural_object_id_fields() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Ids {
            id: ObjectId,
            as_text: String,
        }
        let raw = [
            0x65, 0xf0, 0xc0, 0xff, 0xee, 1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
        ];
        let session = doc(&[
            ("id", Value::ObjectId(raw)),
            ("as_text", Value::ObjectId(raw)),
        ]);
        let ids: Ids = from_session(&session).unwrap();
        assert_eq!(ids.id, ObjectId(raw));
        assert_eq!(ids.as_text, "65f0c0ffee0123456789abcd");
        let back = to_session(&ids).unwrap();
        assert_eq!(back.get("id"), Some(&Value::ObjectId(raw)));
        let e = from_session::<Ids>(&doc(&[
            ("id", "65f0c0ffee0123456789abcd".into()),
            ("as_text", "".into()),
        ]))
        .unwrap_err();
        assert_eq!(mismatch_key(e), "id");
        assert_eq!(
            serde_json::to_string(&ObjectId(raw)).unwrap(),
            r#""65f0c0ffee0123456789abcd""#
        );
        let from_ext: ObjectId =
            serde_json::from_str(r#"{"$oid": "65f0c0ffee0123456789abcd"}"#).unwrap();
        assert_eq!(from_ext, ObjectId(raw));
    }

    #[test]
    fn natural_type_mismatch_names_the_key_path() {
        let mut session = to_session(&everything()).unwrap();
        let profile = session
            .get_mut("profile")
            .and_then(Value::as_document_mut)
            .unwrap();
        profile.insert("age", "thirty");
        let e = from_session::<Everything>(&session).unwrap_err();
        assert_eq!(e.layer(), Some(Layer::Serde));
        assert_eq!(mismatch_key(e), "profile.age");
        assert!(e
            .to_string()
            .starts_with("serde: invalid type: found string"));

        let mut session = to_session(&everything()).unwrap();
        if let Some(Value::Document(p)) = session
            .get_mut("history")
            .and_then(Value::as_array_mut)
            .and_then(|h| h.get_mut(0))
        {
            p.remove("name");
        }
        let e = from_session::<Everything>(&session).unwrap_err();
        assert_eq!(mismatch_key(e), "history.0.name");
        assert!(matches!(
            e,
            Error::Mismatch {
                what: "missing field",
                ..
            }
        ));

        let mut session = to_session(&everything()).unwrap();
        session.remove("user_id");
        assert_eq!(
            mismatch_key(from_session::<Everything>(&session).unwrap_err()),
            "user_id"
        );

        let e = from_value::<String>(&Value::Int32(1)).unwrap_err();
        assert_eq!(mismatch_key(e), "");
    }

    #[test]
    fn natural_get_as_reads_one_key() {
        let session = to_session(&everything()).unwrap();
        let profile: Option<Profile> = session.get_as("profile").unwrap();
        assert_eq!(profile.unwrap().name, "alice");
        assert_eq!(session.get_as::<Profile>("absent").unwrap(), None);
        let name: Option<&str> = session
            .get("profile")
            .and_then(Value::as_document)
            .unwrap()
            .get_as("name")
            .unwrap();
        assert_eq!(name, Some("alice"));
        let e = session.get_as::<Vec<u32>>("profile").unwrap_err();
        assert_eq!(mismatch_key(e), "profile");
        let e = session.get_as::<Vec<Profile>>("history").unwrap();
        assert_eq!(e.unwrap().len(), 1);
    }

    #[test]
    fn natural_borrows_strings_from_the_session() {
        #[derive(Deserialize)]
        struct Borrowed<'a> {
            name: &'a str,
            #[serde(borrow)]
            tags: Vec<&'a str>,
        }
        let session = doc(&[
            ("name", "alice".into()),
            ("tags", Value::from(vec!["x", "y"])),
        ]);
        let b: Borrowed<'_> = from_session(&session).unwrap();
        assert_eq!((b.name, b.tags), ("alice", vec!["x", "y"]));
    }

    #[test]
    fn natural_to_session_refuses_what_a_session_cannot_hold() {
        let e = to_session(&5u32).unwrap_err();
        let top_level = match e {
            Error::Unwritable { layer, key, .. } => {
                layer == Layer::Serde && key.as_str().is_empty()
            }
            _ => false,
        };
        assert!(top_level, "{e:?}");
        let e = to_session(&vec![1]).unwrap_err();
        assert!(matches!(e, Error::Unwritable { .. }), "{e:?}");
        let mut int_keys = BTreeMap::new();
        int_keys.insert(1u32, "one");
        let e = to_value(
            &[("outer", int_keys)]
                .into_iter()
                .collect::<BTreeMap<_, _>>(),
        )
        .unwrap_err();
        match e {
            Error::Unwritable { layer, key, .. } => {
                assert_eq!(layer, Layer::Serde);
                assert_eq!(key.as_str(), "outer");
            }
            other => panic!("expected Unwritable, got {other:?}"),
        }
        // A map led by a wrapper keyword must be that wrapper.
        let fake: BTreeMap<&str, u32> = [("$oid", 5)].into_iter().collect();
        assert!(matches!(to_value(&fake), Err(Error::Unwritable { .. })));
        // Another `$` key is a plain key, as in a DBRef.
        let dbref =
            serde_json::json!({"$ref": "users", "$id": {"$oid": "65f0c0ffee0123456789abcd"}});
        let written = to_value(&dbref).unwrap();
        let written = written.as_document().unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(written.get("$ref"), Some(&Value::from("users")));
        assert_eq!(
            written
                .get("$id")
                .and_then(Value::as_object_id)
                .map(|id| ObjectId(id).to_string()),
            Some("65f0c0ffee0123456789abcd".to_string())
        );
    }

    #[test]
    fn natural_value_fields_keep_every_bson_type() {
        // Every BSON type Python wrote, read into `Value` fields and written back.
        let session = vector_session("bson_types");
        let all: BTreeMap<String, Value> = from_session(&session).unwrap();
        for (key, value) in &session {
            assert_eq!(all.get(key), Some(value), "{key}");
        }
        let as_doc: Document = from_session(&session).unwrap();
        assert_eq!(as_doc, session);
        assert_eq!(to_session(&as_doc).unwrap(), session);

        #[derive(Serialize, Deserialize)]
        struct Holder {
            v: Value,
        }
        let exotic = [
            Value::DateTime(3),
            Value::ObjectId([1; 12]),
            Value::Binary {
                subtype: 4,
                bytes: vec![2; 16],
            },
            Value::Binary {
                subtype: 0,
                bytes: vec![2; 3],
            },
            Value::Double(f64::NAN),
            Value::Double(f64::NEG_INFINITY),
            Value::Int64(1 << 40),
            Value::MinKey,
            Value::MaxKey,
            Value::Timestamp {
                time: 1,
                increment: 2,
            },
            Value::Decimal128([1; 16]),
            Value::JavaScript("x".into()),
        ];
        for v in exotic {
            let session = to_session(&Holder { v: v.clone() }).unwrap();
            assert_eq!(session.get("v"), Some(&v), "write {v:?}");
            let back: Holder = from_session(&session).unwrap();
            assert_eq!(back.v, v, "read {v:?}");
        }
    }

    #[test]
    fn natural_self_describing_targets_see_numbers_and_wrappers() {
        let session = doc(&[
            ("small_long", Value::Int64(5)),
            ("long", Value::Int64(1 << 40)),
            ("at", Value::DateTime(7)),
            ("symbol", Value::Symbol("s".into())),
            ("undefined", Value::Undefined),
        ]);
        let json: serde_json::Value = from_session(&session).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "small_long": 5,
                "long": 1_099_511_627_776_i64,
                "at": {"$date": {"$numberLong": "7"}},
                "symbol": "s",
                "undefined": null,
            })
        );
        // The Extended JSON mapping of `Value` itself is unchanged.
        assert_eq!(
            serde_json::to_value(Value::Int64(5)).unwrap(),
            serde_json::json!({"$numberLong": "5"})
        );
    }

    #[test]
    fn natural_flatten_and_untagged_enums_work() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Inner {
            at: DateTime,
            n: u8,
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Outer {
            name: String,
            #[serde(flatten)]
            inner: Inner,
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        #[serde(untagged)]
        enum Either {
            Num(i64),
            Text(String),
        }
        let value = Outer {
            name: "x".into(),
            inner: Inner {
                at: DateTime(9),
                n: 3,
            },
        };
        let session = to_session(&value).unwrap();
        assert_eq!(session.get("at"), Some(&Value::DateTime(9)));
        assert_eq!(from_session::<Outer>(&session).unwrap(), value);
        assert_eq!(
            from_value::<Either>(&Value::Int64(4)).unwrap(),
            Either::Num(4)
        );
        assert_eq!(
            from_value::<Either>(&Value::from("t")).unwrap(),
            Either::Text("t".into())
        );
    }

    /// The session of `tests/data/jwt_bson/<case>.cookie`, which Python wrote.
    fn vector_session(case: &str) -> Session {
        let cookie = match case {
            "beaker_typical" => include_str!("data/jwt_bson/beaker_typical.cookie"),
            "bson_types" => include_str!("data/jwt_bson/bson_types.cookie"),
            "datetimes" => include_str!("data/jwt_bson/datetimes.cookie"),
            "ints" => include_str!("data/jwt_bson/ints.cookie"),
            _ => unreachable!("no vector {case}"),
        };
        // tests/data/jwt_bson/options.ini
        let config = Config::from_options([(
            "session.jwt_secret_keys",
            "vectors-key-one-0123456789, vectors-key-two-0123456789",
        )])
        .unwrap();
        decode_cookie(cookie.trim(), &config, NOW).unwrap().session
    }

    #[test]
    fn natural_reads_cookies_python_wrote() {
        #[derive(Debug, Deserialize)]
        struct Typical<'a> {
            #[serde(rename = "_id")]
            id: &'a str,
            #[serde(rename = "_creation_time")]
            created: f64,
            #[serde(rename = "_accessed_time")]
            accessed: f64,
            user_id: u32,
            username: String,
            roles: Vec<String>,
            flash: Vec<String>,
        }
        let session = vector_session("beaker_typical");
        let t: Typical<'_> = from_session(&session).unwrap();
        assert_eq!(t.id, "3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e");
        assert_eq!(t.created, 1_699_990_000.5);
        assert_eq!(t.accessed, 1_700_000_000.123456);
        assert_eq!((t.user_id, t.username.as_str()), (1234, "alice"));
        assert_eq!(t.roles, ["admin", "editor"]);
        assert!(t.flash.is_empty());

        #[derive(Debug, Deserialize)]
        struct Datetimes {
            ms: DateTime,
            epoch: DateTime,
            pre_epoch: DateTime,
            min: DateTime,
            max: DateTime,
        }
        let d: Datetimes = from_session(&vector_session("datetimes")).unwrap();
        assert_eq!(d.ms, DateTime(1_709_210_096_789));
        assert_eq!((d.epoch, d.pre_epoch), (DateTime(0), DateTime(-1)));
        assert_eq!(
            (d.min, d.max),
            (DateTime(-62_135_596_800_000), DateTime(253_402_300_799_999))
        );

        #[derive(Debug, Deserialize)]
        struct Ints {
            zero: u8,
            minus_one: i8,
            i32_max: u32,
            i32_min_minus_1: i64,
            i64_max: u64,
            int64_small: i16,
        }
        let i: Ints = from_session(&vector_session("ints")).unwrap();
        assert_eq!((i.zero, i.minus_one, i.i32_max), (0, -1, i32::MAX as u32));
        assert_eq!(i.i32_min_minus_1, -2_147_483_649);
        assert_eq!((i.i64_max, i.int64_small), (i64::MAX as u64, 7));
        let e = vector_session("ints")
            .get_as::<u32>("minus_one")
            .unwrap_err();
        assert_eq!(mismatch_key(e), "minus_one");

        #[derive(Debug, Deserialize)]
        struct Types {
            oid: ObjectId,
            int64: i64,
            code: String,
            regex: Value,
            ts: Value,
        }
        let t: Types = from_session(&vector_session("bson_types")).unwrap();
        assert_eq!(t.oid.to_string(), "65f0c0ffee0123456789abcd");
        assert_eq!(t.int64, 1_099_511_627_776);
        assert_eq!(t.code, "function () { return 1; }");
        assert_eq!(t.regex.bson_type(), 0x0B);
        assert_eq!(
            t.ts,
            Value::Timestamp {
                time: 1_700_000_000,
                increment: 7
            }
        );
    }
}
