// Node test of the wasm package (node --test): cookies the Python package wrote decode to the
// sessions Python read from them, a cookie written here reads back in Python, forged cookies
// are refused with typed errors.
//   BEAKER_WASM_PKG        folder of the wasm-bindgen `--target nodejs` output (default ../pkg)
//   BEAKER_INTEROP_PYTHON  a python with beaker-session-jwt 1.0.4 (run-tests.sh builds one)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const data = join(root, "tests/data");
const pkgDir = resolve(process.env.BEAKER_WASM_PKG ?? join(here, "../pkg"));
const wasm = createRequire(import.meta.url)(join(pkgDir, "beaker_session_wasm.js"));
const NOW = 1_700_000_100;

/** The `session.*` options of an .ini's [app:main] section, names and values as written. */
function readIni(path) {
    const opts = {};
    for (const line of readFileSync(path, "utf8").split("\n")) {
        const m = /^\s*((?:beaker\.)?session\.[\w.]+)\s*=\s*(.*?)\s*$/.exec(line);
        if (m) opts[m[1]] = m[2];
    }
    return opts;
}

const NUMBERS = new Set(["$numberInt", "$numberLong", "$numberDouble"]);
const WRAPPERS = new Set(["$oid", "$date", "$binary", "$uuid", "$regularExpression", "$timestamp",
    "$numberDecimal", "$code", "$scope", "$symbol", "$dbPointer", "$undefined", "$minKey", "$maxKey", ...NUMBERS]);

/** Canonical Extended JSON (Python's output) in the form this package gives JS. */
function natural(v) {
    if (Array.isArray(v)) return v.map(natural);
    if (v === null || typeof v !== "object") return v;
    const keys = Object.keys(v);
    if (keys.length === 2 && keys[0] === "$code") return { $code: v.$code, $scope: natural(v.$scope) };
    if (keys.length > 0 && WRAPPERS.has(keys[0]) && !NUMBERS.has(keys[0])) return v;
    if (keys.length === 1 && keys[0] === "$numberInt") return Number(v.$numberInt);
    if (keys.length === 1 && keys[0] === "$numberLong") {
        const n = BigInt(v.$numberLong);
        return n >= -(2n ** 31n) && n < 2n ** 31n ? v : n;
    }
    if (keys.length === 1 && keys[0] === "$numberDouble") {
        const d = Number(v.$numberDouble);
        return Number.isFinite(d) ? d : v;
    }
    return Object.fromEntries(keys.map((k) => [k, natural(v[k])]));
}

function python(op, request) {
    const py = process.env.BEAKER_INTEROP_PYTHON;
    assert.ok(py, "set BEAKER_INTEROP_PYTHON (bindings/wasm/run-tests.sh does)");
    const out = execFileSync(py, [join(here, "beaker_py.py"), op], { input: JSON.stringify(request) });
    return JSON.parse(out.toString());
}

/** True when the package was built without the core's legacy support (JWT-only): the legacy
 * options, valid in a full build, are then a config error. */
function jwtOnly() {
    const options = readIni(join(data, "legacy_pickle/options.ini"));
    try {
        wasm.encode({}, options);
        return false;
    } catch (e) {
        assert.equal(e.category, "config", e.message);
        return true;
    }
}

// Vectors whose refusal by Python the core deliberately does not copy (tests/jwt_vectors.rs
// and tests/legacy_vectors.rs document each): skipped in the "refused" check.
const READ_WHERE_PYTHON_REFUSES = new Set([
    "legacy_pickle/bad_py2_datetime_non_ascii",
    "legacy_pickle/bad_py2_str_non_ascii",
]);
// Read with RFC 7515's binary key, which no text option can carry (tests/jwt_vectors.rs sets it
// directly on the Config).
const BINARY_KEY = new Set(["jwt_bson/rfc7515_a1", "jwt_json/rfc7515_a1"]);

function vectors(folder) {
    const dir = join(data, folder);
    const names = readdirSync(dir).filter((f) => f.endsWith(".cookie")).map((f) => f.slice(0, -7));
    return names.map((name) => {
        const ini = existsSync(join(dir, name + ".ini")) ? join(dir, name + ".ini") : join(dir, "options.ini");
        const json = join(dir, name + ".json");
        return {
            name: `${folder}/${name}`,
            cookie: readFileSync(join(dir, name + ".cookie"), "utf8"),
            options: readIni(ini),
            expected: existsSync(json) ? JSON.parse(readFileSync(json, "utf8")) : null,
        };
    });
}

test("decodes the sample cookie Python wrote", () => {
    const cookie = readFileSync(join(root, "examples/sample.cookie"), "utf8").trim();
    const options = readIni(join(root, "examples/sample.ini"));
    const d = wasm.decode(cookie, options, NOW);
    assert.equal(d.format, "jwt-bson");
    assert.equal(d.keyIndex, 0);
    assert.equal(Object.getPrototypeOf(d.session), Object.prototype, "a plain object, not a Map");
    assert.equal(d.session.username, "alice");
    assert.equal(d.session.user_id, 1234);
    assert.deepEqual(d.session.roles, ["admin", "editor"]);
    assert.deepEqual(d.session.last_login, { $date: { $numberLong: "1709210096789" } });
});

for (const folder of ["jwt_bson", "jwt_json", "legacy_pickle", "legacy_json"]) {
    test(`${folder}: every cookie Python accepted decodes to Python's session`, (t) => {
        if (folder.startsWith("legacy") && jwtOnly()) return t.skip("JWT-only build");
        let n = 0;
        for (const v of vectors(folder).filter((v) => v.expected && !BINARY_KEY.has(v.name))) {
            let d;
            try {
                d = wasm.decode(v.cookie, v.options, NOW);
            } catch (e) {
                assert.fail(`${v.name}: ${e.category}: ${e.message}`);
            }
            assert.deepEqual(d.session, natural(v.expected), v.name);
            n++;
        }
        assert.ok(n > 5, `only ${n} vectors`);
    });
    test(`${folder}: every cookie Python refused throws a typed error`, (t) => {
        if (folder.startsWith("legacy") && jwtOnly()) return t.skip("JWT-only build");
        for (const v of vectors(folder).filter((v) => !v.expected && !READ_WHERE_PYTHON_REFUSES.has(v.name))) {
            assert.throws(() => wasm.decode(v.cookie, v.options, NOW), (e) => {
                assert.ok(e instanceof Error, v.name);
                assert.equal(e.name, "BeakerSessionError");
                assert.equal(typeof e.category, "string");
                return true;
            }, v.name);
        }
    });
}

test("a JWT-only build refuses legacy options with a config error", (t) => {
    if (!jwtOnly()) return t.skip("full build");
    assert.throws(() => wasm.decode("x", { jwt_secret_keys: "k-0123456789abcd", read_original_format: "true" }),
        (e) => e.category === "config");
});

test("refuses forged cookies", () => {
    const cookie = readFileSync(join(root, "examples/sample.cookie"), "utf8").trim();
    const options = readIni(join(root, "examples/sample.ini"));
    // Same session re-signed with another key.
    const session = wasm.decode(cookie, options, NOW).session;
    session.user_id = 1; // the forger's wish
    const forged = wasm.encode(session, { jwt_secret_keys: "attacker-key-0123456789" });
    assert.throws(() => wasm.decode(forged, options, NOW), (e) => {
        assert.equal(e.category, "bad-signature");
        assert.equal(e.layer, null);
        assert.equal(e.message, "signature did not verify");
        return true;
    });
    // The payload swapped under the genuine signature.
    const [h, , s] = cookie.split(".");
    const swapped = [h, forged.split(".")[1], s].join(".");
    assert.throws(() => wasm.decode(swapped, options, NOW), (e) => e.category === "bad-signature");
    // alg "none", no signature.
    const none = Buffer.from('{"typ":"JWT","alg":"none"}').toString("base64url") + "." + cookie.split(".")[1] + ".";
    assert.throws(() => wasm.decode(none, options, NOW), (e) => {
        assert.equal(e.category, "unsupported");
        assert.equal(e.layer, "jws");
        return true;
    });
});

test("a cookie written here reads back in Python to the same session", () => {
    const options = { "session.jwt_secret_keys": "writer-key-0123456789, older-key-0123456789" };
    const session = {
        _id: "0123456789abcdef0123456789abcdef",
        _creation_time: 1700000000.25,
        _accessed_time: 1700000050.5,
        visits: 7,
        big: 2n ** 40n,
        small_long: { $numberLong: "5" },
        name: "Zoë ☃",
        tags: ["a", "b", { nested: true, none: null }],
        when: { $date: { $numberLong: "1709210096789" } },
        oid: { $oid: "0123456789abcdef01234567" },
        raw: { $binary: { base64: "AAEC", subType: "00" } },
    };
    // bsZ mode (the default): every BSON type above.
    const cookie = wasm.encode(session, options);
    const py = python("decode", { options, cookie });
    assert.equal(py.error, undefined, py.error);
    assert.deepEqual(natural(py.session), session);
    assert.deepEqual(wasm.decode(cookie, options, NOW).session, session);
    // Plain JSON claims: JSON's types only (Python refuses the others there, and so do we).
    const json = { ...options, "session.bson_compress_jwt_payload": "false" };
    const plain = { _id: session._id, _accessed_time: 1700000050.5, visits: 7, big: 2n ** 40n, name: "Zoë ☃", tags: session.tags };
    const jcookie = wasm.encode(plain, json);
    const jpy = python("decode", { options: json, cookie: jcookie });
    assert.equal(jpy.error, undefined, jpy.error);
    assert.deepEqual(natural(jpy.session), plain);
    assert.throws(() => wasm.encode(session, json), (e) => e.category === "unwritable" && e.key === "when");
});

test("inspect: verified, unverified, timeout", () => {
    const cookie = readFileSync(join(root, "examples/sample.cookie"), "utf8").trim();
    const options = { ...readIni(join(root, "examples/sample.ini")), "session.timeout": 60 };
    const i = wasm.inspect(cookie, options, { now: 1_700_000_010 });
    assert.equal(i.format, "jwt-bson");
    assert.equal(i.verified, true);
    assert.equal(i.keyIndex, 0);
    assert.equal(i.header, '{"typ":"JWT","alg":"HS256"}');
    assert.equal(i.cookieLen, cookie.length);
    assert.ok(i.inflatedLen > i.compressedLen);
    assert.equal(i.timeout, "ok");
    const late = wasm.inspect(cookie, options, { now: 1_800_000_000 });
    assert.equal(late.timeout.category, "expired");
    const u = wasm.inspect(cookie, {}, { verify: false });
    assert.equal(u.verified, false);
    assert.equal(u.keyIndex, null);
    assert.equal(u.session.username, "alice");
    assert.throws(() => wasm.inspect(cookie, { jwt_secret_keys: "wrong-key-0123456789" }, {}),
        (e) => e.category === "bad-signature");
});

test("errors are typed: limits, config, bad session", () => {
    assert.throws(() => wasm.decode("x".repeat(100_000), { jwt_secret_keys: "k-0123456789abcd" }),
        (e) => e.category === "limit-exceeded" && e.limit === "max_cookie_len");
    assert.throws(() => wasm.decode("x", {}), (e) => e.category === "config");
    assert.throws(() => wasm.decode("x", { jwt_secret_keys: "short" }), (e) => e.category === "config");
    assert.throws(() => wasm.encode("not a session", { jwt_secret_keys: "k-0123456789abcd" }),
        (e) => e.category === "mismatch" && e.layer === "serde");
    assert.throws(() => wasm.encode([1, 2], { jwt_secret_keys: "k-0123456789abcd" }),
        (e) => e.category === "mismatch" && e.layer === "serde");
});

test("a cookie Python writes decodes here", () => {
    const options = { "session.jwt_secret_keys": "py-writer-key-0123456789" };
    const ext = { visits: { $numberInt: "41" }, ratio: { $numberDouble: "0.1" }, n: { $numberLong: "9007199254740993" } };
    const { cookie, error } = python("encode", { options, session: ext });
    assert.equal(error, undefined, error);
    assert.deepEqual(wasm.decode(cookie, options, NOW).session, natural(ext));
});

test("an unknown option is a config error that names it (and the nearest known one)", () => {
    const key = { jwt_secret_keys: "k-0123456789abcd" };
    const unknown = (name, suggestion) => (e) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, "BeakerSessionError");
        assert.equal(e.category, "config");
        assert.equal(e.layer, null);
        assert.equal(e.option, name);
        assert.equal(e.suggestion, suggestion);
        assert.ok(e.message.includes(JSON.stringify(name)), e.message);
        return true;
    };
    // Prefixed or not, every function that takes options refuses it.
    assert.throws(() => wasm.decode("x", { ...key, "session.timout": 60 }), unknown("timout", "timeout"));
    assert.throws(() => wasm.decode("x", { ...key, "beaker.session.timout": 60 }), unknown("timout", "timeout"));
    assert.throws(() => wasm.encode({}, { jwt_secret_key: "k-0123456789abcd" }),
        unknown("jwt_secret_key", "jwt_secret_keys"));
    assert.throws(() => wasm.inspect("x", { "session.no_such_thing": "1" }, { verify: false }),
        unknown("no_such_thing", null));
    assert.throws(() => wasm.cookieFromHeader("a=b", { ...key, cookie_pth: "/" }), unknown("cookie_pth", "cookie_path"));
    assert.throws(() => wasm.setCookieHeader("v", { ...key, secur: true }), unknown("secur", "secure"));
    // Beaker's own options that a cookie session has no use for are accepted and ignored.
    const cookie = wasm.encode({ a: 1 }, { ...key, "session.type": "cookie", data_dir: "/tmp" });
    assert.deepEqual(wasm.decode(cookie, key, NOW).session, { a: 1 });
});

test("inspect's own options are typed", () => {
    assert.throws(() => wasm.inspect("x", {}, { verify: "no" }), (e) => e.category === "config");
    assert.throws(() => wasm.inspect("x", {}, { verify: false, now: "soon" }), (e) => e.category === "config");
});
