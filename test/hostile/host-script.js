#!/usr/bin/env node
'use strict';
/*
 * Runs as its own process (the hostilities are process-global and cannot be
 * undone), makes itself hostile to child-process libraries with
 * test/hostile/build/Release/hostile.node, spawns N short children through the library
 * under test and prints ONE JSON line describing what the library reported.
 *
 * Usage:
 *   node test/hostile/host-script.js [--lib node|procdesc]
 *       [--api spawn|exec|execFile|spawnSync|execSync|execFileSync]
 *       [--hostility none|reaper|ignore|handler] [--n 200] [--concurrency 16]
 *       [--when late|early] [--grace-ms 1000] [--watchdog-ms 5000]
 *       [--hang-ms 3000] [--sync-timeout-ms 0]
 *
 * Every option can also come from the environment: HOSTILE_LIB, HOSTILE_API,
 * HOSTILE_HOSTILITY, HOSTILE_N, HOSTILE_CONCURRENCY, HOSTILE_WHEN,
 * HOSTILE_GRACE_MS, HOSTILE_WATCHDOG_MS, HOSTILE_HANG_MS,
 * HOSTILE_SYNC_TIMEOUT_MS (argv wins).  HOSTILE_ADDON and
 * PROCDESC_CHILD_PROCESS override where the addon / the procdesc drop-in are
 * loaded from.  --n defaults to 200 for the asynchronous APIs and to 50 for
 * the synchronous ones (they run one child at a time).
 *
 * Timing of the hostility (--when) matters for node:child_process, because
 * libuv (1.46, Node 20) installs its SIGCHLD handler on spawn when it has no
 * live child, and resets SIGCHLD to SIG_DFL when its last child is closed:
 *   late  (default): the library is warmed up first by spawning a long-lived
 *         "anchor" child, so its own machinery is installed and stays
 *         installed; only then is the host made hostile.  This is the
 *         realistic case of a native library doing its thing while the app
 *         already has a child running.
 *   early: the host is made hostile before the library is loaded or used
 *         (the anchor is spawned after).  libuv then overwrites SIG_IGN or a
 *         foreign handler with its own; procdesc's helper has to cope with
 *         whatever dispositions it inherits.
 *
 * Each child i runs the shell command `echo out-<i>; exit $((<i> % 7))`
 * through --api, and what that API reports is checked against exit code
 * i % 7, no signal, stdout "out-<i>\n":
 *   spawn         /bin/sh -c <cmd>, stdio ['ignore', 'pipe', 'ignore']; the
 *                 'exit' (code, signal) and 'close' events, stdout 'data'
 *   exec          exec(<cmd>, cb); execFile('/bin/sh', ['-c', <cmd>], cb):
 *   execFile      the callback's err.code / err.signal (no err: 0 / null)
 *                 and its stdout; 'exit' and 'close' both mean "the
 *                 callback ran"
 *   spawnSync     spawnSync('/bin/sh', ['-c', <cmd>], stdio as for spawn):
 *                 result.status / .signal / .stdout / .pid / .error
 *   execSync      execSync(<cmd>) / execFileSync('/bin/sh', ['-c', <cmd>]),
 *   execFileSync  default options: the return value (exit 0), or the thrown
 *                 error's .status / .signal / .stdout / .pid
 * --sync-timeout-ms > 0 is passed to the sync APIs as options.timeout.
 *
 * Asynchronous APIs: up to --concurrency children at a time.  A slot is
 * freed when the child's stdout ends (i.e. it has exited, whether or not
 * anyone reports it) or its end is reported, so children that are lost do
 * not stall the run; their 'exit'/'close' may still arrive later.  The run
 * ends when every child has been reported ("complete"), or --grace-ms after
 * the last slot was freed ("grace"), or --watchdog-ms after the run started
 * ("watchdog").
 *
 * Synchronous APIs: one child at a time, the event loop turning between
 * calls.  A sync call that loses its child never returns (node:child_process
 * waits for an exit it is never told about, and its own `timeout` cannot end
 * that wait), and then no JS runs on the main thread again.  So a watchdog
 * worker thread follows the run: when one call has been in flight for
 * --hang-ms it prints the report itself (finishedBy "hung", `hung` = that
 * child) and SIGKILLs the process, the only way to end it.  Otherwise the run
 * ends "complete" when every call has returned, or "watchdog" when
 * --watchdog-ms has passed between two calls.
 *
 * Output (stdout, one line):
 *   lib, api, hostility, when, n, concurrency, graceMs, watchdogMs, hangMs,
 *   syncTimeoutMs   the options (concurrency is 1 for the sync APIs)
 *   finishedBy      "complete" | "grace" | "watchdog" | "hung"
 *   hung            the child whose sync call never returned, or null
 *   elapsedMs       duration of the run phase
 *   spawned         children that got a pid (sync APIs: calls that did not
 *                   fail to spawn, including one that hung; execSync and
 *                   execFileSync do not tell the pid on success)
 *   spawnErrors     children whose spawn threw or emitted/returned an error
 *   notStarted      children never spawned (run ended first)
 *   reported        children whose end was reported ('exit', the callback,
 *                   or the sync call's status/signal)
 *   closed          children whose 'close' arrived (= reported for the
 *                   exec family and the sync APIs)
 *   correct         end reported AND closed, exit code === i % 7, no
 *                   signal, stdout === "out-<i>\n", no error
 *   lost            spawned - reported: exited, but the library never said so
 *   wrongExit, wrongStdout   reported but wrong
 *   reapedByHost    pids of OUR N children found in the reaper's list; for
 *                   the sync APIs "ours" also counts every pid the host
 *                   reaped while a sync call was in flight (that call's
 *                   child is the only process the host can have started
 *                   then), so a call that hung on a stolen child counts
 *   reapedTotal     everything the reaper reaped (anchor, helper, ...)
 *   sigchld         SIGCHLD deliveries to the host during the run, or null
 *                   when they could not be counted (SIGCHLD ignored)
 *   sigchldCounter  "hostile" (the hostile handler counts) | "counting" (a
 *                   handler chained in front of the library's) | null
 *   displaced       what the hostility replaced: "foreign" means the
 *                   library's (libuv's) own SIGCHLD handler
 *   dispositionAfter  SIGCHLD disposition at the end of the run
 *   hostilityIntact whether the hostility was still in force at the end
 *                   (libuv may silently re-register its handler)
 *   anchorPid, anchorParentIsHost  whether the host is the anchor's parent
 *   hostZombies     zombie children of the host at the end
 *   status          {before, after}: SigBlk/SigIgn/SigCgt of the host
 *   samples         up to 5 children that were not correct
 * On a harness failure (bad option, library failed to load, ...) the line is
 * {"error": "..."} and the exit code is 1.  Otherwise the exit code is 0,
 * whatever was measured (losses are data, not script failures), except
 * after finishedBy "hung": the line is printed, then the process is killed
 * by SIGKILL.
 */

const fs = require('node:fs');
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const ROOT = path.resolve(__dirname, '..', '..');
const HOSTILITIES = ['none', 'reaper', 'ignore', 'handler'];
const LIBS = ['node', 'procdesc'];
const WHENS = ['late', 'early'];
const ASYNC_APIS = ['spawn', 'exec', 'execFile'];
const SYNC_APIS = ['spawnSync', 'execSync', 'execFileSync'];
const APIS = [...ASYNC_APIS, ...SYNC_APIS];

// Safety net so the script always ends by itself, even if setup hangs
// (e.g. the library never starts its helper).  Re-armed in main().
let hardTimer = isMainThread
  ? setTimeout(() => fail(new Error('setup did not finish in time')), 30000)
  : null;

let finished = false;
let anchor = null;
// Shared with the sync watchdog worker: whoever sets it first prints the
// report, so the line is printed exactly once.
let reportClaim = new Int32Array(new SharedArrayBuffer(4));

function claimReport() {
  return Atomics.compareExchange(reportClaim, 0, 0, 1) === 0;
}

function emit(obj, code) {
  if (finished) return;
  finished = true;
  clearTimeout(hardTimer);
  // The watchdog worker is printing "hung" and is about to kill us.
  if (!claimReport()) return;
  try {
    // Don't leave the anchor (or its helper-side twin) behind us.
    if (anchor) {
      if (anchor.stdin) anchor.stdin.destroy();
      anchor.kill('SIGKILL');
    }
  } catch { /* the report matters more than the cleanup */ }
  const line = JSON.stringify(obj) + '\n';
  // Exit explicitly: a lost child or a library helper may keep the loop
  // alive forever.  Flush first; fall back to a timer in case the callback
  // never fires.
  setTimeout(() => process.exit(code), 2000);
  process.stdout.write(line, () => process.exit(code));
}

function fail(err) {
  emit({ error: String((err && err.stack) || err) }, 1);
}

if (isMainThread) {
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

function parseOptions(argv, env) {
  const raw = {
    lib: env.HOSTILE_LIB,
    api: env.HOSTILE_API,
    hostility: env.HOSTILE_HOSTILITY,
    n: env.HOSTILE_N,
    concurrency: env.HOSTILE_CONCURRENCY,
    when: env.HOSTILE_WHEN,
    'grace-ms': env.HOSTILE_GRACE_MS,
    'watchdog-ms': env.HOSTILE_WATCHDOG_MS,
    'hang-ms': env.HOSTILE_HANG_MS,
    'sync-timeout-ms': env.HOSTILE_SYNC_TIMEOUT_MS,
  };
  for (let k = 0; k < argv.length; k++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[k]);
    if (!m || !(m[1] in raw)) throw new Error(`unknown argument ${argv[k]}`);
    raw[m[1]] = m[2] !== undefined ? m[2] : argv[++k];
    if (raw[m[1]] === undefined) throw new Error(`missing value for --${m[1]}`);
  }
  const int = (name, dflt, min) => {
    const v = raw[name] === undefined || raw[name] === '' ? dflt : Number(raw[name]);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return v;
  };
  const oneOf = (name, dflt, allowed) => {
    const v = raw[name] || dflt;
    if (!allowed.includes(v)) throw new Error(`--${name} must be one of ${allowed.join('|')}`);
    return v;
  };
  const api = oneOf('api', 'spawn', APIS);
  const sync = SYNC_APIS.includes(api);
  return {
    lib: oneOf('lib', 'node', LIBS),
    api,
    sync,
    hostility: oneOf('hostility', 'none', HOSTILITIES),
    when: oneOf('when', 'late', WHENS),
    n: int('n', sync ? 50 : 200, 1),
    // Sync calls block: there is never more than one child in flight.
    concurrency: sync ? 1 : int('concurrency', 16, 1),
    graceMs: int('grace-ms', 1000, 0),
    watchdogMs: int('watchdog-ms', 5000, 1),
    hangMs: int('hang-ms', 3000, 1),
    syncTimeoutMs: int('sync-timeout-ms', 0, 0),
  };
}

function loadLibrary(lib) {
  if (lib === 'node') return require('node:child_process');
  const file = process.env.PROCDESC_CHILD_PROCESS ||
    path.join(ROOT, 'dist', 'integrations', 'child_process.js');
  const mod = require(file);
  for (const name of APIS) {
    if (typeof mod[name] !== 'function') throw new Error(`${file} does not export ${name}()`);
  }
  return mod;
}

function loadAddon() {
  return require(process.env.HOSTILE_ADDON ||
    path.join(__dirname, 'build', 'Release', 'hostile.node'));
}

// Returns what the hostility displaced (for diagnostics).
function applyHostility(hostile, hostility) {
  switch (hostility) {
    case 'none': return null;
    case 'reaper': hostile.startReaper(); return null;
    case 'ignore': return hostile.ignoreSigchld();
    case 'handler': return hostile.installSigchldHandler();
    default: throw new Error(`unknown hostility ${hostility}`);
  }
}

function hostilityIntact(hostile, hostility) {
  switch (hostility) {
    case 'ignore': return hostile.sigchldDisposition() === 'ignore';
    case 'handler': return hostile.sigchldDisposition() === 'hostile';
    default: return true; // the reaper cannot be undone by anyone else
  }
}

function readPpid(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parens: fields restart after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function countHostZombies() {
  let zombies = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && Number(fields[1]) === process.pid) zombies++;
    } catch { /* raced with exit */ }
  }
  return zombies;
}

// Spawns the long-lived anchor and resolves once it is running.  `cat` exits
// on stdin EOF, i.e. as soon as we die, however we die.  Always through
// spawn(): it only has to install the library's machinery (and a sync call
// cannot leave a child running).
function spawnAnchor(lib) {
  return new Promise((resolve, reject) => {
    const child = lib.spawn('/bin/cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => {
      // Tolerate a library that never emits 'spawn' but did give a pid.
      if (child.pid) resolve(child);
      else reject(new Error('anchor child did not spawn'));
    }, 3000);
    child.once('spawn', () => { clearTimeout(timer); resolve(child); });
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

function shellCommand(i) {
  return `echo out-${i}; exit $((${i} % 7))`;
}

function newRecord(i) {
  // out: Buffers (async) or one string (sync; crosses to the worker as is).
  return { i, pid: undefined, spawned: false, exited: false, closed: false, code: undefined,
    signal: undefined, out: [], error: undefined, hung: false, reapedDuring: [],
    released: false, settled: false };
}

function runChildren(lib, opts) {
  return new Promise((resolve) => {
    const { n, concurrency } = opts;
    const records = [];
    let next = 0;
    let running = 0;
    let released = 0;
    let completed = 0;
    let graceTimer = null;
    let done = false;
    const started = Date.now();

    const end = (finishedBy) => {
      if (done) return;
      done = true;
      clearTimeout(graceTimer);
      clearTimeout(watchdog);
      resolve({ records, finishedBy, elapsedMs: Date.now() - started });
    };
    const watchdog = setTimeout(() => end('watchdog'), opts.watchdogMs);

    const settle = (rec) => {
      if (rec.settled || !((rec.exited && rec.closed) || rec.error)) return;
      rec.settled = true;
      if (++completed === n) end('complete');
    };
    const release = (rec) => {
      if (rec.released) return;
      rec.released = true;
      running--;
      if (++released === n) graceTimer = setTimeout(() => end('grace'), opts.graceMs);
      // Not synchronously: release() can run inside spawn() itself.
      process.nextTick(pump);
    };
    const failed = (rec, err) => {
      rec.error = String(err);
      release(rec);
      settle(rec);
    };

    // spawn: the events themselves.
    function startSpawn(rec) {
      const child = lib.spawn('/bin/sh', ['-c', shellCommand(rec.i)],
        { stdio: ['ignore', 'pipe', 'ignore'] });
      child.on('error', (err) => failed(rec, err));
      child.on('exit', (code, signal) => {
        rec.exited = true;
        rec.code = code;
        rec.signal = signal;
        settle(rec);
      });
      child.on('close', () => {
        rec.closed = true;
        release(rec);
        settle(rec);
      });
      if (child.stdout) child.stdout.on('data', (d) => rec.out.push(Buffer.from(d)));
      return child;
    }

    // exec / execFile: only the callback.  It runs on the child's 'close',
    // with err.code = exit code (a number) when it is not 0; a spawn failure
    // gives a string err.code instead.
    function startExec(rec) {
      const callback = (err, stdout) => {
        if (err && typeof err.code !== 'number' && !err.signal) {
          failed(rec, err);
          return;
        }
        rec.exited = rec.closed = true;
        rec.code = err ? err.code : 0;
        rec.signal = err ? err.signal : null;
        rec.out.push(Buffer.from(String(stdout)));
        release(rec);
        settle(rec);
      };
      return opts.api === 'exec'
        ? lib.exec(shellCommand(rec.i), callback)
        : lib.execFile('/bin/sh', ['-c', shellCommand(rec.i)], callback);
    }

    function start(i) {
      const rec = newRecord(i);
      records[i] = rec;
      running++;
      let child;
      try {
        child = opts.api === 'spawn' ? startSpawn(rec) : startExec(rec);
      } catch (err) {
        failed(rec, err);
        return;
      }
      rec.pid = child.pid;
      rec.spawned = !!child.pid;
      child.on('spawn', () => {
        if (rec.pid === undefined) rec.pid = child.pid;
        rec.spawned = !!child.pid;
      });
      if (child.stdout) {
        // EOF == the child is gone (the script holds stdout until exit).
        child.stdout.on('end', () => release(rec));
        child.stdout.on('close', () => release(rec));
      } else if (!rec.error) {
        failed(rec, 'no child.stdout');
      }
    }

    function pump() {
      while (!done && running < concurrency && next < n) start(next++);
    }
    pump();
  });
}

// One sync call; fills rec with what the API returned or threw.
function callSync(lib, opts, rec) {
  const cmd = shellCommand(rec.i);
  const timeout = opts.syncTimeoutMs > 0 ? { timeout: opts.syncTimeoutMs } : {};
  const take = (status, signal, stdout, pid) => {
    rec.pid = pid || undefined;
    rec.spawned = true;
    rec.code = status;
    rec.signal = signal;
    rec.exited = rec.closed = status !== null || signal !== null;
    rec.out = stdout == null ? '' : Buffer.from(stdout).toString();
  };
  if (opts.api === 'spawnSync') {
    const r = lib.spawnSync('/bin/sh', ['-c', cmd], { ...timeout, stdio: ['ignore', 'pipe', 'ignore'] });
    if (r.error) rec.error = String(r.error);
    if (r.pid) take(r.status, r.signal, r.stdout, r.pid);
    return;
  }
  let stdout;
  try {
    stdout = opts.api === 'execSync'
      ? lib.execSync(cmd, timeout)
      : lib.execFileSync('/bin/sh', ['-c', cmd], timeout);
  } catch (err) {
    // Non-zero exit: .status/.signal/.stdout/.pid of the spawnSync result;
    // a spawnSync error (ENOENT, ETIMEDOUT, ...) carries those too, plus a
    // string .code.
    if (typeof err.code === 'string') rec.error = String(err);
    if (err.status === undefined && err.signal === undefined) {
      rec.error = String(err);
      return;
    }
    if (err.pid) take(err.status, err.signal, err.stdout, err.pid);
    return;
  }
  take(0, null, stdout, undefined);
}

async function runSyncChildren(lib, hostile, opts, watchdog) {
  const records = [];
  const started = Date.now();
  let finishedBy = 'complete';
  for (let i = 0; i < opts.n; i++) {
    if (Date.now() - started > opts.watchdogMs) { finishedBy = 'watchdog'; break; }
    const rec = newRecord(i);
    records[i] = rec;
    const reapedBefore = hostile.reapedPids().length;
    watchdog.postMessage({ type: 'call', i, at: Date.now(), reapedBefore });
    try {
      callSync(lib, opts, rec);
    } catch (err) {
      rec.error = String(err);
    }
    rec.reapedDuring = hostile.reapedPids().slice(reapedBefore);
    watchdog.postMessage({ type: 'done', rec });
    // Let the loop turn between calls, as a real program would now and then.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { records, finishedBy, elapsedMs: Date.now() - started };
}

// Starts the sync watchdog worker; resolves once it listens.
function startWatchdog(opts) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { opts, reportClaim } });
    worker.once('message', (m) => {
      if (m !== 'ready') return reject(new Error(`watchdog said ${JSON.stringify(m)}`));
      worker.unref();
      resolve(worker);
    });
    worker.once('error', reject);
  });
}

// The sync watchdog, on its own thread: it keeps running while the main
// thread is stuck inside a sync call, and reads the same (process-global)
// addon state.
function watchdogWorker() {
  const { opts } = workerData;
  reportClaim = workerData.reportClaim;
  const hostile = loadAddon();
  const records = [];
  let setup = null;
  let current = null;
  parentPort.on('message', (m) => {
    if (m.type === 'setup') setup = m;
    else if (m.type === 'call') current = m;
    else if (m.type === 'done') { records[m.rec.i] = m.rec; current = null; }
  });
  setInterval(() => {
    if (!setup || !current || Date.now() - current.at < opts.hangMs) return;
    if (!claimReport()) return;
    const rec = newRecord(current.i);
    rec.hung = true;
    rec.spawned = true;
    rec.reapedDuring = hostile.reapedPids().slice(current.reapedBefore);
    records[current.i] = rec;
    const run = { records, finishedBy: 'hung', elapsedMs: Date.now() - setup.started };
    fs.writeSync(1, JSON.stringify(summarize(hostile, opts, run, setup.extra)) + '\n');
    // The main thread will never run JS again: nothing else can end us.
    process.kill(process.pid, 'SIGKILL');
  }, 20);
  parentPort.postMessage('ready');
}

function summarize(hostile, opts, run, extra) {
  const { records } = run;
  const ours = new Set();
  let spawned = 0, spawnErrors = 0, reported = 0, closed = 0, correct = 0;
  let wrongExit = 0, wrongStdout = 0;
  let hung = null;
  const samples = [];
  for (const rec of records) {
    if (!rec) continue;
    if (rec.pid) ours.add(rec.pid);
    for (const pid of rec.reapedDuring) ours.add(pid);
    if (rec.spawned) spawned++;
    if (rec.hung) hung = rec.i;
    if (rec.error) spawnErrors++;
    if (rec.exited) reported++;
    if (rec.closed) closed++;
    const stdout = typeof rec.out === 'string' ? rec.out : Buffer.concat(rec.out).toString();
    const okExit = rec.exited && rec.code === rec.i % 7 && rec.signal === null;
    const okOut = stdout === `out-${rec.i}\n`;
    if (rec.exited && !okExit) wrongExit++;
    if (rec.exited && !okOut) wrongStdout++;
    if (okExit && okOut && rec.closed && !rec.error) correct++;
    else if (samples.length < 5) {
      samples.push({ i: rec.i, pid: rec.pid, exited: rec.exited, code: rec.code,
        signal: rec.signal, closed: rec.closed, stdout, error: rec.error, hung: rec.hung,
        reapedDuring: rec.reapedDuring });
    }
  }
  const reapedAll = hostile.reapedPids();
  return {
    lib: opts.lib,
    api: opts.api,
    hostility: opts.hostility,
    when: opts.when,
    n: opts.n,
    concurrency: opts.concurrency,
    graceMs: opts.graceMs,
    watchdogMs: opts.watchdogMs,
    hangMs: opts.hangMs,
    syncTimeoutMs: opts.syncTimeoutMs,
    finishedBy: run.finishedBy,
    hung,
    elapsedMs: run.elapsedMs,
    spawned,
    spawnErrors,
    notStarted: opts.n - records.filter(Boolean).length,
    reported,
    closed,
    correct,
    lost: spawned - reported,
    wrongExit,
    wrongStdout,
    reapedByHost: reapedAll.filter((pid) => ours.has(pid)).length,
    reapedTotal: reapedAll.length,
    sigchld: extra.sigchldCounter ? hostile.sigchldCount() : null,
    sigchldCounter: extra.sigchldCounter,
    displaced: extra.displaced,
    dispositionAfter: hostile.sigchldDisposition(),
    hostilityIntact: hostilityIntact(hostile, opts.hostility),
    anchorPid: extra.anchorPid,
    anchorParentIsHost: extra.anchorPpid === null ? null : extra.anchorPpid === process.pid,
    hostZombies: countHostZombies(),
    status: { before: extra.statusBefore, after: hostile.procStatus() },
    samples,
  };
}

async function main() {
  const opts = parseOptions(process.argv.slice(2), process.env);
  clearTimeout(hardTimer);
  hardTimer = setTimeout(() => fail(new Error('setup did not finish in time')),
    opts.watchdogMs + opts.graceMs + 30000);

  const hostile = loadAddon();
  const statusBefore = hostile.procStatus();

  let displaced = null;
  if (opts.when === 'early') displaced = applyHostility(hostile, opts.hostility);
  const lib = loadLibrary(opts.lib);
  anchor = await spawnAnchor(lib);
  const anchorPpid = readPpid(anchor.pid);
  if (opts.when === 'late') displaced = applyHostility(hostile, opts.hostility);
  // Started after the hostility: the thread inherits nothing from it, and
  // its own startup is not part of the run.
  const watchdog = opts.sync ? await startWatchdog(opts) : null;

  // Counting is an instrument, not a hostility: chain in front of whatever
  // is installed now.  The hostile handler counts by itself; SIG_IGN cannot
  // be counted without undoing it (countSigchld() refuses).
  let sigchldCounter = null;
  if (hostile.sigchldDisposition() === 'hostile') sigchldCounter = 'hostile';
  else if (hostile.countSigchld()) sigchldCounter = 'counting';
  hostile.resetSigchldCount();

  const extra = { displaced, sigchldCounter, anchorPid: anchor.pid, anchorPpid, statusBefore };
  let run;
  if (opts.sync) {
    watchdog.postMessage({ type: 'setup', started: Date.now(), extra });
    run = await runSyncChildren(lib, hostile, opts, watchdog);
  } else {
    run = await runChildren(lib, opts);
  }
  emit(summarize(hostile, opts, run, extra), 0);
}

if (isMainThread) main().catch(fail);
else watchdogWorker();
