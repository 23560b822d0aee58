'use strict';
// spawn() stdio: every form Node accepts ('ignore', 'inherit', fds, streams, sockets, extra fds)
// gives the child the fds Node would.
const assert = require('node:assert');
const events = require('node:events');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const { observe } = require('../helpers/observe');
const { ours, tmp } = require('./common');

describe('spawn: stdio forms', () => {
  it("'ignore' gives /dev/null on 0-2", async () => {
    const out = path.join(tmp, 'ignore.txt');
    const fd = fs.openSync(out, 'w');
    // Expanded before the redirection, in a subshell, so /proc/$$ shows the shell's own fds.
    const script = 'echo "$(readlink /proc/$$/fd/0) $(readlink /proc/$$/fd/1) $(readlink /proc/$$/fd/2)" >&3';
    const o = await observe(ours.spawn('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'ignore', fd] }));
    fs.closeSync(fd);
    assert.deepStrictEqual(o.events, ['spawn', ['exit', 0, null], ['close', 0, null]]);
    assert.strictEqual(fs.readFileSync(out, 'utf8'), '/dev/null /dev/null /dev/null\n');
  });

  it("'inherit' and integers hand over the host's fds", async () => {
    const out = path.join(tmp, 'inherit.txt');
    const fd = fs.openSync(out, 'w');
    const child = ours.spawn('sh', ['-c', 'echo to-fd-1; echo to-fd-2 >&2'], { stdio: ['inherit', fd, fd] });
    assert.strictEqual(child.stdout, null);
    assert.deepStrictEqual(child.stdio, [null, null, null]);
    await observe(child);
    fs.closeSync(fd);
    assert.strictEqual(fs.readFileSync(out, 'utf8'), 'to-fd-1\nto-fd-2\n');
  });

  it('a stream with an fd, and a net.Socket', async () => {
    const out = path.join(tmp, 'stream.txt');
    const ws = fs.createWriteStream(out);
    await events.once(ws, 'open');
    await observe(ours.spawn('echo', ['via-stream'], { stdio: ['ignore', ws, 'inherit'] }));
    ws.end();
    await events.once(ws, 'close');
    assert.strictEqual(fs.readFileSync(out, 'utf8'), 'via-stream\n');

    const server = net.createServer();
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const received = new Promise((resolve) => server.on('connection', (s) => {
      const chunks = [];
      s.on('data', (d) => chunks.push(d));
      s.on('end', () => resolve(Buffer.concat(chunks).toString()));
    }));
    const sock = net.connect(server.address().port, '127.0.0.1');
    await events.once(sock, 'connect');
    await observe(ours.spawn('echo', ['via-socket'], { stdio: ['ignore', sock, 'inherit'] }));
    sock.end();
    assert.strictEqual(await received, 'via-socket\n');
    server.close();
  });

  it("extra fds: 'pipe' at fd 3, 'ignore' leaves it closed", async () => {
    const child = ours.spawn('sh', ['-c', 'echo on-three >&3; ls /proc/self/fd/4 2>/dev/null || echo no-four'],
      { stdio: ['ignore', 'pipe', 'ignore', 'pipe', 'ignore'] });
    assert.strictEqual(child.stdio.length, 5);
    assert.strictEqual(child.stdio[4], null);
    const chunks = [];
    child.stdio[3].on('data', (d) => chunks.push(d));
    const o = await observe(child);
    assert.strictEqual(Buffer.concat(chunks).toString(), 'on-three\n');
    assert.strictEqual(o.stdout, 'no-four\n');
  });

  it("'overlapped', negative numbers, null and undefined mean 'pipe' on 0-2", async () => {
    const child = ours.spawn('cat', { stdio: ['overlapped', -1, null] });
    assert.ok(child.stdin && child.stdout && child.stderr);
    child.stdin.end('round trip');
    const o = await observe(child);
    assert.strictEqual(o.stdout, 'round trip');
  });

  it('swapped stdout and stderr are not merged', async () => {
    const a = path.join(tmp, 'a.txt'), b = path.join(tmp, 'b.txt');
    const fa = fs.openSync(a, 'w'), fb = fs.openSync(b, 'w');
    await observe(ours.spawn('sh', ['-c', 'echo one; echo two >&2'], { stdio: ['ignore', fb, fa] }));
    fs.closeSync(fa); fs.closeSync(fb);
    assert.strictEqual(fs.readFileSync(b, 'utf8'), 'one\n');
    assert.strictEqual(fs.readFileSync(a, 'utf8'), 'two\n');
  });

  it('children inherit no fd but their stdio', async () => {
    const o = await observe(ours.spawn('sh', ['-c', 'ls /proc/$$/fd']));
    assert.deepStrictEqual(o.stdout.trim().split('\n').sort(), ['0', '1', '2']);
  });
});
