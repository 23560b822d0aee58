'use strict';
// spawn() and ChildProcess against node:child_process: the same inputs through both, the same
// events, results and errors expected.
const assert = require('node:assert');
const events = require('node:events');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { AsyncLocalStorage } = require('node:async_hooks');
const { pathToFileURL } = require('node:url');
const nodeCp = require('node:child_process');

const ours = require('../dist/integrations/child_process.js');
const { capabilities } = require('../dist/lib/index.js');
const { observe, thrown } = require('./helpers/observe');

const libs = { node: nodeCp, procdesc: ours };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-spawn-'));

/** Runs scenario(lib) for both libraries and returns [nodeResult, oursResult]. */
async function both(scenario) {
  return [await scenario(nodeCp), await scenario(ours)];
}

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

describe('spawn: errors', () => {
  it('ENOENT is an asynchronous error with Node\'s shape, then close(-2)', async () => {
    const [n, o] = await both((lib) => observe(lib.spawn('procdesc-no-such-command', ['x', 'y'])));
    assert.deepStrictEqual(o.events, n.events);
    assert.deepStrictEqual(o.events[0][1], {
      name: 'Error', message: 'spawn procdesc-no-such-command ENOENT', code: 'ENOENT', errno: -2,
      syscall: 'spawn procdesc-no-such-command', path: 'procdesc-no-such-command', spawnargs: ['x', 'y'],
    });
    assert.strictEqual(o.pid, undefined);
  });

  it('EACCES for a file that is not executable', async () => {
    const file = path.join(tmp, 'not-executable');
    fs.writeFileSync(file, 'echo no\n', { mode: 0o644 });
    const [n, o] = await both((lib) => observe(lib.spawn(file)));
    assert.deepStrictEqual(o.events, n.events);
    assert.strictEqual(o.events[0][1].code, 'EACCES');
  });

  it('a cwd that does not exist is ENOENT, as Node', async () => {
    const [n, o] = await both((lib) => observe(lib.spawn('true', { cwd: path.join(tmp, 'nope') })));
    assert.deepStrictEqual(o.events, n.events);
  });

  it('a script without #! runs through /bin/sh, as Node', async () => {
    const file = path.join(tmp, 'no-shebang');
    fs.writeFileSync(file, 'echo ran "$1"\n', { mode: 0o755 });
    const [n, o] = await both((lib) => observe(lib.spawn(file, ['arg1'])));
    assert.deepStrictEqual(o, { ...n, pid: o.pid });
    assert.strictEqual(o.stdout, 'ran arg1\n');
  });

  it('argv over ARG_MAX throws E2BIG synchronously, as Node', () => {
    const huge = 'x'.repeat(3 * 1024 * 1024);
    const n = thrown(() => nodeCp.spawn('true', [huge]));
    const o = thrown(() => ours.spawn('true', [huge]));
    assert.deepStrictEqual(o, n);
    assert.strictEqual(o.code, 'E2BIG');
  });

  it('argv + env larger than one socket message still spawn', async () => {
    // Each string stays under MAX_ARG_STRLEN (128 KiB); together they are 1.5 MiB.
    const piece = 'y'.repeat(100 * 1024);
    const args = Array.from({ length: 8 }, () => piece);
    const env = { ...process.env };
    for (let i = 0; i < 7; i++) env[`BIG${i}`] = piece;
    const o = await observe(ours.spawn('sh', ['-c', 'echo "$#"; printf %s "$BIG6$8" | wc -c', 'sh', ...args], { env }));
    assert.deepStrictEqual(o.stdout.split('\n').map((s) => s.trim()), ['8', String(2 * piece.length), '']);
  });

  it('a closed fd in stdio throws EBADF, as Node', () => {
    const n = thrown(() => nodeCp.spawn('true', { stdio: ['ignore', 987, 'ignore'] }));
    const o = thrown(() => ours.spawn('true', { stdio: ['ignore', 987, 'ignore'] }));
    assert.deepStrictEqual(o, n);
  });

  const invalid = {
    'file not a string': [123],
    'empty file': [''],
    'null byte in file': ['a\u0000b'],
    'null byte in args': ['echo', ['a\u0000']],
    'args not an object': ['echo', 5],
    'options not an object': ['echo', [], 'str'],
    'cwd of a wrong type': ['echo', { cwd: 5 }],
    'cwd with a null byte': ['echo', { cwd: 'a\u0000' }],
    'cwd as a non-file URL': ['echo', { cwd: new URL('http://example.com/') }],
    'detached not a boolean': ['echo', { detached: 'yes' }],
    'uid not an int32': ['echo', { uid: 1.5 }],
    'gid not an int32': ['echo', { gid: '0' }],
    'shell of a wrong type': ['echo', { shell: 5 }],
    'argv0 not a string': ['echo', { argv0: 5 }],
    'windowsHide not a boolean': ['echo', { windowsHide: 1 }],
    'windowsVerbatimArguments not a boolean': ['echo', { windowsVerbatimArguments: 1 }],
    'null byte in env': ['echo', { env: { A: 'x\u0000' } }],
    'negative timeout': ['echo', { timeout: -1 }],
    'fractional timeout': ['echo', { timeout: 1.5 }],
    'signal not an AbortSignal': ['echo', { signal: {} }],
    'unknown killSignal': ['echo', { killSignal: 'SIGNOPE' }],
    'killSignal of a wrong type': ['echo', { killSignal: {} }],
    'stdio string unknown': ['echo', { stdio: 'bogus' }],
    'stdio of a wrong type': ['echo', { stdio: 5 }],
    'stdio entry unknown': ['echo', { stdio: ['pipe', {}, 'pipe'] }],
    'stdio entry a string': ['echo', { stdio: ['bogus'] }],
    'stdio entry a Buffer': ['echo', { stdio: [Buffer.from('x')] }],
    'serialization unknown': ['echo', { serialization: 'xml' }],
  };
  for (const [name, args] of Object.entries(invalid)) {
    it(`throws as Node for: ${name}`, () => {
      const n = thrown(() => nodeCp.spawn(...args));
      const o = thrown(() => ours.spawn(...args));
      assert.ok(n, 'node:child_process threw');
      assert.deepStrictEqual(o, n);
    });
  }

  it("an unhandled 'error' throws, as in Node", async () => {
    const { runNode } = require('./helpers/run-node');
    const script = path.join(tmp, 'unhandled.js');
    fs.writeFileSync(script, `require(${JSON.stringify(path.resolve(__dirname, '../dist/integrations/child_process.js'))}).spawn('procdesc-no-such-command');`);
    const r = await runNode(script, [], { timeout: 20000 });
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /Error: spawn procdesc-no-such-command ENOENT/);
    assert.match(r.stderr, /Emitted 'error' event on ChildProcess instance/);
  });
});

describe('spawn: options', () => {
  it('cwd as a string and as a file URL', async () => {
    const a = await observe(ours.spawn('pwd', { cwd: tmp }));
    const b = await observe(ours.spawn('pwd', { cwd: pathToFileURL(tmp) }));
    assert.strictEqual(a.stdout.trim(), fs.realpathSync(tmp));
    assert.strictEqual(b.stdout.trim(), fs.realpathSync(tmp));
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
    const { runNode } = require('./helpers/run-node');
    const lib = JSON.stringify(path.resolve(__dirname, '../dist/integrations/child_process.js'));
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

describe('spawn: invariants', () => {
  function procState() {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const field = (k) => status.match(new RegExp(`^${k}:\\s*(\\S+)`, 'm'))[1];
    return { SigCgt: field('SigCgt'), SigIgn: field('SigIgn'), SigBlk: field('SigBlk'), Umask: field('Umask'), cwd: process.cwd() };
  }

  it('the host is never the parent: children\'s parent is the helper, the helper\'s is not the host', async () => {
    const child = ours.spawn('sleep', ['10']);
    const ppid = (pid) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    const helper = capabilities().helperPid;
    assert.strictEqual(ppid(child.pid), helper);
    assert.notStrictEqual(ppid(helper), process.pid);
    child.kill('SIGKILL');
    await observe(child);
  });

  it('process-wide state is the same before, while children run, and after', async () => {
    const before = procState();
    const children = Array.from({ length: 20 }, () => ours.spawn('sleep', ['0.2']));
    const during = procState();
    await Promise.all(children.map((c) => observe(c)));
    const after = procState();
    assert.deepStrictEqual(during, before);
    assert.deepStrictEqual(after, before);
  });

  it('children start with the signal dispositions and mask Node gives them', async () => {
    const onUsr2 = () => {};
    process.on('SIGUSR2', onUsr2); // a handled signal in the host must not be ignored in the child
    try {
      const [n, o] = await both((lib) => observe(lib.spawn('grep', ['-E', '^Sig(Ign|Cgt|Blk)', '/proc/self/status'])));
      assert.strictEqual(o.stdout, n.stdout);
      assert.match(o.stdout, /SigIgn:\s+0+\n/);
    } finally {
      process.off('SIGUSR2', onUsr2);
    }
  });

  it('the umask of the host at spawn time reaches the child', async () => {
    const old = process.umask(0o027);
    try {
      const o = await observe(ours.spawn('sh', ['-c', 'umask']));
      assert.strictEqual(o.stdout.trim(), '0027');
    } finally {
      process.umask(old);
    }
  });

  it('no fd is left behind by many spawns', async () => {
    const count = () => fs.readdirSync('/proc/self/fd').length;
    await observe(ours.spawn('true')); // the helper is up
    const before = count();
    for (let i = 0; i < 50; i++) await observe(ours.spawn('echo', [String(i)]));
    assert.strictEqual(count(), before);
  });

  it('works in worker threads, each with its own helper', async () => {
    const { Worker } = require('node:worker_threads');
    const lib = path.resolve(__dirname, '../dist/integrations/child_process.js');
    const code = `
      const { parentPort } = require('node:worker_threads');
      const cp = require(${JSON.stringify(lib)});
      const c = cp.spawn('sh', ['-c', 'echo from-worker; exit 4']);
      let out = '';
      c.stdout.on('data', (d) => out += d);
      c.on('close', (code) => parentPort.postMessage({ code, out, helper: require(${JSON.stringify(path.resolve(__dirname, '../dist/lib/index.js'))}).capabilities().helperPid }));`;
    const results = await Promise.all([1, 2].map(() => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (m) => { resolve(m); w.terminate(); });
      w.once('error', reject);
    })));
    for (const r of results) assert.deepStrictEqual({ code: r.code, out: r.out }, { code: 4, out: 'from-worker\n' });
    assert.notStrictEqual(results[0].helper, results[1].helper);
    assert.notStrictEqual(results[0].helper, capabilities().helperPid);
  });

  it('PROCDESC_FORCE_FALLBACK hands over to node:child_process and says so', async () => {
    const { runNode } = require('./helpers/run-node');
    const script = path.join(tmp, 'fallback.js');
    fs.writeFileSync(script, `
      const cp = require(${JSON.stringify(path.resolve(__dirname, '../dist/integrations/child_process.js'))});
      const { capabilities } = require(${JSON.stringify(path.resolve(__dirname, '../dist/lib/index.js'))});
      const c = cp.spawn('sh', ['-c', 'exit 5']);
      c.on('close', (code) => console.log(JSON.stringify({ code, caps: capabilities(), isNode: c instanceof require('child_process').ChildProcess })));`);
    const r = await runNode(script, [], { env: { PROCDESC_FORCE_FALLBACK: '1' }, timeout: 20000 });
    assert.deepStrictEqual({ code: r.json.code, path: r.json.caps.path, isNode: r.json.isNode }, { code: 5, path: 'node', isNode: true });
    assert.match(r.json.caps.reason, /PROCDESC_FORCE_FALLBACK/);
  });
});
