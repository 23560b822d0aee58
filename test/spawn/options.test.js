'use strict';
// spawn() against node:child_process: each option (cwd, env, argv0, shell, detached, uid/gid,
// timeout, signal, ...) does what it does under Node.
const assert = require('node:assert');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');

const { observe, thrown } = require('../helpers/observe');
const { nodeCp, ours, tmp, both } = require('./common');

describe('spawn: options', () => {
  it('cwd as a string and as a file URL', async () => {
    const a = await observe(ours.spawn('pwd', { cwd: tmp }));
    const b = await observe(ours.spawn('pwd', { cwd: pathToFileURL(tmp) }));
    assert.strictEqual(a.stdout.trim(), fs.realpathSync(tmp));
    assert.strictEqual(b.stdout.trim(), fs.realpathSync(tmp));
  });

  it('args with holes (new Array(2)) reach the child as "undefined", as under Node (async and sync)', async () => {
    const sparse = () => { const a = new Array(3); a[1] = 'mid'; return a; };
    const a = await observe(ours.spawn('echo', sparse()));
    const b = await observe(nodeCp.spawn('echo', sparse()));
    assert.strictEqual(a.stdout, 'undefined mid undefined\n');
    assert.strictEqual(a.stdout, b.stdout);
    assert.strictEqual(String(ours.spawnSync('echo', sparse()).stdout), String(nodeCp.spawnSync('echo', sparse()).stdout));
  });

  it('without cwd the child starts in the host\'s current directory, even after chdir', async () => {
    const before = process.cwd();
    process.chdir(tmp);
    try {
      const o = await observe(ours.spawn('pwd'));
      assert.strictEqual(o.stdout.trim(), fs.realpathSync(tmp));
    } finally {
      process.chdir(before);
    }
  });

  it('env: the given pairs only, undefined values skipped, PATH of env used', async () => {
    const env = { ONLY: 'this', SKIPPED: undefined, PATH: '/usr/bin:/bin' };
    const [n, o] = await both((lib) => observe(lib.spawn('env', { env })));
    assert.strictEqual(o.stdout, n.stdout);
    assert.deepStrictEqual(o.stdout.trim().split('\n').sort(), ['ONLY=this', 'PATH=/usr/bin:/bin']);
  });

  it('env without PATH searches /usr/bin:/bin, as Node', async () => {
    const [n, o] = await both((lib) => observe(lib.spawn('true', { env: {} })));
    assert.deepStrictEqual(o.events, n.events);
  });

  it('argv0 is what the child sees as argv[0]', async () => {
    const [n, o] = await both((lib) => observe(lib.spawn('bash', ['-c', 'echo $0'], { argv0: 'custom-name' })));
    assert.strictEqual(o.stdout, 'custom-name\n');
    assert.strictEqual(o.stdout, n.stdout);
  });

  it('shell: true and a shell path', async () => {
    const [n, o] = await both((lib) => observe(lib.spawn('echo', ['$((1+2))', '|', 'tr', '3', 'x'], { shell: true })));
    assert.strictEqual(o.stdout, 'x\n');
    assert.strictEqual(o.stdout, n.stdout);
    const b = await observe(ours.spawn('echo $0', { shell: '/bin/bash' }));
    assert.strictEqual(b.stdout, '/bin/bash\n');
  });

  it('detached puts the child in a new session', async () => {
    const child = ours.spawn('sh', ['-c', 'cat /proc/$$/stat'], { detached: true });
    const o = await observe(child);
    // pid (comm) state ppid pgrp session
    const fields = o.stdout.slice(o.stdout.lastIndexOf(')') + 2).split(' ');
    assert.strictEqual(Number(fields[2]), child.pid, 'process group');
    assert.strictEqual(Number(fields[3]), child.pid, 'session');
  });

  it('a child that is not detached stays in the host\'s process group', async () => {
    const o = await observe(ours.spawn('sh', ['-c', 'ps -o pgid= -p $$']));
    const hostPgid = Number(nodeCp.execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)]).toString());
    assert.strictEqual(Number(o.stdout), hostPgid);
  });

  it('uid and gid (as root) drop identity and supplementary groups', async function () {
    if (process.getuid() !== 0) this.skip();
    const o = await observe(ours.spawn('sh', ['-c', 'id -u; id -g; id -G'], { uid: 65534, gid: 65534 }));
    assert.deepStrictEqual(o.stdout.trim().split('\n'), ['65534', '65534', '65534']);
  });

  it('uid that cannot be taken (not root) throws EPERM, as Node', async function () {
    if (process.getuid() === 0) this.skip();
    const n = thrown(() => nodeCp.spawn('true', { uid: 0 }));
    const o = thrown(() => ours.spawn('true', { uid: 0 }));
    assert.deepStrictEqual(o, n);
  });

  it('timeout kills with killSignal', async () => {
    const [n, o] = await both((lib) => observe(lib.spawn('sleep', ['10'], { timeout: 50, killSignal: 'SIGINT' })));
    assert.deepStrictEqual(o.events, n.events);
    assert.strictEqual(o.signalCode, 'SIGINT');
    assert.strictEqual(o.killed, true);
  });

  it('an AbortSignal aborts with AbortError, as Node', async () => {
    const [n, o] = await both((lib) => {
      const ac = new AbortController();
      const child = lib.spawn('sleep', ['10'], { signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      return observe(child);
    });
    assert.deepStrictEqual(o.events, n.events);
    assert.deepStrictEqual(o.events.find((e) => e[0] === 'error')[1].name, 'AbortError');
  });

  it('an already aborted signal kills right after spawn', async () => {
    const [n, o] = await both((lib) => observe(lib.spawn('sleep', ['10'], { signal: AbortSignal.abort() })));
    assert.deepStrictEqual(o.events, n.events);
  });

  it('windowsHide, windowsVerbatimArguments and serialization are accepted', async () => {
    const o = await observe(ours.spawn('true', { windowsHide: true, windowsVerbatimArguments: true, serialization: 'advanced' }));
    assert.deepStrictEqual(o.events, ['spawn', ['exit', 0, null], ['close', 0, null]]);
  });
});
