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

describe('spawn: exits of children with and without pipes, read together', () => {
  // Exit records read in one batch wait their poll phases in one queue (native/addon/deliveries.cc),
  // whatever each child's stdio: none may be held back or lost, and a piped child's output ends
  // before its 'exit'. Killed together, the two exits reach the helper in either order.
  it('all come, each after its own output, over 30 pairs', async function () {
    this.timeout(30000);
    for (let i = 0; i < 30; i++) {
      const piped = ours.spawn('sleep', ['10'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const bare = ours.spawn('sleep', ['10'], { stdio: 'ignore' });
      const seen = [];
      piped.stdout.on('end', () => seen.push('piped end'));
      const exits = [events.once(piped, 'exit'), events.once(bare, 'exit')];
      piped.on('exit', () => seen.push('piped exit'));
      await Promise.all([events.once(piped, 'spawn'), events.once(bare, 'spawn')]);
      if (i % 2) {
        piped.kill('SIGKILL');
        bare.kill('SIGKILL');
      } else {
        bare.kill('SIGKILL');
        piped.kill('SIGKILL');
      }
      const [[pipedCode, pipedSignal], [bareCode, bareSignal]] = await Promise.all(exits);
      assert.deepStrictEqual([pipedCode, pipedSignal, bareCode, bareSignal], [null, 'SIGKILL', null, 'SIGKILL']);
      assert.deepStrictEqual(seen, ['piped end', 'piped exit']);
    }
  });
});
