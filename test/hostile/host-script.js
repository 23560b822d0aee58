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
 * Output: one JSON line, described in host-script/summary.js; the modules in
 * host-script/ are the parts of this script.
 */

const { isMainThread } = require('node:worker_threads');

// First: its safety net is armed as it loads (the hard timer).
const { emit, fail, armHardTimer, setAnchor } = require('./host-script/report');
const { parseOptions } = require('./host-script/options');
const { loadLibrary, loadAddon, applyHostility, readPpid, spawnAnchor } = require('./host-script/host');
const { runChildren } = require('./host-script/run-async');
const { runSyncChildren, startWatchdog, watchdogWorker } = require('./host-script/run-sync');
const { summarize } = require('./host-script/summary');

if (isMainThread) {
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

async function main() {
  const opts = parseOptions(process.argv.slice(2), process.env);
  armHardTimer(opts.watchdogMs + opts.graceMs + 30000);

  const hostile = loadAddon();
  const statusBefore = hostile.procStatus();

  let displaced = null;
  if (opts.when === 'early') displaced = applyHostility(hostile, opts.hostility);
  const lib = loadLibrary(opts.lib);
  const anchor = await spawnAnchor(lib);
  setAnchor(anchor);
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
