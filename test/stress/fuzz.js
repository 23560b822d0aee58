'use strict';
// Bad input: every public function of the drop-in gets random and hostile arguments from a seeded
// generator, and must throw, emit or succeed exactly as node:child_process does on the same input
// (the synchronous throw or return, the async events with their error shapes, the exec callback,
// the sync result or error).
//
// Each call is generated as a small JSON-able "spec", materialized twice (fresh objects for each
// library, since Node mutates some of them) and printed as JS source when the two outcomes differ,
// so any mismatch is reproducible by hand. Only harmless programs run: file names come from a small
// set ('true', 'echo', 'cat', names that do not exist, paths that cannot be executed, strings
// with null bytes); arguments never hold shell metacharacters that redirect, chain or glob.
// Timing-dependent inputs are avoided (no timeout short enough to fire), or normalized (the exit
// status of a child killed for maxBuffer).
//
//   node test/stress/fuzz.js [--seed=N] [--iterations=N per function] [--budget-ms=N]
//                            [--only=spawn,exec,...] [--out=file.json]
// Prints (and writes to --out) one JSON line: { seed, cases, perFunction, mismatches: [...] }.
const fs = require('node:fs');
const path = require('node:path');
const url = require('node:url');
const util = require('node:util');

const node = require('node:child_process');
const ours = require('../../dist/integrations/child_process.js');

const FORK_CHILD = path.join(__dirname, '..', 'helpers', 'fuzz-fork-child.js');

/** This process's helper (for the driver to clean up after a case that hangs), or null. */
function helperPid() {
  try {
    return require('../../dist/lib/index.js').capabilities().helperPid;
  } catch {
    return null;
  }
}
const CLOSED_FD = 99;

// --- seeded generator -------------------------------------------------------------------------

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(seed) { this.rand = mulberry32(seed); }
  int(n) { return Math.floor(this.rand() * n); }
  chance(p) { return this.rand() < p; }
  pick(list) { return list[this.int(list.length)]; }
}

// --- specs: JSON-able descriptions of argument values -----------------------------------------

const v = (value) => ['v', value];
const U = ['undef'];

/** Builds the value a spec describes; ctx.callback is what ['cb'] becomes. */
function materialize(spec, ctx = {}) {
  switch (spec[0]) {
    case 'v': return spec[1];
    case 'undef': return undefined;
    case 'num': return Number(spec[1]); // NaN, Infinity, -Infinity, -0
    case 'big': return BigInt(spec[1]);
    case 'sym': return Symbol(spec[1]);
    case 'rep': return spec[1].repeat(spec[2]);
    case 'fn': return function someFunction() {};
    case 'cb': return ctx.callback;
    case 'buf': return Buffer.from(spec[1]);
    case 'u8': return new Uint8Array(spec[1]);
    case 'dv': return new DataView(new ArrayBuffer(2));
    case 'url': return new URL(spec[1]);
    case 'map': return new Map([[1, 2]]);
    case 'date': return new Date(0);
    case 're': return /re/g;
    case 'err': { // no stack: its inspect() (in messages) must not depend on where it was made
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      const err = new Error('an error as a value');
      Error.stackTraceLimit = limit;
      return err;
    }
    case 'holes': return new Array(spec[1]);
    case 'arr': return spec[1].map((s) => materialize(s, ctx));
    case 'obj': {
      const o = {};
      for (const [k, s] of spec[1]) o[k] = materialize(s, ctx);
      return o;
    }
    case 'nullproto': {
      const o = Object.create(null);
      for (const [k, s] of spec[1]) o[k] = materialize(s, ctx);
      return o;
    }
    case 'inherit': { // [inherited entries, own entries]
      const proto = {};
      for (const [k, s] of spec[1]) proto[k] = materialize(s, ctx);
      const o = Object.create(proto);
      for (const [k, s] of spec[2]) o[k] = materialize(s, ctx);
      return o;
    }
    case 'throwingGetter': {
      const o = {};
      Object.defineProperty(o, spec[1], { enumerable: true, get() { throw new Error(`getter ${spec[1]}`); } });
      return o;
    }
    case 'signal': {
      const ac = new AbortController();
      if (spec[1] === 'aborted') ac.abort();
      return ac.signal;
    }
    case 'duckSignal': return { aborted: spec[1] };
    case 'fdObj': return { fd: spec[1] };
    case 'stdinStream': return process.stdin;
    default: throw new Error(`unknown spec ${JSON.stringify(spec)}`);
  }
}

/** The spec as JS source, for reports. */
function show(spec) {
  switch (spec[0]) {
    case 'v': return typeof spec[1] === 'string' && spec[1].length > 60
      ? `${JSON.stringify(spec[1].slice(0, 20))}/*…${spec[1].length} chars*/` : JSON.stringify(spec[1]);
    case 'undef': return 'undefined';
    case 'num': return spec[1];
    case 'big': return `${spec[1]}n`;
    case 'sym': return `Symbol(${JSON.stringify(spec[1])})`;
    case 'rep': return `${JSON.stringify(spec[1])}.repeat(${spec[2]})`;
    case 'fn': return 'function someFunction() {}';
    case 'cb': return '(err, stdout, stderr) => {}';
    case 'buf': return `Buffer.from(${JSON.stringify(spec[1])})`;
    case 'u8': return `new Uint8Array(${JSON.stringify(spec[1])})`;
    case 'dv': return 'new DataView(new ArrayBuffer(2))';
    case 'url': return `new URL(${JSON.stringify(spec[1])})`;
    case 'map': return 'new Map([[1, 2]])';
    case 'date': return 'new Date(0)';
    case 're': return '/re/g';
    case 'err': return "new Error('an error as a value')";
    case 'holes': return `new Array(${spec[1]})`;
    case 'arr': return `[${spec[1].map(show).join(', ')}]`;
    case 'obj': return `{ ${spec[1].map(([k, s]) => `${JSON.stringify(k)}: ${show(s)}`).join(', ')} }`;
    case 'nullproto': return `Object.assign(Object.create(null), ${show(['obj', spec[1]])})`;
    case 'inherit': return `Object.assign(Object.create(${show(['obj', spec[1]])}), ${show(['obj', spec[2]])})`;
    case 'throwingGetter': return `{ get ${spec[1]}() { throw new Error('getter ${spec[1]}'); } }`;
    case 'signal': return spec[1] === 'aborted' ? 'AbortSignal.abort()' : 'new AbortController().signal';
    case 'duckSignal': return `{ aborted: ${spec[1]} }`;
    case 'fdObj': return `{ fd: ${spec[1]} }`;
    case 'stdinStream': return 'process.stdin';
    default: return JSON.stringify(spec);
  }
}

// Values of every type, hostile ones included.
const ANY = [
  U, v(null), v(true), v(false), v(0), ['num', '-0'], v(1), v(-1), v(1.5), ['num', 'NaN'], ['num', 'Infinity'],
  ['num', '-Infinity'], v(2 ** 31), v(2 ** 32), v(2 ** 53), v(-(2 ** 31) - 1), ['big', '10'], ['sym', 's'], v(''),
  v('x'), v('a\u0000b'), v('\u00e9\u{1F600}'), ['rep', 'y', 300], ['arr', []], ['arr', [v('a')]], ['arr', [v(1)]],
  ['obj', []], ['nullproto', []], ['fn'], ['date'], ['re'], ['err'], ['map'], ['buf', 'buf'], ['u8', [0, 1]],
  ['dv'], ['url', 'file:///tmp'], ['url', 'http://example.com/x'], ['holes', 2], ['duckSignal', false],
];

const SAFE_FILES = ['true', 'echo', 'cat', 'procdesc-no-such-cmd', '/nonexistent/bin/x', '/etc/passwd', '/tmp', '',
  'a\u0000b', './no-such-file', 'echo\u0000', ' echo', 'ECHO'];
const SAFE_ARGS = [v('a'), v('hello world'), v(''), v('-n'), v('--'), v('\u00e9'), v('$HOME'), ['rep', 'x', 5000],
  v('a\u0000b'), v('-e'), v('3'), v('\\t')];
const COMMANDS = ['true', 'echo hi', 'exit 3', 'procdesc-no-such-cmd', 'echo a\u0000b', '', 'kill -TERM $$',
  'echo err >&2; exit 1', 'cat', 'echo $0', 'echo "$A"'];
const STDIO_ITEMS = [v('pipe'), v('ignore'), v('inherit'), v('overlapped'), v('ipc'), v(null), U, v(0), v(1), v(2),
  v(-1), v(CLOSED_FD), v(1.5), v('bogus'), ['obj', []], ['buf', 'x'], v('str'), ['fdObj', 2], ['fdObj', CLOSED_FD],
  ['stdinStream'], ['u8', [1]]];
const PATH = process.env.PATH || '/usr/bin:/bin';

function anyValue(g) { return g.pick(ANY); }

function valueFor(g, key) {
  if (g.chance(0.15)) {
    const any = anyValue(g);
    // A timeout that fires (a small positive number) makes the outcome a race.
    if (key === 'timeout' && any[0] === 'v' && typeof any[1] === 'number' && any[1] > 0) return v(10000);
    // Node 20 aborts on uid/gid -0 (isInt32(-0) passes in JS, IsInt32() fails in C++: an assertion).
    if ((key === 'uid' || key === 'gid') && any[0] === 'num' && any[1] === '-0') return v(0);
    return any;
  }
  switch (key) {
    case 'cwd': return g.pick([v('/'), v('/tmp'), v('/nonexistent-dir'), v(''), v('a\u0000b'), ['url', 'file:///tmp'],
      ['url', 'http://h/x'], ['url', 'file://remote/tmp'], ['url', 'file:///tmp%2Fx'], ['buf', '/tmp'], v('/etc/passwd'),
      v(1), ['u8', [47, 0]]]);
    case 'env': return g.pick([['obj', []], ['obj', [['PATH', v(PATH)]]], ['obj', [['A', v('1')], ['PATH', v(PATH)]]],
      ['obj', [['A', U]]], ['obj', [['A', v('a\u0000b')]]], ['obj', [['A\u0000', v('x')]]],
      ['inherit', [['INHERITED', v('x')]], [['PATH', v(PATH)]]], ['obj', [['A', v(1)]]], ['obj', [['A', ['sym', 'e']]]],
      ['nullproto', [['A', v('z')]]], ['obj', [['A', ['rep', 'z', 200000]]]], v(null)]);
    case 'argv0': return g.pick([v('zero'), v(''), v('a\u0000b'), v(1), v(null)]);
    case 'stdio': {
      if (g.chance(0.35)) return g.pick([v('pipe'), v('ignore'), v('inherit'), v('overlapped'), v('bogus'), v('ipc')]);
      const n = g.int(6);
      const items = [];
      for (let i = 0; i < n; i++) items.push(g.pick(STDIO_ITEMS));
      return ['arr', items];
    }
    case 'detached': case 'windowsHide': case 'windowsVerbatimArguments': case 'silent':
      return g.pick([v(true), v(false), v('yes'), v(1)]);
    case 'uid': case 'gid':
      return g.pick([v(0), v(65534), v(12345678), v(-1), v(2 ** 31), v(1.5), v('0'), v(-(2 ** 31))]);
    case 'shell': return g.pick([v(true), v(false), v('/bin/sh'), v('sh'), v('/nonexistent/sh'), v(''), v('a\u0000b'), v(1)]);
    // Never one that fires (2 ** 31 would: setTimeout makes it 1 ms), so outcomes do not race.
    case 'timeout': return g.pick([U, v(0), v(10000), v(-1), v(1.5), ['num', 'NaN'], v('100'), v(2 ** 31 - 1),
      ['num', 'Infinity'], v(null)]);
    case 'killSignal': return g.pick([v('SIGTERM'), v('SIGKILL'), v('sigint'), v(9), v(0), v(-1), v('SIGFOO'), v(1.5),
      v(null), ['obj', []], v('SIGKILL '), v(64)]);
    case 'signal': return g.pick([['signal', 'live'], ['signal', 'aborted'], ['obj', []], v('x'), v(null),
      ['duckSignal', false], ['duckSignal', true]]);
    case 'maxBuffer': return g.pick([v(1024 * 1024), v(0), v(-1), v(1), v(3), ['num', 'Infinity'], ['num', 'NaN'], v('1'), U,
      v(null)]);
    case 'encoding': return g.pick([v('utf8'), v('buffer'), v('latin1'), v('bogus'), v(null), v(1), v('hex'), v('base64')]);
    case 'input': return g.pick([v('text in\n'), ['buf', 'buffer in'], ['u8', [65, 10]], v(1), ['obj', []], v(null), ['dv']]);
    case 'serialization': return g.pick([v('json'), v('advanced'), v('bogus'), v(1)]);
    case 'execPath': return g.pick([v(process.execPath), v('/nonexistent/node'), v(1)]);
    case 'execArgv': return g.pick([['arr', []], ['arr', [v('--no-warnings')]], ['arr', [v('--bogus-flag-xyz')]], v('x'), ['arr', [v(1)]]]);
    default: return anyValue(g);
  }
}

const SPAWN_KEYS = ['cwd', 'env', 'argv0', 'stdio', 'detached', 'uid', 'gid', 'shell', 'timeout', 'killSignal', 'signal',
  'windowsHide', 'windowsVerbatimArguments', 'serialization'];
const EXEC_KEYS = ['cwd', 'env', 'encoding', 'shell', 'timeout', 'maxBuffer', 'killSignal', 'uid', 'gid', 'signal',
  'windowsHide', 'argv0'];
const SYNC_KEYS = [...SPAWN_KEYS, 'input', 'maxBuffer', 'encoding'];
const FORK_KEYS = ['cwd', 'env', 'execPath', 'execArgv', 'silent', 'stdio', 'detached', 'uid', 'gid', 'serialization',
  'timeout', 'killSignal', 'signal'];

function optionsSpec(g, keys) {
  const r = g.rand();
  if (r < 0.08) return U;
  if (r < 0.12) return v(null);
  if (r < 0.2) return anyValue(g);
  if (r < 0.22) return ['throwingGetter', g.pick(keys)];
  const n = 1 + g.int(4);
  const entries = [];
  for (let i = 0; i < n; i++) {
    const key = g.pick(keys);
    if (entries.some(([k]) => k === key)) continue;
    entries.push([key, valueFor(g, key)]);
  }
  return g.chance(0.1) ? ['nullproto', entries] : ['obj', entries];
}

function fileSpec(g) { return g.chance(0.15) ? anyValue(g) : v(g.pick(SAFE_FILES)); }
function commandSpec(g) { return g.chance(0.15) ? anyValue(g) : v(g.pick(COMMANDS)); }

function argsSpec(g) {
  const r = g.rand();
  if (r < 0.2) return U;
  if (r < 0.27) return v(null);
  if (r < 0.37) return anyValue(g);
  const n = g.int(5);
  const items = [];
  for (let i = 0; i < n; i++) items.push(g.chance(0.1) ? anyValue(g) : g.pick(SAFE_ARGS));
  return ['arr', items];
}

/** Trailing undefined arguments are dropped, sometimes: arity is part of the input. */
function trim(g, args) {
  const out = args.slice();
  while (out.length > 1 && out[out.length - 1][0] === 'undef' && g.chance(0.7)) out.pop();
  return out;
}

// A child that is still running when the abort comes: an aborted signal always meets a live child
// (a fast one could be gone already, which would make the outcome depend on timing). The options
// may sit at any index once arguments were left out.
function isAbortedSignal(s) {
  return (s[0] === 'signal' && s[1] === 'aborted') || (s[0] === 'duckSignal' && s[1] === true);
}

function deflake(fn, args) {
  const aborted = args.some((a, i) => i > 0 && (a[0] === 'obj' || a[0] === 'nullproto') &&
    a[1].some(([k, s]) => k === 'signal' && isAbortedSignal(s)));
  if (!aborted) return args;
  const out = args.slice();
  if (fn === 'exec') {
    out[0] = v('sleep 1');
  } else if (fn === 'fork') {
    out[0] = v(FORK_CHILD); // a Node child takes far longer to start than the abort
  } else {
    out[0] = v('sleep');
    if (out.length > 1 && (out[1][0] === 'obj' || out[1][0] === 'nullproto')) out.splice(1, 0, ['arr', [v('1')]]);
    else out[1] = ['arr', [v('1')]];
  }
  return out;
}

// Node 20 aborts the whole process (an assertion in SyncProcessRunner::ParseStdioOption) when a
// sync call gets 'overlapped' in stdio, or a stream with a libuv handle such as process.stdin on a
// pipe: nothing to compare, so the sync functions get 'pipe' and a plain { fd: 0 } there instead.
function noWrap(spec) {
  if (!Array.isArray(spec)) return spec;
  if (spec[0] === 'stdinStream') return ['fdObj', 0];
  if (spec[0] === 'v' && spec[1] === 'overlapped') return v('pipe');
  return spec.map((x) => (Array.isArray(x) ? noWrap(x) : x));
}

const GENERATORS = {
  spawn: (g) => deflake('spawn', trim(g, [fileSpec(g), argsSpec(g), optionsSpec(g, SPAWN_KEYS)])),
  exec: (g) => {
    const args = [commandSpec(g), optionsSpec(g, EXEC_KEYS), g.chance(0.85) ? ['cb'] : anyValue(g)];
    if (g.chance(0.2)) args.splice(1, 1); // exec(command, callback)
    return deflake('exec', trim(g, args));
  },
  execFile: (g) => {
    const args = [fileSpec(g), argsSpec(g), optionsSpec(g, EXEC_KEYS), g.chance(0.85) ? ['cb'] : anyValue(g)];
    if (g.chance(0.15)) args.splice(2, 1); // execFile(file, args, callback)
    else if (g.chance(0.1)) args.splice(1, 1); // execFile(file, options, callback)
    return deflake('execFile', trim(g, args));
  },
  spawnSync: (g) => noWrap(trim(g, [fileSpec(g), argsSpec(g), optionsSpec(g, SYNC_KEYS)])),
  execSync: (g) => noWrap(trim(g, [commandSpec(g), optionsSpec(g, SYNC_KEYS)])),
  execFileSync: (g) => noWrap(trim(g, [fileSpec(g), argsSpec(g), optionsSpec(g, SYNC_KEYS)])),
  fork: (g) => {
    const mod = g.chance(0.2) ? anyValue(g) : g.pick([v(FORK_CHILD), ['url', url.pathToFileURL(FORK_CHILD).href],
      v('/nonexistent/module.js'), v(''), v('a\u0000b'), v(FORK_CHILD)]);
    const args = g.chance(0.3) ? ['arr', [v('3'), v('a')]] : argsSpec(g);
    return deflake('fork', trim(g, [mod, args, optionsSpec(g, FORK_KEYS)]));
  },
  kill: (g) => [g.chance(0.8) ? g.pick([U, v(0), v('SIGTERM'), v('sigterm'), v(9), v('SIGKILL'), v('SIGFOO'), v(-1),
    v(1.5), v(null), ['obj', []], v('SIGSTOP'), v('SIGCONT'), v('SIGWINCH'), v(64), v(65), v('SIGHUP'), v(15.0),
    v('15'), v('kill'), ['sym', 'sig']]) : anyValue(g)],
};

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

/**
 * Runs `iterations` cases per function (from seed), stopping early once budgetMs is spent.
 * -> { seed, cases, perFunction: { fn: n }, mismatches: [{ fn, call, node, ours }] }
 */
const FUNCTIONS = Object.keys(GENERATORS);

// --- known product bugs ---------------------------------------------------------------------------
// Differences from Node already reported, each with its own (skipped) test in
// a test in test/reliability/ that reproduces it in one call. The fuzzer counts them apart so that it
// keeps finding new ones; --strict (or strict: true) counts them as any other.
const ASYNC_FNS = new Set(['spawn', 'exec', 'execFile', 'fork']);
const SYNC_FNS = new Set(['spawnSync', 'execSync', 'execFileSync']);
const isOptions = (s) => s && (s[0] === 'obj' || s[0] === 'nullproto');
const optionOf = (specs, key) => {
  for (const s of specs.slice(1)) {
    if (!isOptions(s)) continue;
    const e = s[1].find(([k]) => k === key);
    if (e) return e[1];
  }
  return undefined;
};
const longName = (s) => s && ((s[0] === 'rep' && s[2] > 255) || (s[0] === 'v' && typeof s[1] === 'string' &&
  s[1].length > 255 && !s[1].includes('/')));

const KNOWN_BUGS = {
  // Node builds stdio with Array#reduce, which skips holes, and the sync functions drop string and
  // Buffer entries: the entries after move down, and a pipe made for fd 1 or 2 can land on fd 0,
  // where Node still collects its output (by the pipe's flags); procdesc keeps holes as 'pipe' and
  // never collects fd 0.
  'shifted-stdio': (fn, specs) => {
    const stdio = optionOf(specs, 'stdio');
    if (!stdio) return false;
    if (stdio[0] === 'holes') return true;
    return SYNC_FNS.has(fn) && stdio[0] === 'arr' &&
      stdio[1].some((s) => ['buf', 'u8', 'dv'].includes(s[0]) || (s[0] === 'v' && typeof s[1] === 'string' &&
        !['pipe', 'ignore', 'inherit', 'overlapped', 'ipc'].includes(s[1])));
  },
  // Node's EPIPE comes only when it writes before the child exits: a race on small inputs.
  'sync-input-epipe': (fn, specs, a, b) => SYNC_FNS.has(fn) && optionOf(specs, 'input') !== undefined &&
    JSON.stringify(a).includes('EPIPE') && !JSON.stringify(b).includes('EPIPE'),
};

/** The known bug a difference (or crash: no outcomes) comes from, or null. */
function knownBug(fn, specs, nodeOutcome, oursOutcome) {
  for (const [id, test] of Object.entries(KNOWN_BUGS)) if (test(fn, specs, nodeOutcome, oursOutcome)) return id;
  return null;
}

/**
 * Runs the cases of one process: `iterations` per function (a quarter for fork, whose children are
 * slow to start) from `seed`, from `resume` ({ fn, index }) on, until `deadline` (epoch ms).
 * Each case appends one JSON line to `log` ({ fn, i, kind, mismatch? }) and, before each library
 * runs it, `progress` says which ({ fn, i, lib, call }): if a case kills the process, the driver
 * knows which.
 */
async function fuzzCases({ seed, iterations, deadline = Infinity, only = FUNCTIONS, resume = null, log, progress }) {
  let resumed = resume === null;
  for (const fn of only) {
    if (!resumed && fn !== resume.fn) continue;
    // One generator per function, so that a function's cases do not depend on which others run.
    const g = new Gen((seed * 1000003 + fn.length * 7919 + fn.charCodeAt(0)) >>> 0);
    const n = fn === 'fork' ? Math.ceil(iterations / 4) : iterations;
    // Functions share what is left of the time, so that each gets its turn.
    const share = () => Math.max(0, (deadline - Date.now()) / (only.length - only.indexOf(fn)));
    const fnDeadline = Date.now() + share();
    for (let i = 0; i < n && Date.now() < fnDeadline; i++) {
      const specs = GENERATORS[fn](g);
      if (!resumed) {
        if (i < resume.index) continue;
        resumed = true;
      }
      const call = `${fn}(${specs.map(show).join(', ')})`;
      const t0 = Date.now();
      if (process.env.FUZZ_TRACE) process.stderr.write(`${call}\n`);
      if (progress) fs.writeFileSync(progress, JSON.stringify({ fn, i, lib: 'node', call, specs, helperPid: helperPid() }));
      const a = await runCase(node, fn, specs);
      if (progress) fs.writeFileSync(progress, JSON.stringify({ fn, i, lib: 'procdesc', call, specs, helperPid: helperPid() }));
      const b = await runCase(ours, fn, specs);
      const entry = { fn, i, kind: outcomeKind(fn, a), ms: Date.now() - t0 };
      const ja = JSON.stringify(a), jb = JSON.stringify(b);
      if (ja !== jb) entry.mismatch = { fn, call, specs, node: a, ours: b };
      if (log) fs.appendFileSync(log, `${JSON.stringify(entry)}\n`);
    }
  }
  if (uncaught.stray.length && log) {
    fs.appendFileSync(log, `${JSON.stringify({ stray: uncaught.stray })}\n`);
  }
}

const HANG_MS = 30000;

/** SIGKILLs the descendants of pid and the children of the helper named in the progress file. */
function killTree(pid, progress) {
  const procfs = require('../helpers/procfs');
  const victims = [];
  const walk = (p) => {
    for (const c of procfs.childrenOf(p)) {
      victims.push(c);
      walk(c);
    }
  };
  walk(pid);
  try {
    const { helperPid } = JSON.parse(fs.readFileSync(progress, 'utf8'));
    if (helperPid) walk(helperPid);
  } catch { /* no progress yet */ }
  for (const v of victims) {
    try {
      process.kill(v, 'SIGKILL');
    } catch { /* gone */ }
  }
}

/**
 * The fuzzer, each run in its own processes: a case that crashes a process is reported with the
 * library that crashed on it, and the run goes on from the next case in a new process.
 * -> { seed, cases, perFunction, outcomes, mismatches, crashes, slow, ms }
 */
async function fuzz({ seed = 1, iterations = 100, budgetMs = 60000, only = FUNCTIONS, strict = false } = {}) {
  const { spawn } = node;
  const os = require('node:os');
  const started = Date.now();
  const deadline = started + budgetMs;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-fuzz-'));
  const log = path.join(dir, 'log.jsonl');
  const progress = path.join(dir, 'progress.json');
  const result = { seed, iterations, strict, cases: 0, perFunction: {}, outcomes: {}, mismatches: [], crashes: [], known: {},
    nodeCrashes: [], slow: [], stray: [] };
  // A difference of a known kind is counted under its bug, with its first example; any other is
  // reported in full. strict: none is known.
  const sort = (res, list, entry) => {
    const bug = strict || !entry.specs ? null : knownBug(entry.fn, entry.specs, entry.node, entry.ours);
    if (bug === null) {
      res[list].push(entry);
      return;
    }
    res.known[bug] ??= { count: 0, example: entry.call, ...(list === 'crashes' ? { crash: entry.signal } : {}) };
    res.known[bug].count++;
  };
  let resume = null;
  for (let runs = 0; runs < 1000 && Date.now() < deadline; runs++) {
    fs.rmSync(progress, { force: true });
    const args = [__filename, '--worker', `--seed=${seed}`, `--iterations=${iterations}`, `--deadline=${deadline}`,
      `--only=${only.join(',')}`, `--log=${log}`, `--progress=${progress}`];
    if (resume) args.push(`--resume=${resume.fn}:${resume.index}`);
    // The worker's stdio are no sockets or pipes a case could read from or hold open: stdin and
    // stdout are /dev/null, stderr a file opened for writing only (a child handed fd 2 as its
    // stdin gets EBADF, not a wait for ever). We wait for the worker's 'exit', never for its
    // stdio to close: a case's child may outlive it.
    const errFile = path.join(dir, `stderr-${runs}`);
    const errFd = fs.openSync(errFile, 'w');
    const { code, signal, hung } = await new Promise((resolve) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', errFd] });
      let hungCase = false;
      // A case that blocks (a sync call whose child never ends) shows as progress that stops.
      const watch = setInterval(() => {
        let idle = 0;
        try {
          idle = Date.now() - fs.statSync(progress).mtimeMs;
        } catch { /* no case yet */ }
        if (idle > HANG_MS || Date.now() > deadline + 60000) {
          hungCase = idle > HANG_MS;
          killTree(child.pid, progress);
          child.kill('SIGKILL');
        }
      }, 1000);
      child.on('exit', (c, sig) => {
        clearInterval(watch);
        resolve({ code: c, signal: sig, hung: hungCase });
      });
    });
    fs.closeSync(errFd);
    const stderr = fs.readFileSync(errFile, 'utf8');
    if (code === 0) break;
    let at = null;
    try {
      at = JSON.parse(fs.readFileSync(progress, 'utf8'));
    } catch { /* it died before its first case */ }
    const lines = stderr.split('\n').filter((l) => l.trim() && !/^\s+at |^\s*\d+: 0x/.test(l));
    const tail = [...lines.filter((l) => /FATAL|Assertion|Error/.test(l)).slice(0, 3), ...lines.slice(-8)].join('\n');
    const how = hung ? `hung for ${HANG_MS / 1000} s` : signal;
    if (at && at.lib === 'node') {
      // Node itself died (or hung) on this input: nothing to compare with.
      result.nodeCrashes.push({ call: at.call, signal: how, stderr: tail });
    } else {
      sort(result, 'crashes', { fn: at && at.fn, call: at && at.call, specs: at && at.specs, code, signal: how, stderr: tail });
    }
    if (!at) break;
    resume = { fn: at.fn, index: at.i + 1 };
  }
  for (const line of fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n') : []) {
    if (!line) continue;
    const e = JSON.parse(line);
    if (e.stray) {
      result.stray.push(...e.stray);
      continue;
    }
    result.cases++;
    result.perFunction[e.fn] = (result.perFunction[e.fn] || 0) + 1;
    result.outcomes[e.kind] = (result.outcomes[e.kind] || 0) + 1;
    if (e.ms > 1000) result.slow.push({ fn: e.fn, i: e.i, ms: e.ms });
    if (e.mismatch) sort(result, 'mismatches', e.mismatch);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  result.ms = Date.now() - started;
  return result;
}

module.exports = { fuzz, fuzzCases, FUNCTIONS, GENERATORS, Gen, KNOWN_BUGS, knownBug, materialize, show, runCase };

if (require.main === module) {
  const arg = (name, dflt) => {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? a.slice(name.length + 3) : dflt;
  };
  const only = arg('only', null);
  const options = {
    seed: Number(arg('seed', 1)),
    iterations: Number(arg('iterations', 100)),
    only: only ? only.split(',') : FUNCTIONS,
  };
  if (process.argv.includes('--worker')) {
    // The fd the fuzzer uses as "closed" must be closed.
    try { fs.closeSync(CLOSED_FD); } catch { /* already closed */ }
    const resume = arg('resume', null);
    // Keeps the loop alive: a case that waits for an event which never comes must show as a hang
    // (and be killed by the driver's watchdog), not as a silent exit.
    const keepAlive = setInterval(() => {}, 1000);
    fuzzCases({
      ...options,
      deadline: Number(arg('deadline', Infinity)),
      resume: resume ? { fn: resume.split(':')[0], index: Number(resume.split(':')[1]) } : null,
      log: arg('log', null),
      progress: arg('progress', null),
    }).then(() => {
      clearInterval(keepAlive);
      process.exit(0); // children left running by a case (none should be) must not keep us here
    }, (err) => {
      process.stderr.write(`fuzz worker failed: ${util.inspect(err)}\n`);
      process.exit(1);
    });
  } else {
    fuzz({ ...options, budgetMs: Number(arg('budget-ms', 60000)), strict: process.argv.includes('--strict') }).then((result) => {
      const line = JSON.stringify(result);
      const out = arg('out', null);
      if (out) fs.writeFileSync(out, line);
      process.stdout.write(`${line}\n`);
    });
  }
}
