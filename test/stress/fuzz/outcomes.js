'use strict';
// Runs one generated call on one library and records its outcome as JSON-able data (the
// synchronous throw or return, the async events with their error shapes, the exec callback, the
// sync result or error), so that the two libraries' outcomes can be compared as strings.
// Racy parts (the exit status of a child killed for maxBuffer) are normalized away.
const { materialize, optionOf } = require('./specs');

// --- outcomes ---------------------------------------------------------------------------------

/** A JSON-able view of any value, stable across the two libraries (pids, Buffers normalized). */
function norm(value, key, depth = 0) {
  if (key === 'pid') return typeof value === 'number' ? (value > 0 ? 'pid>0' : value) : norm(value, null, depth);
  if (value === undefined) return '<undefined>';
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return `<function ${value.name}>`;
  if (Buffer.isBuffer(value)) return { Buffer: value.toString('latin1') };
  if (depth > 4) return '<deep>';
  if (Array.isArray(value)) return value.map((x) => norm(x, null, depth + 1));
  if (value instanceof Error) return errShape(value, depth + 1);
  const out = {};
  for (const k of Object.keys(value)) out[k] = norm(value[k], k, depth + 1);
  return out;
}

function errShape(err, depth = 0) {
  if (!(err instanceof Error)) return { nonError: norm(err, null, depth + 1) };
  const shape = { ctor: err.constructor && err.constructor.name, name: err.name, message: err.message };
  for (const k of Object.keys(err)) shape[k] = norm(err[k], k, depth + 1);
  for (const k of ['code', 'errno', 'syscall', 'path', 'spawnargs']) {
    if (err[k] !== undefined && !(k in shape)) shape[k] = norm(err[k], k, depth + 1);
  }
  if (err.cause !== undefined) shape.cause = err.cause instanceof Error ? { name: err.cause.name } : norm(err.cause);
  return shape;
}

// A child killed for maxBuffer or a timeout may or may not have exited on its own first.
// A sync child killed for maxBuffer (ENOBUFS): what was read of it too depends on how its writes
// and our reads met (one chunk or two), and the reading stops there.
function dropRacyStatus(o) {
  if (!o || typeof o !== 'object') return o;
  const code = (o.error && o.error.code) || o.code;
  if (code === 'ENOBUFS' || code === 'ETIMEDOUT' || code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    delete o.status;
    delete o.signal;
    delete o.killed;
    if (code === 'ENOBUFS') {
      delete o.output;
      delete o.stdout;
      delete o.stderr;
    }
    if (o.error) o.error = dropRacyStatus(o.error);
  }
  return o;
}

// Uncaught exceptions (an 'error' nobody listens to) belong to the case running when they come.
const uncaught = { current: null, stray: [] };
process.on('uncaughtException', (err) => {
  const shape = errShape(err);
  if (uncaught.current) (uncaught.current.uncaught ??= []).push(shape);
  else uncaught.stray.push(shape);
});

function delay(ms) { return new Promise((r) => setTimeout(r, ms)); }

function childShape(child) {
  return {
    pid: norm(child.pid, 'pid'),
    stdio: Array.isArray(child.stdio) ? child.stdio.map((s) => (s ? 'stream' : s)) : norm(child.stdio),
    stdin: !!child.stdin, stdout: !!child.stdout, stderr: !!child.stderr,
    connected: child.connected, spawnfile: child.spawnfile, spawnargs: norm(child.spawnargs),
  };
}

async function runAsync(lib, fn, specs) {
  let callbackDone;
  const callbackCalled = new Promise((r) => { callbackDone = r; });
  const rec = { events: [] };
  const ctx = {
    callback(err, stdout, stderr) {
      rec.callback = dropRacyStatus({ err: err === null ? null : errShape(err), stdout: norm(stdout), stderr: norm(stderr) });
      if (rec.callback.err) dropRacyStatus(rec.callback.err);
      callbackDone();
    },
  };
  const args = specs.map((s) => materialize(s, ctx));
  let child;
  try {
    child = lib[fn](...args);
  } catch (err) {
    // A call can throw after its child was made (an AbortSignal-like object that cannot take a
    // listener): that child's 'error' then has no listener, and is an uncaught exception in both.
    const threw = { threw: errShape(err) };
    uncaught.current = threw;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    uncaught.current = null;
    return threw;
  }
  uncaught.current = rec;
  if (!child || typeof child.on !== 'function') return { returned: norm(child) };
  rec.returned = childShape(child);
  const out = { stdout: [], stderr: [] };
  for (const name of ['stdout', 'stderr']) {
    child[name]?.on('data', (d) => out[name].push(Buffer.from(d)));
  }
  let disconnects = 0;
  const closed = new Promise((resolve) => {
    child.on('spawn', () => rec.events.push('spawn'));
    child.on('exit', (code, signal) => rec.events.push(['exit', code, signal]));
    child.on('error', (e) => rec.events.push(['error', errShape(e)]));
    child.on('disconnect', () => { disconnects++; });
    child.on('message', (m) => rec.events.push(['message', norm(m)]));
    child.on('close', (code, signal) => { rec.events.push(['close', code, signal]); resolve(true); });
  });
  try {
    child.stdin?.end();
  } catch { /* not writable: fine */ }
  const ok = await Promise.race([closed, delay(8000).then(() => false)]);
  if (!ok) {
    rec.noClose = true;
    try { child.kill('SIGKILL'); } catch { /* ignore */ }
  }
  if (specs.some((s) => s[0] === 'cb')) {
    if (!(await Promise.race([callbackCalled.then(() => true), delay(300).then(() => false)]))) rec.callback = '<never called>';
  }
  rec.disconnects = disconnects;
  rec.stdout = Buffer.concat(out.stdout).toString('latin1');
  rec.stderr = Buffer.concat(out.stderr).toString('latin1');
  rec.final = { exitCode: child.exitCode, signalCode: child.signalCode, killed: child.killed };
  uncaught.current = null;
  // exec/execFile kill the child once its output passes maxBuffer: whether that kill comes before
  // or after the child's own exit (and so what 'exit' says, and `killed`) is a race, under Node
  // too, with or without a callback to tell.
  const maxBuffer = optionOf(specs, 'maxBuffer');
  const smallMaxBuffer = (fn === 'exec' || fn === 'execFile') && maxBuffer &&
    ((maxBuffer[0] === 'v' && typeof maxBuffer[1] === 'number' && maxBuffer[1] < 64) || JSON.stringify(maxBuffer) === '["num","-0"]');
  if (smallMaxBuffer || (rec.callback && rec.callback.err && rec.callback.err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')) {
    rec.final = '<raced with the kill>';
    rec.events = rec.events.filter((e) => e === 'spawn');
    // exec destroys the streams at the limit: what else our own listener saw depends on chunking
    // (the callback's output, the first maxBuffer bytes, does not).
    delete rec.stdout;
    delete rec.stderr;
  }
  return rec;
}

function runSync(lib, fn, specs) {
  const args = specs.map((s) => materialize(s));
  try {
    const r = lib[fn](...args);
    return { returned: dropRacyStatus(norm(r)) };
  } catch (err) {
    return { threw: dropRacyStatus(errShape(err)) };
  }
}

async function runKill(lib, specs) {
  const child = lib.spawn('sleep', ['5'], { stdio: 'ignore' });
  const exit = new Promise((r) => child.once('exit', (code, signal) => r([code, signal])));
  await new Promise((r) => child.once('spawn', r));
  const sig = materialize(specs[0]);
  const rec = {};
  try {
    rec.first = { returned: child.kill(sig) };
  } catch (err) {
    rec.first = { threw: errShape(err) };
  }
  await delay(30);
  child.kill('SIGKILL');
  rec.exit = await exit;
  rec.killed = child.killed;
  try {
    rec.afterExit = { returned: child.kill(sig) };
  } catch (err) {
    rec.afterExit = { threw: errShape(err) };
  }
  return rec;
}

/** 'spawn: threw TypeError ERR_INVALID_ARG_TYPE', 'exec: exit 0', ...: what the cases covered. */
function outcomeKind(fn, o) {
  if (o.threw) return `${fn}: threw ${o.threw.code || o.threw.name}`;
  if (fn === 'kill') return `kill: ${o.first.threw ? `threw ${o.first.threw.code}` : `returned ${o.first.returned}`}`;
  if ('returned' in o && !o.events) {
    const r = o.returned;
    const obj = r !== null && typeof r === 'object';
    return `${fn}: returned${obj && r.error ? ` error ${r.error.code}` : obj && 'status' in r ? ` status ${r.status}` : ` ${typeof r}`}`;
  }
  const err = o.events.find((e) => Array.isArray(e) && e[0] === 'error');
  const exit = o.events.find((e) => Array.isArray(e) && e[0] === 'exit');
  return `${fn}: ${[err ? `error ${err[1].code}` : '', exit ? `exit ${exit[1] ?? exit[2]}` : ''].filter(Boolean).join(' ') || 'no exit'}`;
}

const SYNC = new Set(['spawnSync', 'execSync', 'execFileSync']);

async function runCase(lib, fn, specs) {
  if (fn === 'kill') return runKill(lib, specs);
  if (SYNC.has(fn)) return runSync(lib, fn, specs);
  return runAsync(lib, fn, specs);
}

module.exports = { runCase, outcomeKind, norm, errShape, uncaught };
