#!/usr/bin/env node
'use strict';
/*
 * Runs as its own process (the hostilities are process-global and cannot be
 * undone), makes itself hostile to child-process libraries with
 * build/Release/hostile.node, spawns N short children through the library
 * under test and prints ONE JSON line describing what the library reported.
 *
 * Usage:
 *   node test/hostile/host-script.js [--lib node|procdesc]
 *       [--hostility none|reaper|ignore|handler] [--n 200] [--concurrency 16]
 *       [--when late|early] [--grace-ms 1000] [--watchdog-ms 5000]
 *
 * Every option can also come from the environment: HOSTILE_LIB,
 * HOSTILE_HOSTILITY, HOSTILE_N, HOSTILE_CONCURRENCY, HOSTILE_WHEN,
 * HOSTILE_GRACE_MS, HOSTILE_WATCHDOG_MS (argv wins).  HOSTILE_ADDON and
 * PROCDESC_CHILD_PROCESS override where the addon / the procdesc drop-in are
 * loaded from.
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
 * Each child i runs `/bin/sh -c 'echo out-<i>; exit $((<i> % 7))'` with
 * stdout piped.  A concurrency slot is freed when the child's stdout ends
 * (i.e. it has exited, whether or not anyone reports it), so children that
 * are lost do not stall the run; their 'exit'/'close' may still arrive later.
 * The run ends when every child has reported 'exit' and 'close'
 * (finishedBy "complete"), or --grace-ms after the last stdout ended
 * ("grace"), or --watchdog-ms after the run started ("watchdog").
 *
 * Output (stdout, one line):
 *   lib, hostility, when, n, concurrency, graceMs, watchdogMs
 *   finishedBy      "complete" | "grace" | "watchdog"
 *   elapsedMs       duration of the run phase
 *   spawned         children that got a pid
 *   spawnErrors     children whose spawn threw or emitted 'error'
 *   notStarted      children never spawned (watchdog fired first)
 *   reported        children whose 'exit' arrived
 *   closed          children whose 'close' arrived
 *   correct         'exit' AND 'close' arrived, exit code === i % 7, no
 *                   signal, stdout === "out-<i>\n"
 *   lost            spawned - reported: exited, but the library never said so
 *   wrongExit, wrongStdout   reported but wrong
 *   reapedByHost    pids of OUR N children found in the reaper's list
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
 * whatever was measured: losses are data, not script failures.
 */

const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const HOSTILITIES = ['none', 'reaper', 'ignore', 'handler'];
const LIBS = ['node', 'procdesc'];
const WHENS = ['late', 'early'];

// Safety net so the script always ends by itself, even if setup hangs
// (e.g. the library never starts its helper).  Re-armed in main().
let hardTimer = setTimeout(() => fail(new Error('setup did not finish in time')), 30000);

let finished = false;
let anchor = null;

function emit(obj, code) {
  if (finished) return;
  finished = true;
  clearTimeout(hardTimer);
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

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

function parseOptions(argv, env) {
  const raw = {
    lib: env.HOSTILE_LIB,
    hostility: env.HOSTILE_HOSTILITY,
    n: env.HOSTILE_N,
    concurrency: env.HOSTILE_CONCURRENCY,
    when: env.HOSTILE_WHEN,
    'grace-ms': env.HOSTILE_GRACE_MS,
    'watchdog-ms': env.HOSTILE_WATCHDOG_MS,
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
  return {
    lib: oneOf('lib', 'node', LIBS),
    hostility: oneOf('hostility', 'none', HOSTILITIES),
    when: oneOf('when', 'late', WHENS),
    n: int('n', 200, 1),
    concurrency: int('concurrency', 16, 1),
    graceMs: int('grace-ms', 1000, 0),
    watchdogMs: int('watchdog-ms', 5000, 1),
  };
}

function loadLibrary(lib) {
  if (lib === 'node') return require('node:child_process');
  const file = process.env.PROCDESC_CHILD_PROCESS ||
    path.join(ROOT, 'dist', 'integrations', 'child_process.js');
  const mod = require(file);
  if (typeof mod.spawn !== 'function') throw new Error(`${file} does not export spawn()`);
  return mod;
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
// on stdin EOF, i.e. as soon as we die, however we die.
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

    function start(i) {
      const rec = { i, pid: undefined, exited: false, closed: false, code: undefined,
        signal: undefined, out: [], error: undefined, released: false, settled: false };
      records[i] = rec;
      running++;
      let child;
      try {
        child = lib.spawn('/bin/sh', ['-c', `echo out-${i}; exit $((${i} % 7))`],
          { stdio: ['ignore', 'pipe', 'ignore'] });
      } catch (err) {
        rec.error = String(err);
        release(rec);
        settle(rec);
        return;
      }
      rec.pid = child.pid;
      child.on('error', (err) => {
        rec.error = String(err);
        release(rec);
        settle(rec);
      });
      child.on('spawn', () => { if (rec.pid === undefined) rec.pid = child.pid; });
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
      if (child.stdout) {
        child.stdout.on('data', (d) => rec.out.push(Buffer.from(d)));
        // EOF == the child is gone (the script holds stdout until exit).
        child.stdout.on('end', () => release(rec));
        child.stdout.on('close', () => release(rec));
      } else {
        rec.error = 'no child.stdout';
        release(rec);
      }
    }

    function pump() {
      while (!done && running < concurrency && next < n) start(next++);
    }
    pump();
  });
}

function summarize(hostile, opts, run, extra) {
  const { records } = run;
  const ours = new Set();
  let spawned = 0, spawnErrors = 0, reported = 0, closed = 0, correct = 0;
  let wrongExit = 0, wrongStdout = 0;
  const samples = [];
  for (const rec of records) {
    if (!rec) continue;
    if (rec.pid) { spawned++; ours.add(rec.pid); }
    if (rec.error) spawnErrors++;
    if (rec.exited) reported++;
    if (rec.closed) closed++;
    const stdout = Buffer.concat(rec.out).toString();
    const okExit = rec.exited && rec.code === rec.i % 7 && rec.signal === null;
    const okOut = stdout === `out-${rec.i}\n`;
    if (rec.exited && !okExit) wrongExit++;
    if (rec.exited && !okOut) wrongStdout++;
    if (okExit && okOut && rec.closed) correct++;
    else if (samples.length < 5) {
      samples.push({ i: rec.i, pid: rec.pid, exited: rec.exited, code: rec.code,
        signal: rec.signal, closed: rec.closed, stdout, error: rec.error });
    }
  }
  const reapedAll = hostile.reapedPids();
  return {
    lib: opts.lib,
    hostility: opts.hostility,
    when: opts.when,
    n: opts.n,
    concurrency: opts.concurrency,
    graceMs: opts.graceMs,
    watchdogMs: opts.watchdogMs,
    finishedBy: run.finishedBy,
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

  const hostile = require(process.env.HOSTILE_ADDON ||
    path.join(ROOT, 'build', 'Release', 'hostile.node'));
  const statusBefore = hostile.procStatus();

  let displaced = null;
  if (opts.when === 'early') displaced = applyHostility(hostile, opts.hostility);
  const lib = loadLibrary(opts.lib);
  anchor = await spawnAnchor(lib);
  const anchorPpid = readPpid(anchor.pid);
  if (opts.when === 'late') displaced = applyHostility(hostile, opts.hostility);

  // Counting is an instrument, not a hostility: chain in front of whatever
  // is installed now.  The hostile handler counts by itself; SIG_IGN cannot
  // be counted without undoing it (countSigchld() refuses).
  let sigchldCounter = null;
  if (hostile.sigchldDisposition() === 'hostile') sigchldCounter = 'hostile';
  else if (hostile.countSigchld()) sigchldCounter = 'counting';
  hostile.resetSigchldCount();

  const run = await runChildren(lib, opts);
  emit(summarize(hostile, opts, run, {
    displaced, sigchldCounter, anchorPid: anchor.pid, anchorPpid, statusBefore,
  }), 0);
}

main().catch(fail);
