'use strict';
// The one JSON line host-script.js prints, and how the process ends after it: whoever claims the
// report first (the main thread, or the sync watchdog worker on a hang) prints it, exactly once.

const { isMainThread } = require('node:worker_threads');

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

// main() re-arms the safety net once it knows the run's limits.
function armHardTimer(ms) {
  clearTimeout(hardTimer);
  hardTimer = setTimeout(() => fail(new Error('setup did not finish in time')), ms);
}

// The anchor child emit() kills on the way out.
function setAnchor(child) {
  anchor = child;
}

// The claim shared with the watchdog worker: main passes its own, the worker adopts it.
function sharedClaim() {
  return reportClaim;
}

function adoptClaim(shared) {
  reportClaim = shared;
}

module.exports = { claimReport, emit, fail, armHardTimer, setAnchor, sharedClaim, adoptClaim };
