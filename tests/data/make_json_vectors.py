#!/usr/bin/env python3
"""Generate tests/data/json/*.json: what CPython's `json` module reads and writes.

The Rust tests in tests/json_vectors.rs load these files and check that `json::write` gives
byte for byte what `json.dumps` gives, and that `json::read_value` accepts, refuses and builds
exactly what `json.loads(bytes)` does (with the documented deviations: integers outside i64 and
lone surrogates are `Unsupported`).

Run with the reference venv (CPython 3.11, the C accelerator `_json` in use):
    /tmp/pyref/bin/python tests/data/make_json_vectors.py
Output is deterministic for a given Python version (fixed seeds).

Typed values in the files (decoded in Rust with serde_json, independently of our reader):
    null, true, false            as themselves
    {"i": "123"}                 a Python int (Int32 if it fits, else Int64)
    {"f": "3ff0000000000000"}    a float, by its IEEE-754 bits (big-endian hex)
    {"s": "text"}                a str
    [ ... ]                      a list
    {"d": [["key", value], ...]} a dict, in order
"""

import json
import json.decoder
import json.encoder
import json.scanner
import math
import os
import random
import struct
import sys

assert json.scanner.c_make_scanner is not None, "the C scanner must be in use"
assert json.encoder.c_make_encoder is not None, "the C encoder must be in use"

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "json")

I64_MIN, I64_MAX = -(2**63), 2**63 - 1


def bits(x):
    return struct.pack(">d", x).hex()


def from_bits(h):
    return struct.unpack(">d", bytes.fromhex(h))[0]


def typed(v):
    """The typed form of a Python value, or raise Unrepresentable."""
    if v is None or v is True or v is False:
        return v
    if isinstance(v, int):
        if not I64_MIN <= v <= I64_MAX:
            raise Unrepresentable("integer outside i64")
        return {"i": str(v)}
    if isinstance(v, float):
        return {"f": bits(v)}
    if isinstance(v, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            raise Unrepresentable("lone surrogate")
        return {"s": v}
    if isinstance(v, list):
        return [typed(x) for x in v]
    if isinstance(v, dict):
        return {"d": [[typed(k)["s"], typed(x)] for k, x in v.items()]}
    raise TypeError(type(v))


class Unrepresentable(Exception):
    pass


def dump_file(name, payload):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="ascii") as f:
        # ensure_ascii keeps the files plain ASCII; one case per line keeps diffs readable.
        f.write('{"python": %s,\n "cases": [\n' % json.dumps(sys.version.split()[0]))
        cases = payload
        for i, case in enumerate(cases):
            f.write(json.dumps(case, ensure_ascii=True, allow_nan=False))
            f.write(",\n" if i + 1 < len(cases) else "\n")
        f.write("]}\n")
    print(f"{path}: {len(payload)} cases")


# ---------------------------------------------------------------------------------------------
# Floats: float.__repr__ as json.dumps writes it.

TRICKY_FLOATS = [
    0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 0.1 + 0.2, 1 / 3, 2 / 3, 123.0, 123.456, 1e22, 1e23,
    1e21, 1e-7, 1e-5, 1e-4, 1.5e-4, 9.999e-5, 0.0001, 0.00012345, 1e15, 1e16, 1e17,
    9999999999999998.0, 9999999999999999.0, 1234567890123456.8, 123456789012345680.0,
    2.0**53, 2.0**53 + 2, 2.0**63, 2.0**64, 5e-324, 1e-323, 2.2250738585072014e-308,
    2.225073858507201e-308, 1.7976931348623157e308, 1.5e300, 4.35, 0.5, 100.0, 1e100,
    3.141592653589793, 2.718281828459045, 1.7e9, 1700000000.123456, 1e-300, 9.5e-5,
    float("inf"), float("-inf"), float("nan"), 12345678.9, 0.000123456789, 1e-10,
]


def float_cases():
    rng = random.Random(20240521)
    values = list(TRICKY_FLOATS)
    for e in range(-330, 310):
        values.append(float(f"1e{e}"))
        values.append(float(f"9.999999999999999e{e}"))
    for _ in range(2500):  # uniform bit patterns: every exponent, subnormals, NaN payloads
        values.append(from_bits(f"{rng.getrandbits(64):016x}"))
    for _ in range(1500):  # "decimal-looking" values, as sessions hold
        k = rng.randint(-12, 20)
        values.append(round(rng.random() * 10.0 ** k, rng.randint(0, 17)))
    for _ in range(300):  # exact ties between two shortest candidates: Python rounds half-even
        values.append(rng.randint(2**50, 2**51) + rng.choice([0.25, 0.75]))
    for _ in range(500):  # short binary fractions at every magnitude
        values.append(rng.getrandbits(rng.randint(1, 53)) * 2.0 ** rng.randint(-60, 10))
    for _ in range(500):  # integers near 2^53 and 1e16 written as floats
        values.append(float(rng.randint(2**52, 2**55)))
        values.append(float(rng.randint(10**15, 10**17)))
    cases, seen = [], set()
    for v in values:
        b = bits(v)
        if b in seen:
            continue
        seen.add(b)
        cases.append([b, json.dumps(v)])
    return cases


# ---------------------------------------------------------------------------------------------
# Random sessions: json.dumps in the three styles.

def random_char(rng):
    kind = rng.random()
    if kind < 0.45:
        return chr(rng.randint(0x20, 0x7E))
    if kind < 0.55:
        return chr(rng.randint(0, 0x1F))
    if kind < 0.60:
        return rng.choice('"\\/\x7f\x80\x9f\u2028\u2029\ufeff\uffff\ufffd')
    if kind < 0.80:
        c = rng.randint(0xA0, 0xFFFF)
        return chr(c) if not 0xD800 <= c <= 0xDFFF else "\u00e9"
    return chr(rng.randint(0x10000, 0x10FFFF))


def random_str(rng, n=None):
    n = rng.choice([0, 1, 2, 3, 5, 8, 13, 30]) if n is None else n
    return "".join(random_char(rng) for _ in range(n))


def random_float(rng):
    kind = rng.random()
    if kind < 0.1:
        return rng.choice([float("nan"), float("inf"), float("-inf"), -0.0, 0.0])
    if kind < 0.4:
        v = from_bits(f"{rng.getrandbits(64):016x}")
        return v if not math.isnan(v) else 1.5
    if kind < 0.7:
        return rng.random() * 10.0 ** rng.randint(-8, 20)
    return round(rng.uniform(-1e6, 1e6), rng.randint(0, 6))


def random_int(rng):
    return rng.choice([
        rng.randint(-10, 100),
        rng.randint(-(2**31), 2**31 - 1),
        rng.choice([2**31 - 1, -(2**31), 2**31, -(2**31) - 1, I64_MAX, I64_MIN, 0]),
        rng.randint(I64_MIN, I64_MAX),
        rng.randint(-(2**40), 2**40),
    ])


def random_value(rng, depth):
    kind = rng.random()
    if depth > 0 and kind < 0.15:
        return [random_value(rng, depth - 1) for _ in range(rng.randint(0, 5))]
    if depth > 0 and kind < 0.30:
        return random_dict(rng, depth - 1)
    if kind < 0.40:
        return rng.choice([None, True, False])
    if kind < 0.60:
        return random_int(rng)
    if kind < 0.75:
        return random_float(rng)
    return random_str(rng)


def random_dict(rng, depth):
    return {random_str(rng): random_value(rng, depth) for _ in range(rng.randint(0, 6))}


def session_case(name, session):
    return {
        "name": name,
        "value": typed(session),
        "python": json.dumps(session),
        "compact": json.dumps(session, ensure_ascii=False, separators=(",", ":")),
        "compact_ascii": json.dumps(session, ensure_ascii=True, separators=(",", ":")),
    }


def session_cases():
    rng = random.Random(1004)
    cases = [
        session_case("empty", {}),
        session_case("beaker_like", {
            "_accessed_time": 1716280000.123456, "_creation_time": 1716279000.5,
            "_domain": None, "_path": "/", "user_id": 42, "flash": ["saved", "é"],
        }),
        session_case("bmp_and_astral", {
            "bmp": "".join(chr(c) for c in range(0, 0xD800, 7)),
            "high": "".join(chr(c) for c in range(0xE000, 0x10000, 5)),
            "astral": "".join(chr(c) for c in range(0x10000, 0x110000, 4099)),
            "ends": "\U0010ffff\U00010000\uffff\ue000",
        }),
        session_case("escapes", {chr(c): chr(c) * 2 for c in range(0, 0x80)}),
        session_case("nesting", {"a": [[[], {}], {"b": {"c": [1, [2, [3.5, None]]]}}]}),
        session_case("specials", {"nan": float("nan"), "inf": float("inf"),
                                   "ninf": float("-inf"), "nz": -0.0, "z": 0.0,
                                   "tiny": 5e-324, "max": 1.7976931348623157e308}),
        session_case("int_edges", {"a": 2**31 - 1, "b": -(2**31), "c": 2**31, "d": -(2**31) - 1,
                                   "e": I64_MAX, "f": I64_MIN, "g": 0, "h": -1}),
        session_case("empty_key_and_value", {"": "", " ": [""]}),
    ]
    for i in range(200):
        cases.append(session_case(f"random_{i}", random_dict(rng, rng.randint(0, 4))))
    return cases


# ---------------------------------------------------------------------------------------------
# Read corpus: json.loads(bytes) on valid, invalid and mutated inputs.

HAND_INPUTS = [
    b'{}', b'[]', b'""', b'0', b'-0', b'-0.0', b'1e400', b'-1e400', b'1e-400', b'1E+2', b'1e01',
    b'NaN', b'-NaN', b'Infinity', b'-Infinity', b'infinity', b'nan', b'null', b'true', b'false',
    b'nul', b'tru', b'fals', b'None', b'01', b'-01', b'00', b'1.', b'.5', b'+1', b'-', b'1e',
    b'1e+', b'1.0e', b'1.e5', b'0x10', b'1_000', b'2147483647', b'2147483648', b'-2147483648',
    b'-2147483649', b'9223372036854775807', b'9223372036854775808', b'-9223372036854775808',
    b'-9223372036854775809', b'123456789012345678901234567890', b'[1,]', b'{"a":1,}', b'{,}',
    b'[,]', b'[1 2]', b'{"a" 1}', b'{1:2}', b"{'a':1}", b'{"a":1 "b":2}', b'[', b']', b'{',
    b'}', b'{"a":', b'{"a":1', b'{"a"', b'"abc', b'"\\', b'"\\u12', b'"\\u12"', b'"\\uabcg"',
    b'"\\x"', b'"\\U00e9"', b'"\\/"', b'"\\"\\\\\\/\\b\\f\\n\\r\\t"', b'"\\u00e9\\u00E9"',
    b'"\\ud83d\\ude00"', b'"\\ud83d"', b'"\\ude00"', b'"\\ud83dx"', b'"\\ud83d\\u0041"',
    b'"\\ud83d\\ud83d\\ude00"', b'"\\ud83d"x', b'"\\ud83d\\uzzzz"', b'"\\ud83d\\u', b'"\x7f"',
    b'"\x1f"', b'"a\x00"', b'"a\nb"', b'"\t"', b' \t\n\r{} \n', b'\x0c{}', b'\x0b1', b'{}x',
    b'{} {}', b'1 2', b'', b'  ', b'\xef\xbb\xbf{}', b'\xef\xbb\xbf', b'\xef\xbb\xbf\xef\xbb\xbf{}',
    b'\xef\xbb\xbf"\xed\xa0\x80"', b'"\xed\xa0\x80"', b'"\xed\xa0\xbd\xed\xb8\x80"', b'"\xff"',
    b'"\xc3"', b'"\xc0\x80"', b'"\xf4\x90\x80\x80"', b'"\xed\xa0"', b'"\xed\xa0\x80\xff"',
    b'\xed\xa0\x80', b'\xc2\xa0{}', b'"\xe2\x80\xa8"', b'\xd9\xa1', b'1\x002', b'{}\x00',
    b'\xff\xfe{\x00}\x00', b'{\x00}\x00', b'\xfe\xff\x00{\x00}', b'\x00{\x00}',
    b'\x00\x00\xfe\xff\x00\x00\x00{\x00\x00\x00}', b'\xff\xfe\x00\x00{\x00\x00\x00}\x00\x00\x00',
    b'\x00\x00\x00{\x00\x00\x00}', b'{\x00\x00\x00}\x00\x00\x00', b'1\x00', b'\x001',
    b'\xff\xfe"\x00\x00\xd8"\x00', b'\xff\xfe"\x00\x00\xd8', b'"\x00\x00\xd8"\x00',
    b'"\x00\x00\xdc\x00\xd8"\x00', b'\x00\x00\x00"\x00\x00\xd8\x00\x00\x00\x00"',
    b'"\x00\x00\x00\x00\x00\x11\x00"\x00\x00\x00', b'"\x00\x00\x00a\x00\x00\x00"\x00\x00',
    b'\xff\xfe{\x00}', b'1' * 4300, b'-' + b'1' * 4300, b'1' * 4301, b'1' * 4300 + b'.0',
    b'{"a": 1, "b": 2, "a": 3}', b'{"a": {"x": 1, "x": [2]}, "a": 0}',
    b'[' * 60 + b']' * 60, b'{"a":' * 30 + b'1' + b'}' * 30,
]

SEED_SNIPPETS = [
    b'{"a": [1, 2.5, -3e-7, true, false, null, "x\\n\\u00e9"], "b": {"c": NaN}}',
    b'[-Infinity, Infinity, NaN, -0, -0.0, 0e0, 1E5, 12.5e+3]',
    b'{"\\ud83d\\ude00": "\\ud83d\\ude00", "k": "\\u0000\\u001f\\"\\\\"}',
    '{"é": "😀", "日本": ["\u2028"]}'.encode(),
]

ALPHABET = b'{}[]",:0123456789.eE+-\\u tnrfalseNaInfity \t\n\r' + b'\x00\x1f\x7f\xc3\xa9\xed\xa0\xff'


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        pos = rng.randint(0, len(data)) if data else 0
        if op < 0.3 and data:
            del data[min(pos, len(data) - 1)]
        elif op < 0.6:
            data[pos:pos] = bytes([rng.choice(ALPHABET)])
        elif op < 0.8 and data:
            data[min(pos, len(data) - 1)] = rng.choice(ALPHABET)
        elif op < 0.9:
            del data[pos:]
        elif data:
            a = rng.randint(0, len(data) - 1)
            b = rng.randint(a, min(len(data), a + 8))
            data[pos:pos] = data[a:b]
    return bytes(data)


def outcome(data):
    """What json.loads(data) does, as a corpus case."""
    case = {"hex": data.hex()}
    try:
        value = json.loads(data)
    except json.JSONDecodeError as e:
        case["result"] = "error"
        # Our offsets count bytes of the UTF-8 text (after a UTF-8 BOM, of the input).
        encoding = json.detect_encoding(data)
        prefix = e.doc[: e.pos].encode("utf-8", "surrogatepass")
        if encoding == "utf-8-sig":
            case["offset"] = 3 + len(prefix)
        else:
            case["offset"] = len(prefix)
        return case
    except UnicodeDecodeError as e:
        case["result"] = "error"
        if json.detect_encoding(data) in ("utf-8", "utf-8-sig"):
            case["offset"] = e.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        return case
    except ValueError:  # int_max_str_digits
        case["result"] = "error"
        return case
    try:
        case["value"] = typed(value)
        case["result"] = "ok"
    except Unrepresentable as e:
        case["result"] = "unsupported"
        case["why"] = str(e)
    return case


def read_cases(sessions):
    rng = random.Random(4300)
    inputs = list(HAND_INPUTS)
    seeds = list(SEED_SNIPPETS)
    small = [c for c in sessions if len(c["compact"]) <= 300]
    for c in small[:60]:
        seeds.append(c["python"].encode())
        seeds.append(c["compact"].encode("utf-8"))
    for seed in seeds:
        inputs.append(seed)
    for enc in ("utf-16-le", "utf-16-be", "utf-16", "utf-32-le", "utf-32-be", "utf-32"):
        for seed in SEED_SNIPPETS + [c["compact"].encode() for c in small[:6]]:
            inputs.append(seed.decode("utf-8").encode(enc))
    for _ in range(2000):
        inputs.append(mutate(rng, rng.choice(seeds)))
    for _ in range(1000):
        n = rng.randint(0, 8)
        inputs.append(bytes(rng.choice(ALPHABET) for _ in range(n)))
    cases, seen = [], set()
    for data in inputs:
        if data in seen:
            continue
        seen.add(data)
        cases.append(outcome(data))
    return cases


def main():
    os.makedirs(OUT, exist_ok=True)
    dump_file("floats.json", float_cases())
    sessions = session_cases()
    dump_file("sessions.json", sessions)
    dump_file("read_corpus.json", read_cases(sessions))


if __name__ == "__main__":
    main()
