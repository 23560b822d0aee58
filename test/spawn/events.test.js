'use strict';
// spawn() against node:child_process: the procdesc path is in use, and the events and results of
// a child are Node's.
const assert = require('node:assert');
const events = require('node:events');
const fs = require('node:fs');
const net = require('node:net');
const { AsyncLocalStorage } = require('node:async_hooks');

const { capabilities } = require('../../dist/lib/index.js');
const { observe } = require('../helpers/observe');
const { nodeCp, ours, both } = require('./common');

describe('spawn: the procdesc path is in use', () => {
  it('reports the helper in capabilities()', () => {
    const caps = capabilities();
    assert.strictEqual(caps.path, 'procdesc', caps.reason);
    assert.strictEqual(caps.helper, true);
    assert.ok(caps.helperPid > 0);
  });

  it('returns instances of Node\'s own ChildProcess class, EventEmitters of node:events', () => {
    const child = ours.spawn('true');
    assert.strictEqual(ours.ChildProcess, nodeCp.ChildProcess);
    assert.ok(child instanceof nodeCp.ChildProcess);
    assert.ok(child instanceof events.EventEmitter);
    child.setMaxListeners(50);
    return events.once(child, 'exit');
  });
});

describe('spawn: events and results', () => {
  it('spawn -> exit -> close with the exit code, as Node', async () => {
    const [n, o] = await both((lib) => observe(lib.spawn('sh', ['-c', 'exit 3'])));
    assert.deepStrictEqual(o.events, n.events);
    assert.deepStrictEqual(o.events, ['spawn', ['exit', 3, null], ['close', 3, null]]);
    assert.strictEqual(o.exitCode, 3);
    assert.strictEqual(o.signalCode, null);
  });

  it('pid is known when spawn() returns', () => {
    const child = ours.spawn('sleep', ['5']);
    assert.ok(Number.isInteger(child.pid) && child.pid > 0);
    assert.ok(fs.existsSync(`/proc/${child.pid}`));
    child.kill('SIGKILL');
    return events.once(child, 'close');
  });

  it('stdout, stderr and stdin pipes carry data both ways', async () => {
    const [n, o] = await both(async (lib) => {
      const child = lib.spawn('sh', ['-c', 'cat; echo err >&2']);
      child.stdin.end('hello through stdin\n');
      return observe(child);
    });
    assert.strictEqual(o.stdout, 'hello through stdin\n');
    assert.strictEqual(o.stderr, 'err\n');
    assert.deepStrictEqual(o.events, n.events);
  });

  it('large output is read completely', async () => {
    const o = await observe(ours.spawn('head', ['-c', '5000000', '/dev/zero']));
    assert.strictEqual(o.stdout.length, 5000000);
  });

  it('stream properties match Node', async () => {
    const shape = (c) => ({
      stdin: [c.stdin.readable, c.stdin.writable, c.stdin instanceof net.Socket],
      stdout: [c.stdout.readable, c.stdout.writable, c.stdout instanceof net.Socket],
      stdio: c.stdio.map((s) => s === null ? null : typeof s),
      spawnfile: c.spawnfile,
      spawnargs: c.spawnargs,
      connected: c.connected,
      killed: c.killed,
    });
    const [n, o] = await both(async (lib) => {
      const c = lib.spawn('true', ['a', 'b']);
      const s = shape(c);
      await observe(c);
      return s;
    });
    assert.deepStrictEqual(o, n);
  });

  it('a signal death reports signalCode, as Node', async () => {
    const [n, o] = await both((lib) => observe(lib.spawn('sh', ['-c', 'kill -USR1 $$'])));
    assert.deepStrictEqual(o.events, n.events);
    assert.strictEqual(o.signalCode, 'SIGUSR1');
    assert.strictEqual(o.exitCode, null);
  });

  it("'exit' listeners run in the AsyncLocalStorage context of spawn()", async () => {
    const als = new AsyncLocalStorage();
    const seen = await new Promise((resolve) => {
      als.run({ tag: 'spawn-ctx' }, () => {
        ours.spawn('true').on('exit', () => resolve(als.getStore()));
      });
    });
    assert.deepStrictEqual(seen, { tag: 'spawn-ctx' });
  });
});
