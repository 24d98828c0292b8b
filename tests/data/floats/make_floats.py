"""Writes tests/data/floats/floats.json: doubles whose Python `repr` is easy to get wrong, each
beside `json.dumps(x)` (Python's `repr`, with `NaN` / `Infinity` / `-Infinity`).

    python3 tests/data/floats/make_floats.py

Deterministic (fixed seed). The families:
- exact ties: `x` exactly halfway between two shortest round-trip candidates, where `repr`
  picks the even last digit (`1979347788748715.25` -> `...715.2`). Such an `x` is `odd * 2**-k`
  with `1 <= k <= 25` and `odd * 5**k` of 17 or 18 digits, so every `k` is sampled;
- every power of two (the gap below is half the gap above: a tie there may have only one
  candidate that reads back, `2**-24` -> `5.960464477539063e-08`) and its two neighbours;
- powers of ten and their neighbours, subnormals, the limits, and random bit patterns.
"""

import json
import math
import random
import struct
import sys
from decimal import Decimal
from pathlib import Path


def bits(x):
    return struct.pack(">d", x).hex()


def digits_of(x):
    """The significant digits of `repr(abs(x))`, and of the exact value of `x`."""
    mantissa = repr(abs(x)).split("e")[0].replace(".", "")
    shortest = mantissa.lstrip("0").rstrip("0") or "0"
    exact = "".join(map(str, Decimal(x).as_tuple().digits)).lstrip("0").rstrip("0")
    return shortest, exact


def is_tie(x):
    shortest, exact = digits_of(x)
    return len(exact) == len(shortest) + 1 and exact.endswith("5")


def main():
    rng = random.Random(20261206)
    values = []

    # Exact ties, every k: x = odd * 2**-k, odd < 2**53 and odd * 5**k of 17..18 digits.
    for k in range(1, 26):
        low = max(1, 10**16 // 5**k)
        high = min(2**53 - 1, 10**18 // 5**k)
        found = 0
        tries = 0
        while found < 100 and tries < 20000 and low <= high:
            tries += 1
            odd = rng.randint(low, high) | 1
            if odd > high:
                continue
            x = math.ldexp(odd, -k)
            if is_tie(x):
                values.append(x)
                found += 1
    # The ties of the issue and of the unit tests, and their neighbours.
    for x in [1979347788748715.25, 1979347788748715.75, 1125899906842625.25]:
        values += [x, math.nextafter(x, 0), math.nextafter(x, math.inf)]

    ties = len(values)

    # Every power of two, and the neighbours of every seventh.
    for e in range(-1074, 1024):
        p = math.ldexp(1.0, e)
        values.append(p)
        if e % 7 == 0:
            values += [math.nextafter(p, 0), math.nextafter(p, math.inf)]

    # Powers of ten, and the neighbours of every third.
    for e in range(-323, 309):
        p = float(f"1e{e}")
        values.append(p)
        if e % 3 == 0:
            values += [math.nextafter(p, 0), math.nextafter(p, math.inf)]

    # Subnormals and limits.
    values += [5e-324, 1e-323, 2.225073858507201e-308, 2.2250738585072014e-308,
               sys.float_info.max, 0.0, -0.0, math.inf, -math.inf, math.nan]
    for _ in range(200):
        values.append(struct.unpack(">d", rng.getrandbits(52).to_bytes(8, "big"))[0])

    # The ties negated: the sign is written apart from the digits.
    values += [-x for x in values[:ties:4]]

    # Random bit patterns (NaNs and infinities included when they come up).
    for _ in range(1000):
        values.append(struct.unpack(">d", rng.getrandbits(64).to_bytes(8, "big"))[0])

    seen = set()
    cases = []
    for x in values:
        b = bits(x)
        if b in seen:
            continue
        seen.add(b)
        cases.append([b, json.dumps(x)])
    ties = sum(1 for b, _ in cases if is_tie(struct.unpack(">d", bytes.fromhex(b))[0]))
    head = {
        "python": sys.version.split()[0],
        "about": "[IEEE-754 bits as big-endian hex, json.dumps(x)]; see make_floats.py",
        "ties": ties,
    }
    lines = ",\n".join(json.dumps(c) for c in cases)
    text = json.dumps(head)[:-1] + ', "cases": [\n' + lines + "\n]}\n"
    path = Path(__file__).with_name("floats.json")
    path.write_text(text)
    print(f"{path}: {len(cases)} floats, {ties} exact ties")


main()
