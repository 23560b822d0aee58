'use strict';
// host-script.js's run for the synchronous APIs (spawnSync, execSync, execFileSync): one child at a
// time, followed by a watchdog worker thread that reports a call that never returns.

const fs = require('node:fs');
const path = require('node:path');
const { Worker, parentPort, workerData } = require('node:worker_threads');

const { shellCommand, newRecord } = require('./records');
const { loadAddon } = require('./host');
const { claimReport, sharedClaim, adoptClaim } = require('./report');
const { summarize } = require('./summary');

// The worker runs the script itself, which starts watchdogWorker() off the main thread.
const SCRIPT = path.resolve(__dirname, '..', 'host-script.js');

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
    const worker = new Worker(SCRIPT, { workerData: { opts, reportClaim: sharedClaim() } });
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
  adoptClaim(workerData.reportClaim);
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

module.exports = { runSyncChildren, startWatchdog, watchdogWorker };
