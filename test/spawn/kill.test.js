'use strict';
// A spawned ChildProcess's kill(), ref()/unref() and Symbol.dispose, as Node's.
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { observe, thrown } = require('../helpers/observe');
const { nodeCp, ours, tmp } = require('./common');

describe('spawn: kill, ref, dispose', () => {
  it('kill() by name and by number; false once the child is gone', async () => {
    const a = ours.spawn('sleep', ['10']);
    assert.strictEqual(a.kill('SIGKILL'), true);
    assert.strictEqual(a.killed, true);
    const oa = await observe(a);
    assert.strictEqual(oa.signalCode, 'SIGKILL');
    assert.strictEqual(a.kill(), false);

    const b = ours.spawn('sleep', ['10']);
    assert.strictEqual(b.kill(os.constants.signals.SIGHUP), true);
    assert.strictEqual((await observe(b)).signalCode, 'SIGHUP');
  });

  it('kill(0) probes without killing', async () => {
    const child = ours.spawn('sleep', ['10']);
    assert.strictEqual(child.kill(0), true);
    assert.ok(fs.existsSync(`/proc/${child.pid}`));
    child.kill('SIGKILL');
    await observe(child);
  });

  it('an unknown signal throws as Node', () => {
    const a = ours.spawn('sleep', ['10']);
    const b = nodeCp.spawn('sleep', ['10']);
    try {
      assert.deepStrictEqual(thrown(() => a.kill('SIGNOPE')), thrown(() => b.kill('SIGNOPE')));
    } finally {
      a.kill('SIGKILL');
      b.kill('SIGKILL');
    }
  });

  it('Symbol.dispose kills the child', async () => {
    const child = ours.spawn('sleep', ['10']);
    child[Symbol.dispose]();
    assert.strictEqual((await observe(child)).signalCode, 'SIGTERM');
  });

  it('unref() lets the host exit while the child runs; ref() keeps it', async () => {
    const { runNode } = require('../helpers/run-node');
    const lib = JSON.stringify(path.resolve(__dirname, '../../dist/integrations/child_process.js'));
    const script = path.join(tmp, 'unref.js');
    fs.writeFileSync(script, `const c = require(${lib}).spawn('sleep', ['3'], { stdio: 'ignore' });
      if (process.argv[2] === 'unref') c.unref(); else { c.unref(); c.ref(); }
      console.log(JSON.stringify({ pid: c.pid }));`);
    const t0 = Date.now();
    const unref = await runNode(script, ['unref'], { timeout: 20000 });
    const unrefMs = Date.now() - t0;
    const t1 = Date.now();
    const ref = await runNode(script, ['ref'], { timeout: 20000 });
    const refMs = Date.now() - t1;
    assert.strictEqual(unref.code, 0);
    assert.strictEqual(ref.code, 0);
    assert.ok(unrefMs < 2500, `unref'd host took ${unrefMs} ms`);
    assert.ok(refMs >= 2900, `ref'd host took ${refMs} ms`);
    try {
      process.kill(unref.json.pid, 'SIGKILL');
    } catch (err) {
      if (err.code !== 'ESRCH') throw err; // a slow machine: its 3 s were up already
    }
  });
});
