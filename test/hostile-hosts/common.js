'use strict';
/*
 * Shared by test/hostile-hosts/*.test.js (one file per hostility, and the
 * control without one).
 *
 * A host process that fights over SIGCHLD / exit statuses (see
 * test/hostile/hostile.c) makes node:child_process lose children: they exit,
 * but 'exit'/'close' never fire.  procdesc's children are children of its
 * private helper, not of the host, so nothing the host does to SIGCHLD or
 * waitpid() can reach them.
 *
 * Each case runs test/hostile/host-script.js in its own process (the
 * hostilities are process-global and irreversible) and asserts on the JSON
 * line it prints; see that script for the full contract.
 *
 * Every hostility is tried on each API: spawn (200 children, with the
 * late/early timing variants), exec and execFile (200 children), spawnSync,
 * execSync and execFileSync (50 children, one at a time).  What
 * node:child_process (Node 20.20, libuv 1.46) does under the late
 * hostilities, measured:
 *   spawn, exec, execFile   every child lost (200/200): no 'exit'/'close',
 *                           the exec callback never runs
 *   spawnSync, execSync,    the first call never returns: it hangs the whole
 *   execFileSync            process, even with options.timeout
 * It never reports a wrong status: a child it misses is simply never
 * reported.
 *
 * Test titles of the node:child_process cases contain "node" and the procdesc
 * ones do not, so `mocha --grep node` runs only the former (useful while the
 * library is not built yet).
 */

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { runNode } = require('../helpers/run-node');

const SCRIPT = path.join(__dirname, '..', 'hostile', 'host-script.js');
const ADDON = path.join(__dirname, '..', 'hostile', 'build', 'Release', 'hostile.node');
const N = 200;
const N_SYNC = 50;
const ASYNC_APIS = ['exec', 'execFile'];
const SYNC_APIS = ['spawnSync', 'execSync', 'execFileSync'];
const NEW_APIS = [...ASYNC_APIS, ...SYNC_APIS];

// node:child_process runs that lose children end by the grace period (1 s
// after the last child's stdout closed), bounded by a short watchdog, so the
// whole node set takes ~10 s.
const NODE_RUN = { n: N, concurrency: 16, graceMs: 1000, watchdogMs: 5000 };
// node:child_process runs expected to lose nothing end on completion; the
// longer watchdog only keeps them from flaking on a loaded machine.
const NODE_OK_RUN = { ...NODE_RUN, watchdogMs: 20000 };
// procdesc runs should end as soon as every child is reported; the generous
// limits only matter when something is wrong.
const PROCDESC_RUN = { n: N, concurrency: 16, graceMs: 3000, watchdogMs: 20000 };

// Sync APIs.  node:child_process under a hostility blocks forever in its
// first call; the script's watchdog thread reports it after hangMs.  Each
// call is also given Node's own timeout (syncTimeoutMs, far below hangMs),
// to show that it does not end the wait either.
const NODE_SYNC_HANG_RUN = { n: N_SYNC, graceMs: 0, watchdogMs: 5000, hangMs: 1000, syncTimeoutMs: 250 };
// A sync child takes a few ms; these limits only matter when something is
// wrong (a hang is reported after hangMs, not after the mocha timeout).
const NODE_SYNC_OK_RUN = { n: N_SYNC, graceMs: 0, watchdogMs: 20000, hangMs: 10000, syncTimeoutMs: 0 };
const PROCDESC_SYNC_RUN = { ...NODE_SYNC_OK_RUN };

async function hostRun(lib, hostility, when, run, api = 'spawn') {
  const args = [
    `--lib=${lib}`, `--api=${api}`, `--hostility=${hostility}`, `--when=${when}`,
    `--n=${run.n}`, `--grace-ms=${run.graceMs}`, `--watchdog-ms=${run.watchdogMs}`,
  ];
  if (run.concurrency !== undefined) args.push(`--concurrency=${run.concurrency}`);
  if (run.hangMs !== undefined) args.push(`--hang-ms=${run.hangMs}`);
  if (run.syncTimeoutMs !== undefined) args.push(`--sync-timeout-ms=${run.syncTimeoutMs}`);
  const res = await runNode(SCRIPT, args, { timeout: 55000 });
  const where = `host-script ${args.join(' ')}\n  code=${res.code} signal=${res.signal}` +
    ` timedOut=${res.timedOut}\n  stderr: ${res.stderr.trim().slice(-2000)}`;
  assert.ok(res.json, `no JSON line from ${where}\n  stdout: ${res.stdout.slice(-2000)}`);
  assert.equal(res.json.error, undefined, `host-script failed: ${res.json.error}\n${where}`);
  assert.equal(res.timedOut, false, where);
  if (res.json.finishedBy === 'hung') {
    // A sync call never returned: the script's watchdog thread printed the
    // line and had to SIGKILL the process.
    assert.equal(res.signal, 'SIGKILL', where);
  } else {
    assert.equal(res.code, 0, where);
  }
  assert.equal(res.json.api, api, where);
  // Keep failure messages readable: the proc masks are rarely the point.
  const { status, ...brief } = res.json;
  return { r: res.json, res, ctx: JSON.stringify(brief) };
}

// The run parameters for `api` under `lib`.
function runFor(lib, api, { lossy = false } = {}) {
  const sync = SYNC_APIS.includes(api);
  if (lib === 'procdesc') return sync ? PROCDESC_SYNC_RUN : PROCDESC_RUN;
  if (sync) return lossy ? NODE_SYNC_HANG_RUN : NODE_SYNC_OK_RUN;
  return lossy ? NODE_RUN : NODE_OK_RUN;
}

// node:child_process under a late hostility, sync API: the first child whose
// exit it misses blocks the process for good.  libuv only learns of an exit
// from SIGCHLD and then calls waitpid(pid, WNOHANG); when the status is gone
// (ECHILD: reaper, SIG_IGN auto-reap) or the signal never reaches libuv
// (foreign handler), it silently skips that child.  The async side then
// merely never emits 'exit'; spawnSync's private loop instead waits for it
// forever (epoll_wait with nothing left to wake it).  options.timeout does
// not help: its timer fires and kill()s a pid that is already gone (or a
// zombie), but the process handle stays active, so uv_run never returns
// (checked by hand: still blocked after 8 s with timeout 500).  The calls
// before the hang are right; nothing is ever reported wrong.
function assertNodeSyncHangs(r, ctx) {
  assert.equal(r.finishedBy, 'hung', ctx);
  assert.notEqual(r.hung, null, ctx);
  assert.equal(r.lost, 1, ctx);
  assert.equal(r.correct, r.hung, `every call before the hang is right; ${ctx}`);
  assert.equal(r.wrongExit, 0, ctx);
  assert.equal(r.wrongStdout, 0, ctx);
  assert.equal(r.spawnErrors, 0, ctx);
  assert.equal(r.notStarted, r.n - r.hung - 1, ctx);
  assert.ok(r.syncTimeoutMs > 0 && r.hangMs >= 3 * r.syncTimeoutMs,
    `options.timeout must have had time to fire; ${ctx}`);
  assert.equal(r.hostilityIntact, true, ctx);
}

// The `before` hook of every file: the addon is built by npm test's pretest.
function addonBuilt() {
  if (!fs.existsSync(ADDON)) {
    throw new Error(`${ADDON} is missing: npm test builds it (pretest), or\n` +
      '  npx node-gyp rebuild --directory=test/hostile');
  }
}

function assertProcdescClean(r, ctx) {
  assert.equal(r.finishedBy, 'complete', ctx);
  assert.equal(r.hung, null, ctx);
  assert.equal(r.notStarted, 0, ctx);
  assert.equal(r.spawned, r.n, ctx);
  assert.equal(r.spawnErrors, 0, ctx);
  assert.equal(r.reported, r.n, ctx);
  assert.equal(r.closed, r.n, ctx);
  assert.equal(r.correct, r.n, ctx);
  assert.equal(r.lost, 0, ctx);
  assert.equal(r.reapedByHost, 0, ctx);
  // Children belong to the helper: the host is never their parent, so none
  // can become its zombie and none can signal it.
  assert.equal(r.anchorParentIsHost, false, ctx);
  assert.equal(r.hostZombies, 0, ctx);
  if (r.sigchld !== null) assert.equal(r.sigchld, 0, ctx);
  // A late hostility that had been undone during the run would prove nothing.
  if (r.when === 'late') assert.equal(r.hostilityIntact, true, ctx);
}

/** The suite every file of this folder is in: its title, its timeout, the addon built first. */
function hostileSuite(body) {
  describe('hostile host', function () {
    this.timeout(60000);
    before(addonBuilt);
    body.call(this);
  });
}

module.exports = {
  N, ASYNC_APIS, SYNC_APIS, NEW_APIS, NODE_RUN, NODE_OK_RUN, PROCDESC_RUN,
  hostRun, runFor, assertNodeSyncHangs, assertProcdescClean, hostileSuite,
};
