'use strict';
// fork(): handles passed over the IPC channel (net.Server, net.Socket, dgram.Socket, keepOpen).
// The parent side is procdesc's (the helper makes the child) with Node's own channel code, so it
// must behave as node:child_process does.
const assert = require('node:assert');
const events = require('node:events');
const net = require('node:net');

const ours = require('../../dist/integrations/child_process.js');
const { capabilities } = require('../../dist/lib/index.js');
const { childScript, nextMessage } = require('./common');

describe('fork', function () {
  this.timeout(30000);
  before(() => assert.strictEqual(capabilities().path, 'procdesc'));

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
});
