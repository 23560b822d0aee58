'use strict';
// fork() and the IPC channel: the children are ordinary Node scripts (test/fixtures/ipc-child.js)
// using process.send and process.on('message'); the parent side is procdesc's (the helper makes
// the child) with Node's own channel code, so it must behave as node:child_process does.
const assert = require('node:assert');
const events = require('node:events');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const nodeCp = require('node:child_process');

const ours = require('../dist/integrations/child_process.js');
const { capabilities } = require('../dist/lib/index.js');
const { thrown } = require('./helpers/observe');

const childScript = path.join(__dirname, 'fixtures', 'ipc-child.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-fork-'));

function nextMessage(child, cmd) {
  return new Promise((resolve, reject) => {
    const onMessage = (msg, handle) => {
      if (msg && msg.cmd === cmd) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve([msg, handle]);
      }
    };
    const onExit = (code, signal) => reject(new Error(`child exited (${code}, ${signal}) before '${cmd}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Records the events a user sees until a while after 'exit' (after a disconnect initiated by the
 * parent, Node 20 never emits 'close': the channel's end is not counted). */
function lifecycle(child) {
  const seen = [];
  for (const name of ['spawn', 'disconnect', 'exit', 'close', 'error']) {
    child.on(name, (...args) => seen.push([name, ...args.map((a) => (a instanceof Error ? a.code : a))]));
  }
  return new Promise((resolve) => child.on('exit', () => setTimeout(() => resolve(seen), 300)));
}

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

  it('passes a listening net.Server to the child', async () => {
    const child = ours.fork(childScript, { stdio: 'ignore' });
    await nextMessage(child, 'ready');
    const server = net.createServer((s) => s.end('from-parent-server'));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address();
    child.send({ cmd: 'server' }, server);
    const [reply] = await nextMessage(child, 'server-ready');
    assert.strictEqual(reply.type, 'Server');
    server.close(); // only the child's copy listens now
    const answer = await new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let data = '';
      s.on('data', (d) => { data += d; });
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    assert.strictEqual(answer, 'from-child-server');
    child.kill();
    await events.once(child, 'close');
  });

  it('passes a connected net.Socket both ways', async () => {
    const child = ours.fork(childScript, { stdio: 'ignore' });
    await nextMessage(child, 'ready');
    const server = net.createServer();
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address();

    // Parent -> child: the child writes on a socket the parent accepted.
    const client = net.connect(port, '127.0.0.1');
    const [accepted] = await events.once(server, 'connection');
    const received = new Promise((resolve) => {
      let data = '';
      client.on('data', (d) => { data += d; });
      client.on('end', () => resolve(data));
    });
    child.send({ cmd: 'socket' }, accepted);
    const [done] = await nextMessage(child, 'socket-done');
    assert.strictEqual(done.type, 'Socket');
    assert.strictEqual(await received, 'from-child-socket');

    // Child -> parent: the child connects, then sends us its socket.
    const incoming = events.once(server, 'connection');
    child.send({ cmd: 'send-socket', port });
    const [, handle] = await nextMessage(child, 'here-is-a-socket');
    const [serverSide] = await incoming;
    assert.ok(handle instanceof net.Socket);
    const viaHandle = new Promise((resolve) => {
      let data = '';
      serverSide.on('data', (d) => { data += d; });
      serverSide.on('end', () => resolve(data));
    });
    handle.end('through-the-passed-socket');
    assert.strictEqual(await viaHandle, 'through-the-passed-socket');
    server.close();
    child.kill();
    await events.once(child, 'close');
  });

  it('passes a bound dgram.Socket to the child', async () => {
    const dgram = require('node:dgram');
    const child = ours.fork(childScript, { stdio: 'ignore' });
    await nextMessage(child, 'ready');
    const receiver = dgram.createSocket('udp4');
    await new Promise((r) => receiver.bind(0, '127.0.0.1', r));
    const sender = dgram.createSocket('udp4');
    await new Promise((r) => sender.bind(0, '127.0.0.1', r));
    const senderPort = sender.address().port;
    const got = events.once(receiver, 'message');
    child.send({ cmd: 'dgram', port: receiver.address().port }, sender);
    const [reply] = await nextMessage(child, 'dgram-sent');
    assert.strictEqual(reply.type, 'Socket');
    const [data, rinfo] = await got;
    assert.strictEqual(String(data), 'from-child-dgram');
    assert.strictEqual(rinfo.port, senderPort, 'sent from the socket we passed');
    receiver.close();
    sender.close();
    child.kill();
    await events.once(child, 'close');
  });

  it('keepOpen leaves the parent\'s socket usable', async () => {
    const child = ours.fork(childScript, { stdio: 'ignore' });
    await nextMessage(child, 'ready');
    const server = net.createServer();
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const client = net.connect(server.address().port, '127.0.0.1');
    const [accepted] = await events.once(server, 'connection');
    child.send({ cmd: 'echo', value: 'with-socket' }, accepted, { keepOpen: true });
    await nextMessage(child, 'echo');
    assert.ok(!accepted.destroyed);
    const got = events.once(client, 'data');
    accepted.write('still-mine');
    assert.strictEqual(String((await got)[0]), 'still-mine');
    client.destroy();
    accepted.destroy();
    server.close();
    child.kill();
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

  it('options: modulePath as URL, args, cwd, env, execArgv, silent', async () => {
    const child = ours.fork(pathToFileURL(childScript), ['x', 'y'], {
      cwd: tmp, env: { ...process.env, IPC_TEST_ENV: 'set' }, execArgv: ['--no-warnings'], silent: true,
    });
    assert.ok(child.stdout && child.stderr && child.stdin, 'silent pipes stdio');
    const [ready] = await nextMessage(child, 'ready');
    assert.deepStrictEqual(
      { argv: ready.argv, cwd: ready.cwd, env: ready.env, execArgv: ready.execArgv },
      { argv: ['x', 'y'], cwd: fs.realpathSync(tmp), env: 'set', execArgv: ['--no-warnings'] });
    child.send({ cmd: 'exit', code: 0 });
    await events.once(child, 'close');
  });

  it('options: timeout and killSignal, an AbortSignal, as Node', async () => {
    const run = async (lib, opts) => {
      const child = lib.fork(childScript, { stdio: 'ignore', ...opts() });
      return lifecycle(child);
    };
    const timeout = () => ({ timeout: 300, killSignal: 'SIGINT' });
    assert.deepStrictEqual(await run(ours, timeout), await run(nodeCp, timeout));
    const aborted = () => ({ signal: AbortSignal.timeout(300) });
    const o = await run(ours, aborted);
    assert.deepStrictEqual(o, await run(nodeCp, aborted));
    assert.ok(o.some((e) => e[0] === 'error' && e[1] === 'ABORT_ERR'));
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
    const { runNode } = require('./helpers/run-node');
    const script = path.join(tmp, 'unref-channel.js');
    fs.writeFileSync(script, `
      const c = require(${JSON.stringify(path.resolve(__dirname, '../dist/integrations/child_process.js'))})
        .fork(${JSON.stringify(childScript)}, { stdio: 'ignore' });
      c.unref(); c.channel.unref();
      console.log(JSON.stringify({ pid: c.pid }));`);
    const t0 = Date.now();
    const r = await runNode(script, [], { timeout: 20000 });
    assert.strictEqual(r.code, 0);
    assert.ok(Date.now() - t0 < 5000);
    // The child saw the channel close when we exited, and leaves on its own (exitCode 42).
  });

  const invalid = {
    'modulePath of a wrong type': [5],
    'modulePath with a null byte': ['m\u0000'],
    'args of a wrong type': ['m', 5],
    'options of a wrong type': ['m', [], 5],
    'stdio without ipc': ['m', { stdio: ['pipe', 'pipe', 'pipe'] }],
    'stdio with two ipc': ['m', { stdio: ['ipc', 'ipc'] }],
    'execPath with a null byte': ['m', { execPath: 'n\u0000' }],
    'execArgv with a null byte': ['m', { execArgv: ['a\u0000'] }],
    'serialization unknown': ['m', { serialization: 'xml' }],
  };
  for (const [name, args] of Object.entries(invalid)) {
    it(`throws as Node for ${name}`, () => {
      const n = thrown(() => nodeCp.fork(...args));
      assert.ok(n);
      assert.deepStrictEqual(thrown(() => ours.fork(...args)), n);
    });
  }

  it('fork() under a hostile host: every exit arrives', async () => {
    const { runNode } = require('./helpers/run-node');
    const script = path.join(tmp, 'hostile-fork.js');
    fs.writeFileSync(script, `
      const hostile = require(${JSON.stringify(path.resolve(__dirname, 'hostile/build/Release/hostile.node'))});
      const cp = require(${JSON.stringify(path.resolve(__dirname, '../dist/integrations/child_process.js'))});
      hostile.startReaper();
      hostile.installSigchldHandler();
      const n = 20; let exits = 0, right = 0; const pids = [];
      for (let i = 0; i < n; i++) {
        const c = cp.fork(${JSON.stringify(childScript)}, { stdio: 'ignore' });
        pids.push(c.pid);
        c.on('message', (m) => { if (m.cmd === 'ready') c.send({ cmd: 'exit', code: i % 5 }); });
        c.on('exit', (code) => { exits++; if (code === i % 5) right++; if (exits === n) done(); });
      }
      const watchdog = setTimeout(done, 15000);
      function done() {
        clearTimeout(watchdog);
        const reaped = hostile.reapedPids().filter((p) => pids.includes(p)).length;
        console.log(JSON.stringify({ exits, right, reaped, sigchld: hostile.sigchldCount() }));
        process.exit(0);
      }`);
    const r = await runNode(script, [], { timeout: 30000 });
    assert.deepStrictEqual(r.json, { exits: 20, right: 20, reaped: 0, sigchld: 0 });
  });
});
