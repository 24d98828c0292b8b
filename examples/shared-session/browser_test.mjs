// One browser, two apps, one Beaker session: drives a real headless Chromium (Debian's
// `chromium`, through playwright-core; no browser download) through a session shared by the
// Python app (python_app.py: Beaker's SessionMiddleware + beaker-session-jwt) and the axum app
// (src/main.rs: beaker-session-axum), on two loopback ports of one host. Cookies are not
// port-scoped, so the browser sends the same cookie to both.
//
//   node --test browser_test.mjs          (run-browser-test.sh installs everything first)
//
// Environment (all optional):
//   SHARED_SESSION_PYTHON  a python that already has requirements.txt installed; otherwise a venv
//                          is built once under <target>/shared-session-venv/<hash>/
//   SHARED_SESSION_BIN     the axum app's binary; otherwise `cargo build -p shared-session`
//   CARGO_TARGET_DIR       where cargo builds (and where the venv goes); default <repo>/target
//   CHROMIUM               the browser; default /usr/bin/chromium
//   SHARED_SESSION_KEEP_LOGS=1  print both servers' logs even when every step passes
//
// The steps run in order and each one asserts; after a failure the later steps are skipped, the
// servers' logs are printed, and node exits non-zero. Everything is bounded: each step has a
// timeout and a watchdog kills the servers and exits if the whole run takes too long.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR
  ? path.resolve(process.env.CARGO_TARGET_DIR)
  : path.join(REPO, 'target');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const COOKIE = 'beaker.session.id';
const STEP_MS = 30_000; // one step (a page load or two)
const SETUP_MS = 15 * 60_000; // venv build + cargo build on a cold machine
const WATCHDOG_MS = SETUP_MS + 5 * 60_000;

// ---------------------------------------------------------------------------------------------
// Processes: every child is killed at the end, on a failure, on a signal and by the watchdog.

const children = [];
const logs = [];

function killAll(signal = 'SIGTERM') {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}
process.on('exit', () => killAll('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAll('SIGKILL');
    process.exit(1);
  });
}
const watchdog = setTimeout(() => {
  console.error(`watchdog: the browser test ran over ${WATCHDOG_MS / 1000} s; killing the servers`);
  dumpLogs();
  killAll('SIGKILL');
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

function dumpLogs() {
  for (const { name, lines } of logs) {
    console.error(`----- ${name} log -----\n${lines.join('')}----- end of ${name} log -----`);
  }
}

function startServer(name, command, args, env = {}) {
  const child = spawn(command, args, {
    cwd: HERE,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry = { name, lines: [] };
  logs.push(entry);
  const keep = (chunk) => {
    entry.lines.push(chunk.toString());
    if (entry.lines.length > 400) entry.lines.splice(0, entry.lines.length - 400);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => keep(`[${name} exited: code ${code}, signal ${signal}]\n`));
  children.push(child);
  return child;
}

async function stopServers() {
  const exits = children
    .filter((c) => c.exitCode === null && c.signalCode === null)
    .map((c) => once(c, 'exit'));
  killAll('SIGTERM');
  const grace = setTimeout(() => killAll('SIGKILL'), 3000);
  await Promise.all(exits);
  clearTimeout(grace);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, name, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before listening on ${port}`);
    }
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not listen on 127.0.0.1:${port} within ${ms / 1000} s`);
}

function run(what, command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: SETUP_MS,
    ...options,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${what} failed (${result.error ?? `exit ${result.status}`}):\n${result.stdout ?? ''}${result.stderr ?? ''}`,
    );
  }
  return result.stdout;
}

// ---------------------------------------------------------------------------------------------
// What the apps need: a python with the pinned packages, the axum binary, one .ini.

function python() {
  if (process.env.SHARED_SESSION_PYTHON) return process.env.SHARED_SESSION_PYTHON;
  const requirements = path.join(HERE, 'requirements.txt');
  const version = run('python3 --version', 'python3', ['-c', 'import sys; print(sys.version)']);
  const hash = createHash('sha256')
    .update(fs.readFileSync(requirements))
    .update(version)
    .digest('hex')
    .slice(0, 16);
  const venv = path.join(TARGET, 'shared-session-venv', hash);
  const bin = path.join(venv, 'bin', 'python');
  if (fs.existsSync(path.join(venv, '.complete'))) return bin;
  console.error(`building the Python venv (once) in ${venv} from ${requirements}`);
  fs.rmSync(venv, { recursive: true, force: true });
  run('python3 -m venv', 'python3', ['-m', 'venv', venv]);
  run('pip install -r requirements.txt', bin, [
    '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', requirements,
  ]);
  run('importing the packages', bin, ['-c', 'import beaker, beaker_session_jwt, bson, joserfc']);
  fs.writeFileSync(path.join(venv, '.complete'), '');
  return bin;
}

function rustBinary() {
  if (process.env.SHARED_SESSION_BIN) return process.env.SHARED_SESSION_BIN;
  const out = run('cargo build -p shared-session', 'cargo', [
    'build', '-p', 'shared-session', '--bin', 'shared-session', '--message-format=json-render-diagnostics',
  ]);
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line);
    if (msg.reason === 'compiler-artifact' && msg.target?.name === 'shared-session' && msg.executable) {
      return msg.executable;
    }
  }
  throw new Error('cargo build -p shared-session did not report the shared-session executable');
}

/// The committed shared-session.ini with a fresh random key: both apps must really read it.
function writeConfig() {
  const key = randomBytes(32).toString('hex');
  const committed = fs.readFileSync(path.join(HERE, 'shared-session.ini'), 'utf8');
  const lines = committed.split('\n');
  const at = lines.findIndex((l) => /^session\.jwt_secret_keys\s*=/.test(l));
  assert.notEqual(at, -1, 'shared-session.ini has no session.jwt_secret_keys line');
  lines[at] = `session.jwt_secret_keys = ${key}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-session-'));
  const file = path.join(dir, 'shared-session.ini');
  fs.writeFileSync(file, lines.join('\n'));
  return { dir, file };
}

// ---------------------------------------------------------------------------------------------
// The page both apps render: <dd id="user">, "visits", "rust_seen", "session-id",
// "creation-time", "is-new"; forms with buttons #login (+ input #user-input), #visit, #logout.

let browser;
let context;
let page;
let py; // base URLs
let rs;
let config;
let failed = false;

async function show(base) {
  const response = await page.goto(base);
  assert.equal(response.status(), 200, `GET ${base}`);
  const read = async (id) => (await page.textContent(`#${id}`)).trim();
  return {
    app: await read('app'),
    user: await read('user'),
    visits: await read('visits'),
    rustSeen: await read('rust_seen'),
    id: await read('session-id'),
    creation: await read('creation-time'),
    isNew: await read('is-new'),
    setCookie: await response.headerValue('set-cookie'),
  };
}

/// Clicks a form button and returns the POST's Set-Cookie header (null when none) once the
/// redirect has been followed.
async function submit(selector, action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === action),
    page.waitForNavigation(),
    page.click(selector),
  ]);
  assert.equal(response.status(), 303, `POST ${action}`);
  return response.headerValue('set-cookie');
}

async function sessionCookie() {
  const cookies = await context.cookies();
  return cookies.find((c) => c.name === COOKIE) ?? null;
}

/// The attributes of a Set-Cookie header after the value, as written.
function attributes(header) {
  return header.trim().split(';').slice(1).map((a) => a.trim());
}

/// The expires= attribute of a Set-Cookie header as a Date (null when none).
function expires(header) {
  const m = /;\s*expires=([^;]+)/i.exec(header);
  return m ? new Date(m[1]) : null;
}

function step(name, fn) {
  test(name, { timeout: STEP_MS }, async (t) => {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
}

before(async () => {
  try {
    await setUp();
  } catch (e) {
    failed = true; // the steps report "cancelled"; after() prints the servers' logs
    throw e;
  }
}, { timeout: SETUP_MS });

async function setUp() {
  const pythonBin = python();
  const rustBin = rustBinary();
  config = writeConfig();
  const [pyPort, rsPort] = [await freePort(), await freePort()];
  py = `http://127.0.0.1:${pyPort}/`;
  rs = `http://127.0.0.1:${rsPort}/`;
  const pyChild = startServer('python app', pythonBin, [
    path.join(HERE, 'python_app.py'), '--config', config.file, '--port', String(pyPort), '--other', rs,
  ]);
  const rsChild = startServer('axum app', rustBin, [
    '--config', config.file, '--port', String(rsPort), '--other', py,
  ]);
  await Promise.all([
    waitForPort(pyPort, pyChild, 'the python app'),
    waitForPort(rsPort, rsChild, 'the axum app'),
  ]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 60_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
}

after(async () => {
  try {
    if (browser) await browser.close();
  } finally {
    await stopServers();
    if (config) fs.rmSync(config.dir, { recursive: true, force: true });
    if (failed || process.env.SHARED_SESSION_KEEP_LOGS === '1') dumpLogs();
  }
}, { timeout: 30_000 });

// ---------------------------------------------------------------------------------------------
// The steps. State carried from one step to the next:
let sessionId; // the _id the Python app gave the session at login
let creationTime;
let pyLoginCookie; // the Set-Cookie of the Python login
let rsSaveCookie; // the Set-Cookie of the axum app's save
let cookieAfterLogin;

step('1. a fresh browser: the Python app shows a new, empty session and sets no cookie', async () => {
  const s = await show(py);
  assert.equal(s.app, 'python');
  assert.equal(s.user, '');
  assert.equal(s.isNew, 'true');
  assert.match(s.id, /^[0-9a-f]{32}$/);
  assert.equal(s.setCookie, null, 'an untouched new session is not saved');
  assert.equal(await sessionCookie(), null, 'an untouched new session is not saved');
});

step('2. log in on the Python app: user alice, visits 0, a JWT cookie in the browser', async () => {
  await page.fill('#user-input', 'alice');
  pyLoginCookie = await submit('#login', '/login');
  assert.ok(pyLoginCookie, 'the Python login sets a cookie');
  assert.ok(pyLoginCookie.trim().startsWith(`${COOKIE}=`), pyLoginCookie);
  const s = await show(py);
  assert.equal(s.app, 'python');
  assert.equal(s.user, 'alice');
  assert.equal(s.visits, '0');
  assert.equal(s.isNew, 'false');
  assert.match(s.id, /^[0-9a-f]{32}$/);
  sessionId = s.id;
  creationTime = Number(s.creation);
  assert.ok(creationTime > 1.5e9, `_creation_time ${s.creation}`);
  const cookie = await sessionCookie();
  assert.ok(cookie, 'the browser keeps the session cookie');
  assert.match(cookie.value, /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/, 'an HS256 JWS');
  assert.equal(cookie.path, '/');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  cookieAfterLogin = cookie.value;
});

step('3. the axum app reads the same session: same user, visits, _id and _creation_time', async () => {
  const s = await show(rs);
  assert.equal(s.app, 'rust');
  assert.equal(s.user, 'alice');
  assert.equal(s.visits, '0');
  assert.equal(s.rustSeen, '');
  assert.equal(s.isNew, 'false');
  assert.equal(s.id, sessionId);
  assert.equal(Number(s.creation), creationTime);
  // Beaker writes the cookie back on every request that loads an existing session (a fresh
  // _accessed_time); the layer does the same.
  assert.ok(s.setCookie?.trim().startsWith(`${COOKIE}=`), 'a read refreshes _accessed_time');
});

step('4. change it on the axum app: visits 1, rust_seen true, same _id, a new cookie', async () => {
  rsSaveCookie = await submit('#visit', '/visit');
  assert.ok(rsSaveCookie, 'the axum app saves the changed session');
  assert.ok(rsSaveCookie.trim().startsWith(`${COOKIE}=`), rsSaveCookie);
  assert.deepEqual(
    attributes(rsSaveCookie),
    attributes(pyLoginCookie),
    'the axum app writes the same cookie attributes as Beaker',
  );
  const s = await show(rs);
  assert.equal(s.app, 'rust');
  assert.equal(s.user, 'alice');
  assert.equal(s.visits, '1');
  assert.equal(s.rustSeen, 'true');
  assert.equal(s.id, sessionId);
  assert.equal(Number(s.creation), creationTime);
  const cookie = await sessionCookie();
  assert.ok(cookie, 'the browser still has the session cookie');
  assert.notEqual(cookie.value, cookieAfterLogin, 'the cookie was rewritten');
});

step('5. the Python app sees the change: visits 1, rust_seen true, same user and _id', async () => {
  const s = await show(py);
  assert.equal(s.app, 'python');
  assert.equal(s.user, 'alice');
  assert.equal(s.visits, '1');
  assert.equal(s.rustSeen, 'true');
  assert.equal(s.isNew, 'false');
  assert.equal(s.id, sessionId);
  assert.equal(Number(s.creation), creationTime);
  assert.ok(s.setCookie?.trim().startsWith(`${COOKIE}=`), 'a read refreshes _accessed_time');
});

step('6. log out on the axum app: an expired Set-Cookie, the browser drops the cookie', async () => {
  await page.goto(rs);
  const deleted = await submit('#logout', '/logout');
  assert.ok(deleted, 'logout sends a Set-Cookie');
  assert.ok(deleted.trim().startsWith(`${COOKIE}=`), deleted);
  const when = expires(deleted);
  assert.ok(when && when.getTime() < Date.now() - 300 * 24 * 3600 * 1000, `expires in the past: ${deleted}`);
  assert.equal(await sessionCookie(), null, 'the browser deleted the session cookie');
  const s = await show(rs);
  assert.equal(s.app, 'rust');
  assert.equal(s.user, '');
  assert.equal(s.isNew, 'true');
  assert.notEqual(s.id, sessionId);
  assert.equal(s.setCookie, null, 'an untouched new session is not saved');
  assert.equal(await sessionCookie(), null);
});

step('7. the Python app starts a new session: no user, a different _id', async () => {
  const s = await show(py);
  assert.equal(s.app, 'python');
  assert.equal(s.user, '');
  assert.equal(s.visits, '');
  assert.equal(s.rustSeen, '');
  assert.equal(s.isNew, 'true');
  assert.match(s.id, /^[0-9a-f]{32}$/);
  assert.notEqual(s.id, sessionId);
  assert.equal(s.setCookie, null, 'an untouched new session is not saved');
  assert.equal(await sessionCookie(), null);
});
