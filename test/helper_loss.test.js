'use strict';
// The helper dies while children run (here: a child SIGKILLs its own parent, the helper). Children
// are re-parented; the host still signals them through their pidfds and learns their exits from the
// pidfds too (PIDFD_INFO_EXIT, Linux 6.15+), and the next spawn starts a new helper.
const assert = require('node:assert');
const events = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ours = require('../dist/integrations/child_process.js');
const { capabilities } = require('../dist/lib/index.js');
const { goFlag } = require('./helpers/flag');
const { observe } = require('./helpers/observe');
const { waitFor } = require('./helpers/procfs');
const { resourceUsageOf } = require('../dist/lib/node/claim.js');

/** PIDFD_INFO_EXIT (Linux 6.15+); a first spawn meanwhile starts the helper. */
function kernelHasExitInfo() {
  const child = ours.spawn('true');
  return events.once(child, 'exit').then(() => {
    const [major, minor] = os.release().split('.').map(Number);
    return major > 6 || (major === 6 && minor >= 15);
  });
}

/** A shell loop that returns once the shell's parent is no longer `helperPid` (not $PPID: dash
 * reads it at its start, which may come after the helper's death on a loaded machine), or after
 * 30 s (a test that failed first leaves no child polling for ever). */
const untilOrphanedFrom = (helperPid) =>
  `i=0; while [ "$(cut -d' ' -f4 /proc/$$/stat)" = ${helperPid} ] && [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done`;

describe('helper loss', function () {
  this.timeout(30000);
  let exitInfo;
  before(async () => { exitInfo = await kernelHasExitInfo(); });

  it('children outlive the helper and still report their exit codes', async function () {
    if (!exitInfo) this.skip();
    const before = capabilities().helperPid;
    // The bystander exits once it has been orphaned (its parent is no longer the helper), the
    // killer once both spawn() calls have returned (the helper has sent both replies).
    const bystander = ours.spawn('sh', ['-c', `${untilOrphanedFrom(before)}; echo bystander; exit 7`]);
    const go = goFlag();
    const killer = ours.spawn('sh', ['-c', `${go.wait}; kill -KILL $PPID; sleep 0.1; exit 3`]);
    go.raise();
    const [a, b] = await Promise.all([observe(bystander), observe(killer)]);
    go.remove();
    assert.deepStrictEqual(b.events, ['spawn', ['exit', 3, null], ['close', 3, null]]);
    assert.deepStrictEqual(a.events, ['spawn', ['exit', 7, null], ['close', 7, null]]);
    assert.strictEqual(a.stdout, 'bystander\n');
    assert.strictEqual(resourceUsageOf(bystander), null, 'no usage for an orphan');

    const nextChild = ours.spawn('sh', ['-c', 'exit 5']);
    const next = { ...(await observe(nextChild)), child: nextChild };
    assert.deepStrictEqual(next.events, ['spawn', ['exit', 5, null], ['close', 5, null]]);
    assert.notStrictEqual(capabilities().helperPid, before, 'a new helper');
    assert.ok(resourceUsageOf(next.child).maxRSS > 0, 'usage for a child the helper reaped');
  });

  it('a spawn that replaces a dead helper before the loop noticed still leaves no child unreported', async function () {
    if (!exitInfo) this.skip();
    const first = ours.spawn('sleep', ['0.3']);
    const firstExit = events.once(first, 'exit');
    process.kill(capabilities().helperPid, 'SIGKILL');
    const t = Date.now();
    while (Date.now() - t < 50) { /* the loop must not see the helper go before the next spawn */ }
    const second = await observe(ours.spawn('sh', ['-c', 'exit 4']));
    assert.deepStrictEqual(second.events, ['spawn', ['exit', 4, null], ['close', 4, null]]);
    assert.deepStrictEqual(await firstExit, [0, null]);
  });

  it('an orphan can still be killed through its pidfd', async function () {
    if (!exitInfo) this.skip();
    const victim = ours.spawn('sleep', ['30']);
    const go = goFlag();
    const killer = ours.spawn('sh', ['-c', `${go.wait}; kill -KILL $PPID`]);
    go.raise();
    await observe(killer);
    go.remove();
    assert.strictEqual(victim.kill('SIGTERM'), true);
    const v = await observe(victim);
    assert.strictEqual(v.signalCode, 'SIGTERM');
    assert.strictEqual(victim.kill('SIGTERM'), false, 'no signal after the exit');
  });

  it('spawnSync gets its child\'s status when the helper dies under it', function () {
    if (!exitInfo) this.skip();
    // The sleep lets the helper send its spawn reply before it dies.
    const r = ours.spawnSync('sh', ['-c', 'sleep 0.1; kill -KILL $PPID; echo still-here; exit 4'], { encoding: 'utf8' });
    assert.strictEqual(r.error, undefined);
    assert.strictEqual(r.status, 4);
    assert.strictEqual(r.stdout, 'still-here\n');
    assert.strictEqual(ours.spawnSync('true').status, 0, 'and the next one starts a new helper');
  });

  it('a spawn whose reply is lost with the helper fails, and never runs twice', async () => {
    const file = path.join(os.tmpdir(), `procdesc-once-${process.pid}`);
    fs.rmSync(file, { force: true });
    for (let i = 0; i < 3; i++) {
      // The child may kill the helper before or after it replies: either outcome is fine, but the
      // child must run exactly once per call.
      const r = ours.spawnSync('sh', ['-c', `kill -KILL $PPID; echo ran >> ${file}`]);
      if (r.error) assert.strictEqual(r.error.code, 'EPIPE');
      // The async spawn() throws the same error synchronously ('spawn EPIPE').
    }
    // A child whose reply was lost runs on its own: wait for all three lines, then a moment for
    // a fourth that must not come.
    const lines = () => { try { return fs.readFileSync(file, 'utf8'); } catch { return ''; } };
    await waitFor(() => lines() === 'ran\n'.repeat(3), 10000);
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(lines(), 'ran\n'.repeat(3));
    fs.rmSync(file);
    assert.strictEqual(ours.spawnSync('true').status, 0);
  });
});
