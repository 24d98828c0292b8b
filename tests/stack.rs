//! Stack use of what a caller does with a decoded session. The decoders keep their own stacks
//! on the heap (no recursion), but dropping, cloning, comparing and formatting a `Value` are
//! recursive, once per nesting level, so `Limits::max_depth` is also what bounds the stack an
//! application needs to handle the sessions it decodes. At the default depth that must fit a
//! small thread stack (`max_depth`'s documentation gives per-level figures).

use beaker_session_jwt::{bson, Document, Error, Limit, Limits, Value};

/// A session nested `depth` levels deep (the session itself is level 1), alternating lists and
/// documents, built without recursion.
fn nested(depth: usize) -> Document {
    let mut inner = Value::Null;
    for level in (2..=depth).rev() {
        inner = if level % 2 == 0 {
            Value::Array(vec![Value::Int32(level as i32), inner])
        } else {
            let mut d = Document::new();
            d.insert("level", level as i32);
            d.insert("next", inner);
            Value::Document(d)
        };
    }
    let mut session = Document::new();
    session.insert("next", inner);
    session
}

#[test]
fn stack_default_depth_session_is_handled_on_a_small_thread_stack() {
    let limits = Limits::DEFAULT;
    let bytes = bson::write(&nested(limits.max_depth)).unwrap();
    let session = bson::read(&bytes, &limits).expect("the default depth is accepted");
    let deeper = bson::write(&nested(limits.max_depth + 1)).unwrap();
    assert_eq!(
        bson::read(&deeper, &limits),
        Err(Error::LimitExceeded(Limit::Depth))
    );
    // 256 KiB: unoptimised test builds take about 1.2 KB of stack per level to clone or
    // format a value (optimised builds a fifth to a half of that), so the default 64 levels
    // need under 100 KB. A stack overflow here aborts the test binary.
    let worker = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let copy = session.clone();
            assert_eq!(copy, session);
            let shown = format!("{session:?}");
            assert_eq!(shown.matches("level").count(), (limits.max_depth - 1) / 2);
            drop(copy);
            drop(session);
        })
        .unwrap();
    worker.join().expect("clone, compare, format and drop fit");
}
