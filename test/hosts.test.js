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
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      try {
        const result = JSON.parse(line);
        if (result.error) reject(new Error(result.error)); else resolve(result);
      } catch {
        reject(new Error(`host exited ${code} without a result: ${out}`));
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

    it('elsewhere the host adopts nothing, and says why', async function () {
      if (!kernelAtLeast(6, 15)) this.skip();
      const ours = await host({ lib: 'procdesc', killHelper: true });
      assert.strictEqual(ours.hostReapsOrphans, false);
      assert.match(ours.whyNot.hostReapsOrphans, /neither PID 1 .* nor a child subreaper/);
      assert.deepStrictEqual(ours.wrong, []);
      assert.deepStrictEqual(ours.zombies, []);
    });
  });
});
