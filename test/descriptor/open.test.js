'use strict';
// The descriptor API (procdesc's `.` export): open(pid) -> ProcessDescriptor, for processes the host
// did not spawn too. unref() runs in a host of its own (a child node process).
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const events = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { loadNative } = require('../../dist/lib/core/native.js');
const { goFlag } = require('../helpers/flag');
const { runNode } = require('../helpers/run-node');
const { procdesc, DIST, EXIT_INFO } = require('./common');

const { spawn, open, capabilities, ProcessDescriptor } = procdesc;

/** A third party: a node process (not ours) that spawns `commands` itself, prints their pids and
 * reaps them (libuv), then stays until its stdin closes. */
function thirdParty(commands) {
  const src = `
    const { spawn } = require('node:child_process');
    const pids = ${JSON.stringify(commands)}.map((c) => spawn('sh', ['-c', c], { stdio: 'ignore' }).pid);
    console.log(JSON.stringify(pids));
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`;
  const host = cp.spawn(process.execPath, ['-e', src], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    host.stdout.once('data', (d) => resolve({ host, pids: JSON.parse(d.toString()) }));
    host.once('error', reject);
  });
}

describe('descriptor API: open(pid)', function () {
  this.timeout(20000);

  it('opens a process the host did not spawn: its exit status, and kill through the pidfd', async function () {
    // The exiter waits until it is open: exited and reaped by its parent before open(), it would
    // be ESRCH.
    const go = goFlag();
    const { host, pids: [sleeper, exiter] } = await thirdParty(['exec sleep 30', `${go.wait}; exit 7`]);
    try {
      const a = open(sleeper);
      const b = open(exiter);
      go.raise();
      assert.ok(a instanceof ProcessDescriptor);
      assert.equal(a.pid, sleeper);
      assert.ok(a.fd >= 0);
      const exitEvent = events.once(b, 'exit');
      assert.equal(a.kill('SIGTERM'), true);
      const [ea, eb] = await Promise.all([a.exited, b.exited]);
      assert.deepEqual(await exitEvent, [eb.code, eb.signal]);
      assert.equal(a.fd, -1);
      assert.equal(a.kill(), false, 'no signal after the exit');
      if (EXIT_INFO) {
        assert.deepEqual(ea, { code: null, signal: 'SIGTERM' });
        assert.deepEqual(eb, { code: 7, signal: null });
      } else {
        assert.deepEqual(eb, { code: null, signal: null }, 'only that it exited');
      }
      assert.equal(capabilities().exitInfoForNonParents, EXIT_INFO);
    } finally {
      host.stdin.end();
      go.remove();
    }
  });

  it('opens a Subprocess\'s child by pid too (the helper is its parent)', async () => {
    const sub = spawn('sh', ['-c', 'sleep 0.2; exit 5'], { stdio: 'ignore' });
    const handle = open(sub.pid);
    const [mine, theirs] = await Promise.all([sub.exited, handle.exited]);
    assert.equal(mine.code, 5);
    if (EXIT_INFO) assert.deepEqual(theirs, { code: 5, signal: null });
  });

  it('close() stops watching: exited rejects with an AbortError, the pidfd is closed', async () => {
    const sub = spawn('sleep', ['30'], { stdio: 'ignore' });
    const handle = open(sub.pid);
    const fd = handle.fd;
    handle.close();
    assert.equal(handle.fd, -1);
    assert.throws(() => fs.readlinkSync(`/proc/self/fd/${fd}`), { code: 'ENOENT' });
    await assert.rejects(handle.exited, { name: 'AbortError' });
    assert.equal(handle.kill(), false);
    handle.close(); // again: nothing
    sub.kill();
    await sub.exited;
  });

  it('throws for a process that does not exist, and validates pid as Node does', () => {
    assert.throws(() => open(4194305), { code: 'ESRCH', syscall: 'pidfd_open' }); // above PID_MAX_LIMIT
    assert.throws(() => open('1'), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => open(0), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => open(1.5), { code: 'ERR_OUT_OF_RANGE' });
  });

  it('a status asked for during the parent\'s reap is never lost (6.15+: PIDFD_GET_INFO\'s ESRCH window)', async function () {
    // The kernel records the status (pidfs_exit) and then unhashes the task; a PIDFD_GET_INFO
    // between the two finds the task, then no PID for it, and fails with ESRCH although the status
    // is there for the next call. Asking in a tight loop while its parent (a shell's `wait`) reaps
    // it lands in that window in about one round in eight here: 60 rounds.
    if (!EXIT_INFO) this.skip();
    const { binding } = loadNative();
    const got = [];
    for (let round = 1; round <= 60; round++) {
      // The grandchild stops itself until we hold its pidfd, then exits with the round's number.
      const parent = cp.spawn('sh', ['-c', `sh -c 'kill -STOP $$; exit ${round}' & echo $!; wait`], { stdio: ['ignore', 'pipe', 'ignore'] });
      const parentExit = events.once(parent, 'exit');
      const [line] = await events.once(parent.stdout, 'data');
      const pid = Number(String(line));
      const fd = binding.pidfdOpen(pid);
      assert.ok(fd >= 0, 'alive until we let it go');
      while (!/^\S+ \(.*\) T /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))) await new Promise((r) => setTimeout(r, 1));
      assert.equal(binding.kill(fd, os.constants.signals.SIGCONT, false), 0);
      let status = null;
      while (status === null) status = binding.exitStatus(fd);
      binding.close(fd);
      got.push(status);
      await parentExit;
    }
    assert.deepEqual(got, got.map((_, i) => (i + 1) << 8));
  });

  it('unref() lets the host exit while the process lives on', async () => {
    const src = `const h = require(${JSON.stringify(DIST)}).open(process.ppid).unref(); console.log(JSON.stringify({ fd: h.fd }))`;
    const file = path.join(os.tmpdir(), `procdesc-unref-${process.pid}.js`);
    fs.writeFileSync(file, src);
    try {
      const res = await runNode(file, [], { timeout: 10000 });
      assert.equal(res.timedOut, false);
      assert.equal(res.code, 0);
      assert.ok(res.json.fd >= 0);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
