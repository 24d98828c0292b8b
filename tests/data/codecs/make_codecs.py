#!/usr/bin/env python3
"""Vectors for src/base85.rs and src/zlib.rs, asked of CPython itself.

    python make_codecs.py           # rewrite base85.txt and zlib.txt (deterministic)
    python make_codecs.py --check   # check that Python's zlib.decompress reads every stream
                                    # in deflate_ours.txt (our own deflate output) exactly

Made with CPython 3.11 (the interpreter beaker-session-jwt 1.0.4 was checked on) and its zlib.
Each line is one case, fields separated by one space, `-` for an empty field, hex for bytes:

base85.txt
    encode <data> <text>               base64.b85encode(data) == text
    decode <text> ok <bytes>           base64.b85decode(text) == bytes
    decode <text> bad <N>              ValueError "bad base85 character at position N"
    decode <text> overflow <N>         ValueError "base85 overflow in hunk starting at byte N"

bomb_64m.zz
    zlib.compress(zlib.compress(b"\0" * 64 MiB, 9), 9): a 247-byte file whose inflation is a bomb

zlib.txt
    inflate <stream> ok <bytes>        zlib.decompress(stream) == bytes
    inflate <stream> err <message>     zlib.decompress(stream) raises zlib.error(message)
    inflate <stream> err-lax <message> Python refuses it, we accept it: a known deviation
                                       (see `lax_lines`; only a key holder can send one)
  <bytes> is hex, or `lcg:SEED:LEN` for the text that `lcg_text` below makes (the Rust tests
  make the same text), to keep the file small.

deflate_ours.txt (our Rust output, pasted from the failing test's message; only *checked* here)
    deflate <input> <stream>           zlib::deflate(input); zlib.decompress(stream) == input
    stored <input> <stream>            the stored-block fallback; zlib.decompress(stream) == input
"""

import base64
import random
import re
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALPHABET = base64._b85alphabet
assert ALPHABET == b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
BAD_BYTES = [b for b in range(256) if b not in ALPHABET]

WORDS = [b"session", b"user_id", b"_accessed_time", b"_creation_time", b"cart", b"items",
         b"0123456789", b" ", b"\n", b"{", b"}", b":", b",", b"\"", b"flash", b"csrf"]


def lcg_text(seed: int, length: int) -> bytes:
    """Compressible pseudo-text: words picked by a 64-bit LCG (same in the Rust tests)."""
    state = seed
    out = bytearray()
    while len(out) < length:
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        out += WORDS[(state >> 33) % len(WORDS)]
    return bytes(out[:length])


def hx(data: bytes) -> str:
    return data.hex() if data else "-"


def unspec(field: str) -> bytes:
    if field.startswith("lcg:"):
        _, seed, length = field.split(":")
        return lcg_text(int(seed), int(length))
    return b"" if field == "-" else bytes.fromhex(field)


# ---------------------------------------------------------------- base85

def b85_case(text: bytes) -> str:
    try:
        out = base64.b85decode(text)
        return f"decode {hx(text)} ok {hx(out)}"
    except ValueError as e:
        msg = str(e)
        m = re.fullmatch(r"bad base85 character at position (\d+)", msg)
        if m:
            return f"decode {hx(text)} bad {m.group(1)}"
        m = re.fullmatch(r"base85 overflow in hunk starting at byte (\d+)", msg)
        if m:
            return f"decode {hx(text)} overflow {m.group(1)}"
        raise


def valid_group(rng: random.Random) -> bytes:
    return base64.b85encode(rng.randbytes(4))


def overflow_group(rng: random.Random) -> bytes:
    while True:
        g = bytes(rng.choice(ALPHABET) for _ in range(5))
        v = 0
        for c in g:
            v = v * 85 + ALPHABET.index(c)
        if v >= 2**32:
            return g


def base85_lines() -> list:
    rng = random.Random(85)
    lines = ["# base64.b85encode / b85decode vectors; made by make_codecs.py (CPython %s)"
             % sys.version.split()[0]]
    # Encode: every length 0..=20 of random data (8 each), all-zero and all-0xff, every byte.
    datas = []
    for n in range(21):
        datas += [rng.randbytes(n) for _ in range(8)]
        datas += [b"\0" * n, b"\xff" * n]
    datas += [bytes([b]) for b in range(256)]
    for data in datas:
        text = base64.b85encode(data)
        lines.append(f"encode {hx(data)} {text.decode() if text else '-'}")
        lines.append(b85_case(text))
    # Random texts in the alphabet, every length 0..=25 (every tail length), 12 each.
    for n in range(26):
        for _ in range(12):
            lines.append(b85_case(bytes(rng.choice(ALPHABET) for _ in range(n))))
    # Every 1-character tail, after 0 and 1 full groups.
    for c in ALPHABET:
        lines.append(b85_case(bytes([c])))
        lines.append(b85_case(b"00000" + bytes([c])))
    # The overflow boundary of each tail length (and of a full group), at group 0 and 1.
    for r in range(1, 6):
        scale = 85 ** (5 - r)
        # Padded value is v * scale + (scale - 1); the largest v that fits, and the next one.
        v_max = (2**32 - scale) // scale
        for v in (v_max - 1, v_max, v_max + 1, 85**r - 1):
            if v >= 85**r:
                continue
            digits = []
            for _ in range(r):
                digits.append(ALPHABET[v % 85])
                v //= 85
            tail = bytes(reversed(digits))
            lines.append(b85_case(tail))
            lines.append(b85_case(valid_group(rng) + tail))
    # An overflowing group at each group position of texts of 5..=22 characters.
    for n in range(5, 23):
        groups = (n + 4) // 5
        for k in range(groups):
            text = bytearray(b"".join(valid_group(rng) for _ in range(groups))[:n])
            if k * 5 + 5 <= n:
                text[k * 5:k * 5 + 5] = overflow_group(rng)
            else:
                text[k * 5:] = b"~" * (n - k * 5)
            lines.append(b85_case(bytes(text)))
    # A bad byte at each position of texts of 1..=22 characters, cycling through bad bytes.
    i = 0
    for n in range(1, 23):
        for p in range(n):
            text = bytearray(b"".join(valid_group(rng) for _ in range(5))[:n])
            text[p] = BAD_BYTES[i % len(BAD_BYTES)]
            i += 1
            lines.append(b85_case(bytes(text)))
    # Every bad byte alone, and after a full group.
    for b in BAD_BYTES:
        lines.append(b85_case(bytes([b])))
        lines.append(b85_case(b"00000" + bytes([b])))
    # Interactions: overflow and a bad byte in the same group (either order), or in
    # different groups (either order).
    for _ in range(40):
        bad = bytes([rng.choice(BAD_BYTES)])
        ov = overflow_group(rng)
        p = rng.randrange(5)
        same = bytearray(ov)
        same[p] = bad[0]
        lines.append(b85_case(bytes(same)))
        lines.append(b85_case(ov + valid_group(rng)[:p] + bad))
        lines.append(b85_case(valid_group(rng)[:p] + bad + valid_group(rng)[p:] + ov))
    # Whitespace between groups, a trailing newline, quotes.
    for text in [b"00000 00000", b"00000\n", b"\n00000", b"'00000'", b'"00000"', b"0000\r\n"]:
        lines.append(b85_case(text))
    return lines


# ---------------------------------------------------------------- zlib

def z_case(stream: bytes, out_spec=None) -> str:
    try:
        out = zlib.decompress(stream)
    except zlib.error as e:
        return f"inflate {hx(stream)} err {str(e).replace(' ', '_')}"
    if out_spec is not None:
        assert unspec(out_spec) == out
        return f"inflate {hx(stream)} ok {out_spec}"
    return f"inflate {hx(stream)} ok {hx(out)}"


def compressobj_stream(data, level=9, wbits=15, strategy=zlib.Z_DEFAULT_STRATEGY, flushes=()):
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, 9, strategy)
    out = b""
    pos = 0
    for cut, mode in flushes:
        out += c.compress(data[pos:cut]) + c.flush(mode)
        pos = cut
    return out + c.compress(data[pos:]) + c.flush()


def fix_header(cmf: int, fdict: bool) -> bytes:
    flg = 0x20 if fdict else 0
    flg += (31 - (cmf * 256 + flg) % 31) % 31
    return bytes([cmf, flg])


def canonical(lengths: dict) -> dict:
    """RFC 1951 §3.2.2 canonical Huffman codes: symbol -> (code, length)."""
    code, out = 0, {}
    for n in range(1, 16):
        for sym in sorted(k for k, v in lengths.items() if v == n):
            out[sym] = (code, n)
            code += 1
        code <<= 1
    return out


def dynamic_block(lit: dict, dist: dict, symbols: list, output: bytes) -> bytes:
    """A zlib stream of one final dynamic block with the given code lengths (symbol -> length;
    the sets may be incomplete), coding `symbols` (literal/length symbols only)."""
    bits = []

    def put(value, n):  # LSB first
        bits.extend((value >> i) & 1 for i in range(n))

    def code(c):  # Huffman code, MSB first
        bits.extend((c[0] >> i) & 1 for i in reversed(range(c[1])))

    nlit = max(max(lit) + 1, 257)
    ndist = max(max(dist) + 1, 1) if dist else 1
    lens = [lit.get(i, 0) for i in range(nlit)] + [dist.get(i, 0) for i in range(ndist)]
    # A complete code-length code over all 19 symbols: 13 of 4 bits, 6 of 5 bits.
    cl_lens = {n: 4 if n < 13 else 5 for n in range(19)}
    cl_codes = canonical(cl_lens)
    order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    put(1, 1)
    put(2, 2)
    put(nlit - 257, 5)
    put(ndist - 1, 5)
    put(19 - 4, 4)
    for sym in order:
        put(cl_lens[sym], 3)
    i = 0
    while i < len(lens):
        run = 1
        while i + run < len(lens) and lens[i + run] == 0 and lens[i] == 0 and run < 138:
            run += 1
        if lens[i] == 0 and run >= 11:
            code(cl_codes[18])
            put(run - 11, 7)
            i += run
        else:
            code(cl_codes[lens[i]])
            i += 1
    lit_codes = canonical(lit)
    for sym in symbols:
        code(lit_codes[sym])
    bits += [0] * (-len(bits) % 8)
    body = bytes(sum(bits[i + j] << j for j in range(8)) for i in range(0, len(bits), 8))
    return b"\x78\x9c" + body + zlib.adler32(output).to_bytes(4, "big")


def lax_lines() -> list:
    """Incomplete code sets holding a single code longer than 1 bit: zlib refuses them
    ("invalid distances set", "invalid literal/lengths set"), miniz_oxide accepts them and
    decodes the symbols that are there. Recorded so the deviation stays known."""
    lines = []
    cases = [
        ({97: 1, 256: 1}, {0: 1}, [97, 256], b"a"),    # complete: both accept
        ({97: 1, 256: 1}, {0: 2}, [97, 256], b"a"),    # one distance code, 2 bits
        ({97: 1, 256: 1}, {5: 7}, [97, 256], b"a"),    # one distance code, 7 bits
        ({256: 1}, {0: 1}, [256], b""),                # only end-of-block, 1 bit
        ({256: 2}, {0: 1}, [256], b""),                # only end-of-block, 2 bits
        ({256: 9}, {}, [256], b""),                    # only end-of-block, 9 bits, no dists
    ]
    for lit, dist, symbols, output in cases:
        line = z_case(dynamic_block(lit, dist, symbols, output))
        if " err " in line:
            line = line.replace(" err ", " err-lax ", 1)
        lines.append(line)
    return lines


def zlib_lines() -> list:
    rng = random.Random(1950)
    lines = ["# zlib.decompress vectors; made by make_codecs.py (CPython %s, zlib %s)"
             % (sys.version.split()[0], zlib.ZLIB_RUNTIME_VERSION)]
    session = (b'{"_accessed_time": 1700000000.123, "_creation_time": 1700000000.0, '
               b'"user_id": 42, "cart": [1, 2, 3], "flash": ["saved"]}')
    inputs = [
        (b"", None), (b"a", None), (b"hello world", None), (session, None),
        (b"\0" * 300, None), (rng.randbytes(300), None), (bytes(range(256)), None),
        (lcg_text(7, 2000), "lcg:7:2000"),
    ]
    # One text longer than the 32 KiB window, in a few shapes only (it is the bulk of the file).
    big = lcg_text(8, 70000)
    for level in (1, 9):
        lines.append(z_case(zlib.compress(big, level), "lcg:8:70000"))
    lines.append(z_case(compressobj_stream(big, strategy=zlib.Z_FIXED), "lcg:8:70000"))
    lines.append(z_case(compressobj_stream(big, flushes=[(30000, zlib.Z_SYNC_FLUSH)]),
                        "lcg:8:70000"))
    # Every level, and the ways zlib can shape a stream.
    for data, spec in inputs:
        for level in (0, 1, 6, 9):
            lines.append(z_case(zlib.compress(data, level), spec))
        for strategy in (zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FIXED):
            lines.append(z_case(compressobj_stream(data, strategy=strategy), spec))
    for data, spec in inputs[2:]:
        for wbits in range(9, 16):
            lines.append(z_case(compressobj_stream(data, wbits=wbits), spec))
        n = len(data)
        flushes = [(n // 3, zlib.Z_SYNC_FLUSH), (n // 2, zlib.Z_FULL_FLUSH),
                   (2 * n // 3, zlib.Z_SYNC_FLUSH)]
        lines.append(z_case(compressobj_stream(data, flushes=flushes), spec))
    # Bytes after the end of the stream are ignored.
    base = zlib.compress(b"hello world", 9)
    for extra in (b"\0", b"garbage", base, b"\xff" * 100):
        lines.append(z_case(base + extra))
    # Every truncation (all refused).
    for stream in (base, zlib.compress(session, 9), zlib.compress(b"", 9),
                   zlib.compress(b"hello world", 0)):
        for cut in range(len(stream)):
            lines.append(z_case(stream[:cut]))
    # Every FLG byte after CMF 0x78; every CMF with a valid check, with and without FDICT.
    body = base[2:]
    for flg in range(256):
        lines.append(z_case(bytes([0x78, flg]) + body))
    for cmf in range(256):
        lines.append(z_case(fix_header(cmf, False) + body))
        lines.append(z_case(fix_header(cmf, True) + b"\0\0\0\1" + body))
    # Every single-bit flip of the checksum.
    for i in range(len(base) - 4, len(base)):
        for bit in range(8):
            s = bytearray(base)
            s[i] ^= 1 << bit
            lines.append(z_case(bytes(s)))
    # Mutated deflate bodies. Where raw inflate still reaches the end of the stream, the
    # checksum is recomputed so the case tests the deflate grammar, not the checksum.
    small = [b"a", b"hello world", session, b"\0" * 100, rng.randbytes(40), lcg_text(10, 200)]
    sources = [zlib.compress(d, lv) for d in small for lv in (1, 9)]
    sources += [compressobj_stream(session, strategy=zlib.Z_FIXED),
                compressobj_stream(lcg_text(9, 500), strategy=zlib.Z_HUFFMAN_ONLY)]
    for _ in range(1000):
        src = rng.choice(sources)
        body = bytearray(src[2:-4])
        for _ in range(rng.choice((1, 1, 2, 3))):
            p = rng.randrange(len(body))
            if rng.random() < 0.7:
                body[p] ^= 1 << rng.randrange(8)
            else:
                body[p] = rng.randrange(256)
        body = bytes(body)
        d = zlib.decompressobj(-15)
        try:
            out = d.decompress(body)
            done = d.eof
        except zlib.error:
            done = False
        if done:
            used = len(body) - len(d.unused_data)
            stream = src[:2] + body[:used] + zlib.adler32(out).to_bytes(4, "big")
        else:
            stream = src[:2] + body + src[-4:]
        lines.append(z_case(stream))
    return lines + lax_lines()


def check_ours() -> int:
    bad = 0
    count = 0
    for line in (HERE / "deflate_ours.txt").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        kind, spec, stream = line.split(" ")
        assert kind in ("deflate", "stored"), kind
        count += 1
        try:
            ok = zlib.decompress(unspec(stream)) == unspec(spec)
        except zlib.error:
            ok = False
        if not ok:
            bad += 1
            print("Python does not read our stream for", spec[:40])
    print(f"deflate_ours.txt: {count - bad}/{count} streams read back exactly by Python zlib "
          f"{zlib.ZLIB_RUNTIME_VERSION}")
    return 1 if bad or not count else 0


def main() -> int:
    if sys.argv[1:] == ["--check"]:
        return check_ours()
    for name, lines in (("base85.txt", base85_lines()), ("zlib.txt", zlib_lines())):
        (HERE / name).write_text("\n".join(lines) + "\n")
        print(name, len(lines) - 1, "cases")
    # A 64 MiB bomb, itself deflated: the inner stream is what an attacker would send.
    bomb = zlib.compress(b"\0" * (64 << 20), 9)
    assert len(zlib.decompress(bomb)) == 64 << 20
    (HERE / "bomb_64m.zz").write_bytes(zlib.compress(bomb, 9))
    print("bomb_64m.zz", len(bomb), "byte bomb in", len(zlib.compress(bomb, 9)), "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
