// A Cloudflare Workers fetch handler on a Python Beaker app's session: it reads the
// beaker-session-jwt cookie from the `Cookie` header, touches the session the way Beaker does
// (a new `_id` and `_creation_time` for a new session, `_accessed_time` on every request),
// counts `visits`, and answers with `Set-Cookie`. The secret keys come from the Worker's
// environment: `JWT_SECRET_KEYS` (comma-separated, first signs, all verify, as in the .ini);
// optional `SESSION_OPTIONS`, a JSON object of further Beaker options (`session.timeout`, ...).
//
// The session code is the Rust core compiled to wasm (bindings/wasm, `--target web`, copied
// into ./pkg by build.sh); workerd/wrangler import the .wasm file as a WebAssembly.Module.
import wasmModule from "../pkg/beaker_session_wasm_bg.wasm";
import { initSync, decode, encode, cookieFromHeader, setCookieHeader } from "../pkg/beaker_session_wasm.js";

initSync({ module: wasmModule });

function options(env) {
    if (!env.JWT_SECRET_KEYS) throw new Error("JWT_SECRET_KEYS is not set");
    const extra = env.SESSION_OPTIONS ? JSON.parse(env.SESSION_OPTIONS) : {};
    return { ...extra, "session.jwt_secret_keys": env.JWT_SECRET_KEYS };
}

// A JS number that happens to be integral would be written as a BSON int; Beaker's times
// are Python floats, so say so.
function double(x) {
    return Number.isInteger(x) ? { $numberDouble: x.toFixed(1) } : x;
}

function newSession(now) {
    // Beaker: `_id` is uuid4().hex, `_creation_time` time.time().
    return { _id: crypto.randomUUID().replaceAll("-", ""), _creation_time: double(now) };
}

export default {
    async fetch(request, env) {
        const opts = options(env);
        const now = Date.now() / 1000;
        const value = cookieFromHeader(request.headers.get("Cookie") ?? "", opts);
        let session;
        let refused = null;
        let format = null;
        if (value === undefined) {
            session = newSession(now);
        } else {
            try {
                const d = decode(value, opts, now);
                session = d.session;
                format = d.format;
            } catch (e) {
                // Beaker's invalidate_corrupt: a cookie that does not verify starts a new session.
                refused = { category: e.category ?? "other", layer: e.layer ?? null, message: e.message };
                session = newSession(now);
            }
        }
        // An int beyond 32 bits comes as a BigInt; anything else (absent, not a number) restarts.
        const v = session.visits;
        const visits = typeof v === "number" ? v + 1 : typeof v === "bigint" ? v + 1n : 1;
        session.visits = visits;
        session._accessed_time = double(now);
        const cookie = encode(session, opts);
        const body = JSON.stringify({ visits: Number(visits), new: format === null, format, refused, user: session.user ?? null });
        return new Response(body + "\n", {
            headers: {
                "Content-Type": "application/json",
                "Set-Cookie": setCookieHeader(cookie, opts, now),
            },
        });
    },
};
