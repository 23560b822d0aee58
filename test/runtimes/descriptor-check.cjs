'use strict';
// Run by Bun and Deno (.ci/run), and by Node with PROCDESC_RUNTIME_CHILD=1 PROCDESC_EXIT_THREAD=1
// (test/runtimes.test.js): the descriptor API, open(pid) and procdesc/promises through the helper.
// mocha does not run under Bun and Deno, so this is a plain script: each check is an async
// function, a failed assertion names it; prints one JSON line, exits 1 if any check failed.
const assert = require('node:assert/strict');
const path = require('node:path');
const { AsyncLocalStorage } = require('node:async_hooks');

const root = path.resolve(__dirname, '..', '..');
const procdesc = require(path.join(root, 'dist', 'lib', 'index.js'));
const promises = require(path.join(root, 'dist', 'integrations', 'promises.js'));
const { spawn, open, capabilities } = procdesc;

const checks = {
  async capabilities() {
    const caps = capabilities();
    assert.equal(caps.descriptorPath, 'procdesc', caps.reason);
    assert.ok(caps.helperPid > 0);
    if (process.versions.bun || process.versions.deno) assert.equal(caps.path, 'node'); // the drop-in
  },
  async stdio() {
    const sub = spawn('sh', ['-c', 'read x; echo "got $x"; echo err >&2; exit 3']);
    assert.ok(sub.pid > 0 && sub.fd >= 0);
    sub.stdin.end('hello\n');
    let err = '';
    sub.stderr.on('data', (d) => { err += d; });
    const stderrClosed = new Promise((resolve) => sub.stderr.on('close', resolve));
    const lines = [];
    for await (const line of sub) lines.push(line);
    const exit = await sub.exited;
    await stderrClosed; // exited comes at the exit, stdio may still be draining
    assert.deepEqual(lines, ['got hello']);
    assert.equal(err, 'err\n');
    assert.equal(exit.code, 3);
    assert.equal(exit.signal, null);
    assert.equal(typeof exit.resourceUsage.maxRSS, 'number');
    assert.equal(sub.fd, -1, 'the pidfd is closed at exit');
  },
  async events() {
    const sub = spawn('sh', ['-c', 'echo x; exit 2'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const seen = [];
    sub.on('spawn', () => seen.push('spawn'));
    sub.on('exit', (code) => seen.push(`exit ${code}`));
    sub.stdout.resume();
    await new Promise((resolve) => sub.on('close', (code) => { seen.push(`close ${code}`); resolve(); }));
    assert.deepEqual(seen, ['spawn', 'exit 2', 'close 2']);
  },
  async asyncContext() {
    const als = new AsyncLocalStorage();
    const store = await als.run('mine', () => new Promise((resolve) => {
      spawn('true', [], { stdio: 'ignore' }).on('exit', () => resolve(als.getStore()));
    }));
    assert.equal(store, 'mine');
  },
  async kill() {
    const sub = spawn('sleep', ['30'], { stdio: 'ignore', killSignal: 'SIGINT' });
    assert.equal(sub.kill(0), true);
    assert.equal(sub.kill(), true);
    assert.equal((await sub.exited).signal, 'SIGINT');
    assert.equal(sub.kill('SIGKILL'), false, 'no signal after the exit');
  },
  async forceKill() {
    const sub = spawn('sh', ['-c', 'trap "" TERM; echo ready; sleep 30'], { forceKillAfterDelay: 100, stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((resolve) => sub.stdout.once('data', resolve));
    sub.kill();
    assert.equal((await sub.exited).signal, 'SIGKILL');
  },
  async killGroup() {
    const sub = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const grandchild = Number(await new Promise((resolve) => sub.stdout.once('data', resolve)));
    const watch = open(grandchild);
    assert.equal(sub.killGroup('SIGKILL'), true);
    await sub.exited;
    await watch.exited;
  },
  async timeoutAndSignal() {
    const timed = await spawn('sleep', ['30'], { stdio: 'ignore', timeout: 50 }).exited;
    assert.equal(timed.signal, 'SIGTERM');
    const ac = new AbortController();
    const sub = spawn('sleep', ['30'], { stdio: 'ignore', signal: ac.signal });
    const error = new Promise((resolve) => sub.on('error', resolve));
    ac.abort();
    assert.equal((await error).name, 'AbortError');
    assert.equal((await sub.exited).signal, 'SIGTERM');
  },
  async dispose() {
    const sub = spawn('sleep', ['30'], { stdio: 'ignore' });
    await sub[Symbol.asyncDispose]();
    assert.equal((await sub.exited).signal, 'SIGTERM');
  },
  async spawnErrors() {
    assert.throws(() => spawn('procdesc-no-such-command'), { code: 'ENOENT', syscall: 'spawn procdesc-no-such-command' });
    assert.throws(() => spawn(1), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => spawn('true', [], { killOnClose: 1 }), { code: 'ERR_INVALID_ARG_TYPE' });
  },
  async options() {
    const sub = spawn('echo "$X $0" && pwd', { shell: true, cwd: '/tmp', env: { X: 'env', PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'ignore'] });
    const lines = [];
    for await (const line of sub) lines.push(line);
    assert.deepEqual(lines, ['env /bin/sh', '/tmp']);
  },
  async openPid() {
    // The child waits for its stdin until open() has its pidfd: a child that may already be reaped
    // has no process left to open (ESRCH).
    const sub = spawn('sh', ['-c', 'read x; exit 5'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const other = open(sub.pid);
    sub.stdin.end('\n');
    await sub.exited;
    const exit = await other.exited;
    if (capabilities().exitInfoForNonParents) assert.equal(exit.code, 5);
  },
  async killOnClose() {
    // A host that spawns a child with killOnClose and exits: the child must die with it.
    const host = `const p = require(${JSON.stringify(path.join(root, 'dist', 'lib', 'index.js'))});
      const s = p.spawn('sleep', ['30'], { killOnClose: true, stdio: 'ignore' }); console.log(s.pid); process.exit(0);`;
    const args = process.versions.deno ? ['eval', host] : ['-e', host];
    const run = await promises.run(process.execPath, args, { env: process.env });
    // Gone already (ESRCH: killed and reaped before we looked), or gone once its pidfd says so.
    let watch;
    try {
      watch = open(Number(run.stdout));
    } catch (err) {
      if (err.code === 'ESRCH') return;
      throw err;
    }
    await watch.exited;
  },
  async pollution() {
    // A polluted Object.prototype reaches no child: only the options' own properties count (as Node).
    const polluted = { cwd: '/nonexistent-procdesc', argv0: 'polluted', shell: '/nonexistent-shell', timeout: 1 };
    Object.assign(Object.prototype, polluted);
    let sub;
    try {
      sub = spawn('sh', ['-c', 'echo "$0 $(pwd)"; sleep 0.2'], { stdio: ['ignore', 'pipe', 'ignore'] });
    } finally {
      for (const key of Object.keys(polluted)) delete Object.prototype[key];
    }
    let out = '';
    sub.stdout.on('data', (d) => { out += d; });
    const exit = await sub.exited;
    assert.deepEqual([out, exit.code, exit.signal], [`sh ${process.cwd()}\n`, 0, null]);
  },
  async run() {
    const result = await promises.run('sh', ['-c', 'cat; echo err >&2'], { input: 'in' });
    assert.equal(result.stdout, 'in');
    assert.equal(result.stderr, 'err\n');
    assert.equal(result.code, 0);
    await assert.rejects(promises.run('sh', ['-c', 'exit 4']), { name: 'RunError', code: 4 });
  },
  async execAndExecFile() {
    assert.deepEqual(await promises.exec('echo out; echo err >&2'), { stdout: 'out\n', stderr: 'err\n' });
    const promise = promises.execFile('sh', ['-c', 'echo "$0 $1"', 'a', 'b']);
    assert.ok(promise.child.pid > 0);
    assert.deepEqual(await promise, { stdout: 'a b\n', stderr: '' });
    await assert.rejects(promises.execFile('sh', ['-c', 'exit 5']), { code: 5, killed: false, signal: null, cmd: 'sh -c exit 5' });
    await assert.rejects(promises.execFile('sleep', ['5'], { timeout: 50 }), { code: null, killed: true, signal: 'SIGTERM' });
    await assert.rejects(promises.execFile('procdesc-no-such-command'), { code: 'ENOENT', stdout: '', stderr: '' });
  },
};

(async () => {
  const failed = {};
  const only = process.argv[2]; // one check by name, when given
  for (const [name, check] of Object.entries(checks)) {
    if (only && name !== only) continue;
    if (process.env.CHECK_TRACE) process.stderr.write(`check ${name}\n`);
    try {
      await check();
    } catch (err) {
      failed[name] = String(err && err.message || err).split('\n').slice(0, 6).join(' | ');
    }
  }
  const runtime = process.versions.bun ? `bun ${process.versions.bun}` : process.versions.deno ? `deno ${process.versions.deno}` : `node ${process.version}`;
  const ok = Object.keys(failed).length === 0;
  console.log(JSON.stringify({ ok, runtime, checks: Object.keys(checks).length, failed }));
  process.exit(ok ? 0 : 1);
})();
