// Runs src/worker.mjs in a local Workers runtime (Miniflare 3 over the workerd binary from npm)
// and checks it against the Python package: a cookie Python wrote is read and touched, the
// Set-Cookie it answers with reads back in Python, a forged cookie starts a new session.
//   BEAKER_INTEROP_PYTHON  a python with beaker-session-jwt 1.0.4 (run-tests.sh builds one)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const KEYS = "worker-key-new-0123456789, worker-key-old-0123456789";
const OPTIONS = { "session.jwt_secret_keys": KEYS };
let mf;
// As wrangler bundles: `.js` files are ES modules, `.wasm` files compiled WebAssembly modules.
const RULES = [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
];

function python(op, request) {
    const py = process.env.BEAKER_INTEROP_PYTHON;
    assert.ok(py, "set BEAKER_INTEROP_PYTHON (run-tests.sh does)");
    const script = join(root, "bindings/wasm/tests/beaker_py.py");
    return JSON.parse(execFileSync(py, [script, op], { input: JSON.stringify(request) }).toString());
}

function setCookieValue(res) {
    const h = res.headers.get("Set-Cookie");
    assert.match(h, /^beaker\.session\.id=[^;]+; Path=\/; SameSite=Lax$/);
    return h.slice("beaker.session.id=".length).split(";")[0];
}

before(async () => {
    mf = new Miniflare({
        modules: true,
        scriptPath: join(here, "../src/worker.mjs"),
        modulesRules: RULES,
        compatibilityDate: "2025-07-18",
        bindings: { JWT_SECRET_KEYS: KEYS },
    });
    await mf.ready;
});

after(async () => {
    await mf?.dispose();
});

test("a session Python wrote (with the older key) is read, touched and re-signed", async () => {
    const t0 = Date.now() / 1000;
    const written = python("encode", {
        // Python signs with the old key: the worker must still verify it (key rotation).
        options: { "session.jwt_secret_keys": "worker-key-old-0123456789" },
        session: {
            _id: "3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e",
            _creation_time: { $numberDouble: "1699990000.5" },
            _accessed_time: { $numberDouble: "1700000000.25" },
            user: "alice",
            visits: { $numberInt: "41" },
            when: { $date: { $numberLong: "1709210096789" } },
        },
    });
    assert.equal(written.error, undefined, written.error);
    const res = await mf.dispatchFetch("http://localhost/", {
        headers: { Cookie: `other=1; beaker.session.id=${written.cookie}; x="y"` },
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body, { visits: 42, new: false, format: "jwt-bson", refused: null, user: "alice" });
    const back = python("decode", { options: OPTIONS, cookie: setCookieValue(res) });
    assert.equal(back.error, undefined, back.error);
    const s = back.session;
    assert.deepEqual(Object.keys(s), ["_id", "_creation_time", "_accessed_time", "user", "visits", "when"]);
    assert.equal(s._id, "3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e");
    assert.deepEqual(s._creation_time, { $numberDouble: "1699990000.5" });
    assert.deepEqual(s.visits, { $numberInt: "42" });
    assert.deepEqual(s.when, { $date: { $numberLong: "1709210096789" } });
    const accessed = Number(s._accessed_time.$numberDouble);
    assert.ok(accessed >= t0 - 1 && accessed <= Date.now() / 1000 + 1, `_accessed_time ${accessed}`);
    // And it is signed with the first (new) key alone.
    const newOnly = python("decode", { options: { "session.jwt_secret_keys": "worker-key-new-0123456789" }, cookie: setCookieValue(res) });
    assert.equal(newOnly.error, undefined);
});

test("a vector cookie from tests/data is read with the vectors' keys", async () => {
    const cookie = readFileSync(join(root, "tests/data/jwt_bson/beaker_typical.cookie"), "utf8").trim();
    const keys = "vectors-key-one-0123456789, vectors-key-two-0123456789";
    const worker = new Miniflare({
        modules: true,
        scriptPath: join(here, "../src/worker.mjs"),
        modulesRules: RULES,
        compatibilityDate: "2025-07-18",
        bindings: { JWT_SECRET_KEYS: keys },
    });
    try {
        const res = await worker.dispatchFetch("http://localhost/", { headers: { Cookie: `beaker.session.id=${cookie}` } });
        const body = await res.json();
        assert.equal(body.new, false);
        assert.equal(body.visits, 1);
        const back = python("decode", { options: { "session.jwt_secret_keys": keys }, cookie: setCookieValue(res) });
        assert.equal(back.error, undefined, back.error);
        assert.equal(back.session.username, "alice");
        assert.deepEqual(back.session.user_id, { $numberInt: "1234" });
        assert.deepEqual(back.session.visits, { $numberInt: "1" });
    } finally {
        await worker.dispose();
    }
});

test("no cookie: a new Beaker session Python can read", async () => {
    const res = await mf.dispatchFetch("http://localhost/");
    assert.deepEqual(await res.json(), { visits: 1, new: true, format: null, refused: null, user: null });
    const back = python("decode", { options: OPTIONS, cookie: setCookieValue(res) });
    assert.equal(back.error, undefined, back.error);
    assert.match(back.session._id, /^[0-9a-f]{32}$/);
    assert.ok("$numberDouble" in back.session._creation_time);
    assert.ok("$numberDouble" in back.session._accessed_time);
});

test("a forged cookie is refused and replaced by a new session", async () => {
    const forged = python("encode", {
        options: { "session.jwt_secret_keys": "attacker-key-0123456789" },
        session: { user: "admin", visits: { $numberInt: "1000" } },
    }).cookie;
    const res = await mf.dispatchFetch("http://localhost/", { headers: { Cookie: `beaker.session.id=${forged}` } });
    const body = await res.json();
    assert.equal(body.new, true);
    assert.equal(body.visits, 1);
    assert.equal(body.user, null);
    assert.equal(body.refused.category, "bad-signature");
    const back = python("decode", { options: OPTIONS, cookie: setCookieValue(res) });
    assert.equal(back.session.user, undefined);
});
