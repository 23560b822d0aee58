'use strict';
// exec, execFile and the synchronous family against node:child_process: same inputs, same results
// and errors (pids and timing-dependent chunking aside).
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const nodeCp = require('node:child_process');

const ours = require('../dist/integrations/child_process.js');
const { capabilities } = require('../dist/lib/index.js');
const { errorShape, thrown } = require('./helpers/observe');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-exec-'));

/** An error's shape with the keys Node puts on exec/sync errors (pid masked). */
function fullShape(err) {
  if (!err) return err;
  const shape = errorShape(err);
  shape.keys = Object.keys(err);
  for (const k of ['killed', 'signal', 'cmd', 'status', 'stdout', 'stderr', 'output']) {
    if (k in err) shape[k] = err[k];
  }
  if ('pid' in err) shape.pid = err.pid > 0 ? 'pid' : err.pid;
  return shape;
}

function maskResult(r) {
  return { ...r, pid: r.pid > 0 ? 'pid' : r.pid, error: fullShape(r.error) };
}

function callback(lib, fn, ...args) {
  return new Promise((resolve) => {
    lib[fn](...args, (err, stdout, stderr) => resolve({ err: fullShape(err), stdout, stderr }));
  });
}

async function bothCallback(fn, ...args) {
  return [await callback(nodeCp, fn, ...args), await callback(ours, fn, ...args)];
}

describe('exec and execFile', () => {
  before(() => assert.strictEqual(capabilities().path, 'procdesc'));

  const cases = {
    'success with strings': ['execFile', 'sh', ['-c', 'echo out; echo err >&2']],
    'a failing command': ['execFile', 'sh', ['-c', 'echo o; echo e >&2; exit 4']],
    'encoding buffer': ['execFile', 'sh', ['-c', 'printf abc'], { encoding: 'buffer' }],
    'encoding hex': ['execFile', 'sh', ['-c', 'printf abc'], { encoding: 'hex' }],
    'encoding latin1': ['execFile', 'sh', ['-c', 'printf "\\303\\251"'], { encoding: 'latin1' }],
    'an unknown encoding means Buffers': ['execFile', 'sh', ['-c', 'printf abc'], { encoding: 'nope' }],
    'ENOENT': ['execFile', 'procdesc-no-such-command', ['a']],
    'exec through the shell': ['exec', 'echo $((6*7)) && echo err >&2'],
    'exec with a shell path': ['exec', 'echo $0', { shell: '/bin/bash' }],
    'exec of a missing command': ['exec', 'procdesc-no-such-command'],
    'cwd and env': ['exec', 'pwd; echo $FOO', { cwd: '/', env: { FOO: 'bar', PATH: process.env.PATH } }],
    'maxBuffer on stdout, truncated': ['execFile', 'sh', ['-c', 'printf 0123456789; sleep 5'], { maxBuffer: 4 }],
    'maxBuffer on stderr': ['execFile', 'sh', ['-c', 'printf 0123456789 >&2; sleep 5'], { maxBuffer: 4 }],
    'timeout with killSignal': ['execFile', 'sleep', ['5'], { timeout: 50, killSignal: 'SIGINT' }],
    'a signal death': ['exec', 'kill -USR2 $$'],
  };
  for (const [name, [fn, ...args]] of Object.entries(cases)) {
    it(`${fn}: ${name}, as Node`, async () => {
      const [n, o] = await bothCallback(fn, ...args);
      assert.deepStrictEqual(o, n);
    });
  }

  it('an AbortSignal rejects with AbortError, as Node', async () => {
    const run = (lib) => {
      const ac = new AbortController();
      const p = callback(lib, 'execFile', 'sleep', ['5'], { signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      return p;
    };
    const n = await run(nodeCp);
    const o = await run(ours);
    assert.deepStrictEqual(o, n);
    assert.strictEqual(o.err.name, 'AbortError');
  });

  it('util.promisify resolves { stdout, stderr } with .child and rejects with the same error', async () => {
    const run = async (lib) => {
      const p = util.promisify(lib.execFile)('sh', ['-c', 'echo ok']);
      const isChild = p.child instanceof lib.ChildProcess;
      const value = await p;
      const err = await util.promisify(lib.exec)('echo bad >&2; exit 3').catch(fullShape);
      return { isChild, value, err };
    };
    const n = await run(nodeCp);
    const o = await run(ours);
    assert.deepStrictEqual(o, n);
    assert.strictEqual(o.isChild, true);
  });

  it('returns a ChildProcess whose pipes are live', async () => {
    const child = ours.execFile('cat', (err, stdout) => child.emit('done', err, stdout));
    child.stdin.end('typed in');
    const [err, stdout] = await new Promise((r) => child.on('done', (...a) => r(a)));
    assert.strictEqual(err, null);
    assert.strictEqual(stdout, 'typed in');
  });

  const invalid = {
    'exec: command not a string': ['exec', 5],
    'exec: null byte': ['exec', 'a\u0000'],
    'execFile: callback not a function': ['execFile', 'ls', [], {}, 'notfn'],
    'execFile: options not an object': ['execFile', 'ls', [], 5],
    'execFile: negative maxBuffer': ['execFile', 'ls', { maxBuffer: -1 }],
    'execFile: bad killSignal': ['execFile', 'ls', { killSignal: 'NOPE' }],
    'execFile: negative timeout': ['execFile', 'ls', { timeout: -1 }],
    'execFile: argv0 with a null byte': ['execFile', 'ls', { argv0: 'a\u0000' }],
  };
  for (const [name, [fn, ...args]] of Object.entries(invalid)) {
    it(`throws as Node for ${name}`, () => {
      const n = thrown(() => nodeCp[fn](...args));
      assert.ok(n);
      assert.deepStrictEqual(thrown(() => ours[fn](...args)), n);
    });
  }
});

describe('spawnSync, execSync, execFileSync', () => {
  const syncCases = {
    'output and status': ['sh', ['-c', 'echo out; echo err >&2; exit 3']],
    'ENOENT': ['procdesc-no-such-command', ['a']],
    'a cwd that does not exist': ['true', { cwd: '/procdesc/nope' }],
    // 1 s: the child prints before it on a loaded machine too (the timer starts before the spawn, in Node as here).
    'timeout kills with killSignal and reports ETIMEDOUT': ['sh', ['-c', 'echo before; exec sleep 5'], { timeout: 1000, killSignal: 'SIGINT' }],
    'a signal death': ['sh', ['-c', 'kill -KILL $$']],
    'input as a string, encoding utf8': ['cat', { input: 'hello', encoding: 'utf8' }],
    'input as a Uint8Array': ['cat', { input: new Uint8Array([104, 105]) }],
    'input as a DataView': ['cat', { input: new DataView(Buffer.from('dv').buffer, 0, 2) }],
    'inherit and ignore entries give null outputs': ['true', { stdio: ['inherit', 'pipe', 'ignore'] }],
    'an extra pipe at fd 3': ['sh', ['-c', 'echo three >&3'], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] }],
    'a shell': ['echo $((2+3))', { shell: true, encoding: 'utf8' }],
    'env': ['env', { env: { ONLY: 'me' }, encoding: 'latin1' }],
    'exit code with stdio ignore': ['sh', ['-c', 'exit 7'], { stdio: 'ignore' }],
  };
  for (const [name, args] of Object.entries(syncCases)) {
    it(`spawnSync: ${name}, as Node`, () => {
      const n = maskResult(nodeCp.spawnSync(...args));
      const o = maskResult(ours.spawnSync(...args));
      assert.deepStrictEqual(o, n);
      assert.deepStrictEqual(Object.keys(o), Object.keys(n));
    });
  }

  it('spawnSync: maxBuffer kills the child and reports ENOBUFS, as Node', () => {
    const run = (lib) => lib.spawnSync('sh', ['-c', 'head -c 100000 /dev/zero; sleep 5'], { maxBuffer: 1000 });
    const n = run(nodeCp);
    const o = run(ours);
    // How much arrives in the chunk that crossed the limit is up to the kernel's timing.
    for (const r of [n, o]) {
      assert.ok(r.stdout.length > 1000 && r.stdout.length <= 65536, String(r.stdout.length));
      r.output[1] = r.stdout = 'chunk';
    }
    assert.deepStrictEqual(maskResult(o), maskResult(n));
    assert.strictEqual(o.error.code, 'ENOBUFS');
  });

  it('spawnSync: a large input and output pass through', () => {
    const input = Buffer.alloc(3 * 1024 * 1024, 'z');
    const o = ours.spawnSync('cat', { input, maxBuffer: Infinity });
    assert.strictEqual(o.status, 0);
    assert.ok(o.stdout.equals(input));
  });

  it('spawnSync: argv over ARG_MAX gives E2BIG in result.error, as Node', () => {
    const huge = 'x'.repeat(3 * 1024 * 1024);
    const n = maskResult(nodeCp.spawnSync('true', [huge]));
    const o = maskResult(ours.spawnSync('true', [huge]));
    assert.deepStrictEqual(o, n);
  });

  it('spawnSync: blocks the thread (no timer runs) and the child is the helper\'s', () => {
    let fired = false;
    const t = setTimeout(() => { fired = true; }, 1);
    const r = ours.spawnSync('sh', ['-c', 'sleep 0.1; cat /proc/$$/stat'], { encoding: 'utf8' });
    clearTimeout(t);
    assert.strictEqual(fired, false);
    const ppid = Number(r.stdout.slice(r.stdout.lastIndexOf(')') + 2).split(' ')[1]);
    assert.strictEqual(ppid, capabilities().helperPid);
  });

  const execSyncCases = {
    'success': ['echo hi', { encoding: 'utf8' }],
    'failure with stdio pipe': ['echo bad >&2; exit 2', { stdio: 'pipe' }],
    'failure with stdout only': ['exit 9', { stdio: ['ignore', 'pipe', 'ignore'] }],
    'timeout': ['exec sleep 5', { timeout: 50, stdio: 'pipe' }],
    'input': ['cat', { input: 'fed', encoding: 'utf8' }],
  };
  for (const [name, args] of Object.entries(execSyncCases)) {
    it(`execSync: ${name}, as Node`, () => {
      const run = (lib) => { try { return { value: lib.execSync(...args) }; } catch (e) { return { err: fullShape(e) }; } };
      assert.deepStrictEqual(run(ours), run(nodeCp));
    });
  }

  const execFileSyncCases = {
    'success': ['echo', ['a', 'b']],
    'ENOENT': ['procdesc-no-such-command', ['q']],
    'failure with argv0': ['sh', ['-c', 'exit 5'], { argv0: 'myname', stdio: 'pipe' }],
    'encoding': ['printf', ['%s', 'x'], { encoding: 'base64' }],
  };
  for (const [name, args] of Object.entries(execFileSyncCases)) {
    it(`execFileSync: ${name}, as Node`, () => {
      const run = (lib) => { try { return { value: lib.execFileSync(...args) }; } catch (e) { return { err: fullShape(e) }; } };
      assert.deepStrictEqual(run(ours), run(nodeCp));
    });
  }

  it('execSync copies the child\'s stderr to the parent\'s unless stdio is given', async () => {
    const { runNode } = require('./helpers/run-node');
    const script = path.join(tmp, 'stderr-copy.js');
    fs.writeFileSync(script, `
      const cp = require(${JSON.stringify(path.resolve(__dirname, '../dist/integrations/child_process.js'))});
      cp.execSync('echo copied >&2');
      cp.execSync('echo not-copied >&2', { stdio: 'pipe' });
      try { cp.execFileSync('sh', ['-c', 'echo failed-copied >&2; exit 1']); } catch {}`);
    const r = await runNode(script, [], { timeout: 20000 });
    assert.strictEqual(r.code, 0);
    assert.strictEqual(r.stderr, 'copied\nfailed-copied\n');
  });

  it('works in a worker thread', async () => {
    const { Worker } = require('node:worker_threads');
    const lib = path.resolve(__dirname, '../dist/integrations/child_process.js');
    const w = new Worker(`
      const cp = require(${JSON.stringify(lib)});
      require('node:worker_threads').parentPort.postMessage(cp.execSync('echo in-worker', { encoding: 'utf8' }));`, { eval: true });
    const [msg] = await require('node:events').once(w, 'message');
    assert.strictEqual(msg, 'in-worker\n');
    await w.terminate();
  });

  const invalidSync = {
    'spawnSync: input of a wrong type': ['spawnSync', 'cat', { input: 5 }],
    'spawnSync: negative maxBuffer': ['spawnSync', 'ls', { maxBuffer: -1 }],
    'spawnSync: ipc': ['spawnSync', 'ls', { stdio: ['ipc'] }],
    'execFileSync: fractional timeout': ['execFileSync', 'ls', { timeout: 1.5 }],
    'execSync: not a string': ['execSync', 5],
  };
  for (const [name, [fn, ...args]] of Object.entries(invalidSync)) {
    it(`throws as Node for ${name}`, () => {
      const n = thrown(() => nodeCp[fn](...args));
      assert.ok(n);
      assert.deepStrictEqual(thrown(() => ours[fn](...args)), n);
    });
  }
});
