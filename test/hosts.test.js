'use strict';
// Deployment shapes (issue 13), each in a host process of its own (test/fixtures/hosts-host.js):
// Node as PID 1 of a PID namespace (`docker run` without --init, here `unshare`), Node as a child
// subreaper, and sandboxes whose seccomp filter denies pidfd syscalls. In each: 20 children, the
// helper SIGKILLed while they run, every child's exit code or signal checked, and the zombies left
// at the end counted against node:child_process in the same shape.
const assert = require('node:assert');
const { spawn, spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');

const fixture = path.join(__dirname, 'fixtures', 'hosts-host.js');

/** Runs the fixture (under `unshare` for pid1) and returns its JSON line. */
function host(opts, { pid1 = false } = {}) {
  const argv = [fixture, JSON.stringify(opts)];
  const [file, args] = pid1
    ? ['unshare', ['--fork', '--pid', '--mount-proc', process.execPath, ...argv]]
    : [process.execPath, argv];
  return new Promise((resolve, reject) => {
    // stderr: the PROCDESC_FALLBACK warning where a sandbox sends us to node:child_process.
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      try {
        const result = JSON.parse(line);
        if (result.error) reject(new Error(result.error)); else resolve(result);
      } catch {
        reject(new Error(`host exited ${code} without a result: ${out}${err}`));
      }
    });
  });
}

function canUnshare() {
  return spawnSync('unshare', ['--fork', '--pid', '--mount-proc', 'true']).status === 0;
}

function kernelAtLeast(major, minor) {
  const [a, b] = os.release().split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** What both libraries must get right in the shapes where the host adopts orphans. */
function assertAdopted(ours, node) {
  assert.strictEqual(ours.path, 'procdesc', ours.reason);
  assert.strictEqual(ours.hostReapsOrphans, true);
  assert.strictEqual(ours.helperKilled, true);
  assert.deepStrictEqual(ours.wrong, []);
  assert.strictEqual(ours.right, 20);
  // Reaped by us through its pidfd, so its usage is known too.
  assert.deepStrictEqual(ours.usage, [true, true, true, true, true]);
  // The host's own child, through node:child_process, is still the host's.
  assert.deepStrictEqual(ours.own, [42, null]);
  assert.strictEqual(node.right, 20);
  // No more zombies than node:child_process leaves: the orphaned grandchildren (`sleep`), which
  // neither library knows of; no child, no helper, no launcher of ours.
  assert.ok(ours.zombies.length <= node.zombies.length, `ours ${ours.zombies} vs node ${node.zombies}`);
  assert.deepStrictEqual(ours.zombies.filter((name) => name !== 'sleep'), []);
}

describe('deployment shapes', function () {
  this.timeout(60000);

  describe('the host adopts orphans', function () {
    it('Node as PID 1 of a PID namespace: the helper dies under 20 children, all 20 report their status', async function () {
      if (!canUnshare()) this.skip();
      const ours = await host({ lib: 'procdesc', killHelper: true }, { pid1: true });
      const node = await host({ lib: 'node' }, { pid1: true });
      assert.strictEqual(ours.pid, 1);
      assertAdopted(ours, node);
    });

    it('Node as a child subreaper: the same', async function () {
      const ours = await host({ lib: 'procdesc', killHelper: true, subreaper: true });
      const node = await host({ lib: 'node', subreaper: true });
      assertAdopted(ours, node);
    });

    it('PID 1 with a waitpid(-1) thread: it takes the orphans, their status still arrives (6.15+)', async function () {
      if (!canUnshare() || !kernelAtLeast(6, 15)) this.skip();
      const ours = await host({ lib: 'procdesc', killHelper: true, reaper: true }, { pid1: true });
      assert.strictEqual(ours.path, 'procdesc', ours.reason);
      assert.deepStrictEqual(ours.wrong, []);
      assert.strictEqual(ours.right, 20);
      assert.deepStrictEqual(ours.zombies, []);
    });

    it('spawnSync whose child kills the helper: the real status, as PID 1 and as a subreaper', async function () {
      const shapes = [[{ subreaper: true }, {}]];
      if (canUnshare()) shapes.push([{}, { pid1: true }]);
      for (const [opts, how] of shapes) {
        const ours = await host({ lib: 'procdesc', sync: true, ...opts }, how);
        assert.deepStrictEqual(ours.sync, { status: 7, signal: null, error: null }, JSON.stringify(how));
        assert.deepStrictEqual(ours.zombies, []);
      }
    });

    it('elsewhere the host adopts nothing, and says why', async function () {
      if (!kernelAtLeast(6, 15)) this.skip();
      const ours = await host({ lib: 'procdesc', killHelper: true });
      assert.strictEqual(ours.hostReapsOrphans, false);
      assert.match(ours.whyNot.hostReapsOrphans, /neither PID 1 .* nor a child subreaper/);
      assert.deepStrictEqual(ours.wrong, []);
      assert.deepStrictEqual(ours.zombies, []);
    });
  });

  describe('seccomp sandboxes', function () {
    const { ENOSYS, EPERM, EINVAL } = os.constants.errno;
    // With a SIGCHLD-handling library in the host (GLib installs one where pidfd_open fails) or a
    // waitpid(-1) thread: node:child_process loses every exit there (test/hostile-hosts/reaper.test.js).
    const hostilities = [{ sigchldHandler: true }, { reaper: true }];

    /** procdesc kept its helper: every exit right, the helper SIGKILLed mid-run, no zombie of ours. */
    function assertKept(ours) {
      assert.strictEqual(ours.path, 'procdesc', ours.reason);
      assert.strictEqual(ours.helper, true);
      assert.strictEqual(ours.helperKilled, true);
      assert.deepStrictEqual(ours.wrong, []);
      assert.strictEqual(ours.right, 20);
      // Only the host's own `sh`, which the foreign SIGCHLD handler kept from libuv.
      assert.ok(ours.zombies.length <= 1 && ours.zombies.every((name) => name === 'sh'), `${ours.zombies}`);
    }

    for (const [errnoName, errno] of [['ENOSYS', ENOSYS], ['EPERM', EPERM]]) {
      for (const hostility of hostilities) {
        const label = Object.keys(hostility)[0];
        it(`pidfd_open denied (${errnoName}), ${label}: the helper stays (clone(CLONE_PIDFD)), open(pid) says why not`, async function () {
          if (!kernelAtLeast(6, 15)) this.skip(); // orphans' statuses after the helper's death
          const ours = await host({ lib: 'procdesc', deny: ['pidfd_open'], errno, killHelper: true, ...hostility });
          assertKept(ours);
          assert.strictEqual(ours.clonePidfd, true);
          assert.strictEqual(ours.openByPid, false);
          assert.match(ours.whyNot.openByPid, new RegExp(`pidfd_open failed: ${errnoName}`));
          assert.strictEqual(ours.groupSignals, true, 'probed without pidfd_open');
        });

        // glibc 2.34+ starts threads with clone3 and falls back to clone only on ENOSYS: under
        // EPERM no thread can start in the host at all (Docker's profile answers ENOSYS for this).
        if (errno === EPERM && hostility.reaper) continue;
        it(`clone3 denied (${errnoName}), ${label}: nothing of ours uses it`, async function () {
          if (!kernelAtLeast(6, 15)) this.skip();
          assertKept(await host({ lib: 'procdesc', deny: ['clone3'], errno, killHelper: true, ...hostility }));
        });
      }

      it(`pidfd_send_signal denied (${errnoName}): node:child_process, and why`, async function () {
        const ours = await host({ lib: 'procdesc', deny: ['pidfd_send_signal'], errno });
        assert.strictEqual(ours.path, 'node');
        assert.strictEqual(ours.reason, `pidfd_send_signal failed: ${errnoName}`);
        assert.strictEqual(ours.right, 20, 'the fallback works as Node does');
      });
    }

    it('clone(CLONE_PIDFD) denied: the helper uses pidfd_open for each child', async function () {
      if (!kernelAtLeast(6, 15)) this.skip();
      const ours = await host({ lib: 'procdesc', deny: ['clone_pidfd'], errno: EPERM, killHelper: true, sigchldHandler: true });
      assertKept(ours);
      assert.strictEqual(ours.clonePidfd, false);
    });

    it('a fork-like clone with CLONE_FILES or CLONE_PIDFD refused (EINVAL, as qemu-user 7.2): the helper clones without them', async function () {
      if (!kernelAtLeast(6, 15)) this.skip();
      // Failed with spawn EINVAL when the helper gave up after dropping CLONE_PIDFD alone.
      const ours = await host({ lib: 'procdesc', deny: ['clone_as_qemu'], errno: EINVAL, killHelper: true, sigchldHandler: true });
      assertKept(ours);
      assert.strictEqual(ours.clonePidfd, false);
    });

    it('close_range denied: the helper keeps no pidfd of its own and finds every exit through SIGCHLD', async () => {
      // native/helper/pidfds.c: without CLOSE_RANGE_UNSHARE a child would copy every kept pidfd.
      const ours = await host({ lib: 'procdesc', deny: ['close_range'], errno: ENOSYS, reaper: true });
      assert.strictEqual(ours.path, 'procdesc', ours.reason);
      assert.deepStrictEqual(ours.wrong, []);
      assert.strictEqual(ours.right, 20);
    });

    it('clone(CLONE_PIDFD) and pidfd_open both denied: node:child_process, and why', async function () {
      const ours = await host({ lib: 'procdesc', deny: ['clone_pidfd', 'pidfd_open'], errno: EPERM });
      assert.strictEqual(ours.path, 'node');
      assert.match(ours.reason, /clone\(CLONE_PIDFD\) and pidfd_open both fail \(EPERM\)/);
      assert.strictEqual(ours.right, 20);
    });
  });
});
