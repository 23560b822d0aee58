'use strict';
// fork() and its IPC channel: the child, messages both ways, events, disconnects and unref.
// The parent side is procdesc's (the helper makes the child) with Node's own channel code, so it
// must behave as node:child_process does.
const assert = require('node:assert');
const events = require('node:events');
const fs = require('node:fs');
const path = require('node:path');
const nodeCp = require('node:child_process');

const ours = require('../../dist/integrations/child_process.js');
const { capabilities } = require('../../dist/lib/index.js');
const { childScript, tmp, nextMessage, lifecycle } = require('./common');

describe('fork', function () {
  this.timeout(30000);
  before(() => assert.strictEqual(capabilities().path, 'procdesc'));

  it('is Node\'s ChildProcess, made by the helper, with a connected channel', async () => {
    const child = ours.fork(childScript, ['a1'], { stdio: 'pipe' });
    assert.ok(child instanceof nodeCp.ChildProcess);
    assert.strictEqual(child.connected, true);
    const [ready] = await nextMessage(child, 'ready');
    assert.deepStrictEqual(ready.argv, ['a1']);
    const ppid = Number(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    assert.strictEqual(ppid, capabilities().helperPid);
    child.send({ cmd: 'exit', code: 0 });
    await events.once(child, 'close');
  });

  it('the same events in the same order as Node, for an exit and for a disconnect', async () => {
    const run = async (lib, how) => {
      const child = lib.fork(childScript, [], { stdio: 'ignore' });
      const done = lifecycle(child);
      await nextMessage(child, 'ready');
      if (how === 'exit') child.send({ cmd: 'exit', code: 5 });
      else child.disconnect();
      return done;
    };
    for (const how of ['exit', 'disconnect']) {
      const n = await run(nodeCp, how);
      const o = await run(ours, how);
      assert.deepStrictEqual(o, n, how);
    }
  });

  for (const serialization of ['json', 'advanced']) {
    it(`round-trips messages with serialization '${serialization}', large ones included`, async () => {
      const child = ours.fork(childScript, { serialization, stdio: 'ignore' });
      await nextMessage(child, 'ready');
      const values = [42, 'text', { nested: { array: [1, 'two', null] } }, 'x'.repeat(4 * 1024 * 1024)];
      if (serialization === 'advanced') {
        values.push(Buffer.from('buffer'), new Uint16Array([1, 2, 65535]), new Map([['k', 1n]]), new Date(0));
      }
      for (const value of values) {
        child.send({ cmd: 'echo', value });
        const [reply] = await nextMessage(child, 'echo');
        if (serialization === 'advanced' && Buffer.isBuffer(value)) {
          // Node's advanced mode brings Buffers back as Uint8Arrays.
          assert.deepStrictEqual(Buffer.from(reply.value), value);
        } else {
          assert.deepStrictEqual(reply.value, value);
        }
      }
      child.send({ cmd: 'exit', code: 0 });
      await events.once(child, 'close');
    });
  }

  it('send() returns a boolean and calls back; messages keep their order under load', async () => {
    const child = ours.fork(childScript, { stdio: 'ignore' });
    await nextMessage(child, 'ready');
    const sent = await new Promise((resolve) => {
      const result = child.send({ cmd: 'echo', value: 1 }, (err) => resolve([result, err]));
    });
    assert.deepStrictEqual(sent, [true, null]);
    await nextMessage(child, 'echo');
    const got = [];
    const all = new Promise((resolve) => child.on('message', (m) => {
      if (m.cmd === 'flood' && got.push(m.i) === 500) resolve();
    }));
    child.send({ cmd: 'flood', count: 500, size: 10000 });
    await all;
    assert.deepStrictEqual(got, Array.from({ length: 500 }, (_, i) => i));
    child.send({ cmd: 'exit', code: 0 });
    await events.once(child, 'close');
  });

  it('the child disconnecting is seen by the parent', async () => {
    const child = ours.fork(childScript, { stdio: 'ignore' });
    await nextMessage(child, 'ready');
    const seen = lifecycle(child);
    child.send({ cmd: 'disconnect' });
    await events.once(child, 'disconnect');
    assert.strictEqual(child.connected, false);
    child.kill();
    const events_ = await seen;
    assert.deepStrictEqual(events_.map((e) => e[0]), ['disconnect', 'exit', 'close']);
  });

  it('a child that exits while we send: no crash, errors as Node reports them', async () => {
    const run = async (lib) => {
      const child = lib.fork(childScript, { stdio: 'ignore' });
      await nextMessage(child, 'ready');
      const errors = [];
      child.on('error', (e) => errors.push(e.code));
      child.send({ cmd: 'exit', code: 7 });
      const big = 'y'.repeat(1024 * 1024);
      for (let i = 0; i < 20; i++) child.send({ cmd: 'echo', value: big }, () => {});
      const closed = events.once(child, 'close');
      const [code] = await events.once(child, 'exit');
      await closed;
      // Which of the 20 in-flight sends fail (EPIPE) is a matter of timing; a send after the
      // channel closed is not.
      let returned;
      const late = await new Promise((resolve) => { returned = child.send('late', (e) => resolve(e && e.code)); });
      return { code, late, returned, connected: child.connected, errors };
    };
    const n = await run(nodeCp);
    const o = await run(ours);
    assert.deepStrictEqual(o, n);
    assert.deepStrictEqual(o, { code: 7, late: 'ERR_IPC_CHANNEL_CLOSED', returned: false, connected: false, errors: [] });
  });

  it("'ipc' in spawn's stdio gives a channel to any Node program", async () => {
    const child = ours.spawn(process.execPath, ['-e', 'process.on("message", (m) => { process.send(m * 2); process.disconnect(); })'],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.send(21);
    const [reply] = await events.once(child, 'message');
    assert.strictEqual(reply, 42);
    const [code] = await events.once(child, 'exit');
    assert.strictEqual(code, 0);
  });

  it('channel.unref() lets the parent exit while the child runs', async () => {
    const { runNode } = require('../helpers/run-node');
    const script = path.join(tmp, 'unref-channel.js');
    fs.writeFileSync(script, `
      const c = require(${JSON.stringify(path.resolve(__dirname, '../../dist/integrations/child_process.js'))})
        .fork(${JSON.stringify(childScript)}, { stdio: 'ignore' });
      c.unref(); c.channel.unref();
      console.log(JSON.stringify({ pid: c.pid }));`);
    const t0 = Date.now();
    const r = await runNode(script, [], { timeout: 20000 });
    assert.strictEqual(r.code, 0);
    assert.ok(Date.now() - t0 < 5000);
    // The child saw the channel close when we exited, and leaves on its own (exitCode 42).
  });
});
