'use strict';
// procdesc/promises: exec and execFile as util.promisify gives them for node:child_process, and run().
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const util = require('node:util');

const promises = require('../dist/integrations/promises.js');
const { ChildProcess } = require('../dist/integrations/child_process.js');

const { exec, execFile, run, RunError } = promises;
const nodeExec = util.promisify(cp.exec);
const nodeExecFile = util.promisify(cp.execFile);

/** What a promise settles to, as one comparable record. */
async function settle(promise) {
  try {
    const value = await promise;
    return { ok: true, value };
  } catch (err) {
    const shape = { name: err.name, message: err.message };
    for (const key of ['code', 'killed', 'signal', 'cmd', 'stdout', 'stderr']) shape[key] = err[key];
    return { ok: false, shape };
  }
}

describe('procdesc/promises: exec and execFile', function () {
  this.timeout(20000);

  const cases = [
    ['exec', ['echo out; echo err >&2']],
    ['exec', ['echo out; echo err >&2; exit 3']],
    ['exec', ['printf "%s" "$X"', { env: { X: 'from env' }, encoding: 'buffer' }]],
    ['exec', ['kill -TERM $$']],
    ['execFile', ['sh', ['-c', 'echo "$0 $1"', 'a', 'b']]],
    ['execFile', ['sh', ['-c', 'exit 5']]],
    ['execFile', ['procdesc-no-such-command', []]],
    ['execFile', ['sh', ['-c', 'exec sleep 5'], { timeout: 100 }]],
  ];
  for (const [name, args] of cases) {
    it(`${name}(${args.map((a) => JSON.stringify(a)).join(', ')}) settles as util.promisify(node's)`, async () => {
      const ours = await settle((name === 'exec' ? exec : execFile)(...args));
      const node = await settle((name === 'exec' ? nodeExec : nodeExecFile)(...args));
      assert.deepEqual(ours, node);
    });
  }

  it('the promise carries .child, our ChildProcess', async () => {
    const promise = execFile('echo', ['hi']);
    assert.ok(promise.child instanceof ChildProcess);
    assert.equal(typeof promise.child.pid, 'number');
    assert.deepEqual(await promise, { stdout: 'hi\n', stderr: '' });
  });

  it('validates as Node does (synchronously, as util.promisify(node\'s) does)', () => {
    for (const args of [[1], ['echo', { timeout: -1 }]]) {
      assert.throws(() => exec(...args), (err) => {
        assert.throws(() => nodeExec(...args), { code: err.code, message: err.message });
        return true;
      });
    }
    const badTimeout = ['echo', [], { timeout: -1 }];
    assert.throws(() => execFile(...badTimeout), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => nodeExecFile(...badTimeout), { code: 'ERR_OUT_OF_RANGE' });
  });
});

describe('procdesc/promises: run()', function () {
  this.timeout(20000);

  it('resolves { stdout, stderr, code, signal, resourceUsage }', async () => {
    const result = await run('sh', ['-c', 'echo out; echo err >&2']);
    assert.deepEqual(Object.keys(result), ['stdout', 'stderr', 'code', 'signal', 'resourceUsage']);
    assert.equal(result.stdout, 'out\n');
    assert.equal(result.stderr, 'err\n');
    assert.equal(result.code, 0);
    assert.equal(result.signal, null);
    assert.ok(result.resourceUsage.maxRSS > 0);
  });

  it('takes options without args, input for stdin, and encoding: "buffer"', async () => {
    assert.equal((await run('pwd', { cwd: '/' })).stdout, '/\n');
    assert.equal((await run('cat', [], { input: 'piped in' })).stdout, 'piped in');
    const bytes = await run('printf', ['\\377'], { encoding: 'buffer' });
    assert.ok(Buffer.isBuffer(bytes.stdout));
    assert.deepEqual([...bytes.stdout], [0xff]);
    assert.equal((await run('sh', ['-c', 'cat; echo eof'])).stdout, 'eof\n', 'stdin is /dev/null without input');
  });

  it('rejects a non-zero exit with a RunError that carries the result', async () => {
    const err = await run('sh', ['-c', 'echo partial; echo broken >&2; exit 3']).catch((e) => e);
    assert.ok(err instanceof RunError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'RunError');
    assert.equal(err.message, 'Command failed with exit code 3: sh -c echo partial; echo broken >&2; exit 3\nbroken');
    assert.equal(err.command, 'sh -c echo partial; echo broken >&2; exit 3');
    assert.equal(err.code, 3);
    assert.equal(err.signal, null);
    assert.equal(err.stdout, 'partial\n');
    assert.equal(err.stderr, 'broken\n');
    assert.ok(err.resourceUsage.maxRSS > 0);
  });

  it('rejects a signal death, a timeout and maxBuffer with a RunError', async () => {
    const killed = await run('sh', ['-c', 'kill -KILL $$']).catch((e) => e);
    assert.ok(killed instanceof RunError);
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(killed.code, null);
    assert.match(killed.message, /^Command was killed with SIGKILL: sh -c/);

    const timedOut = await run('sleep', ['5'], { timeout: 100 }).catch((e) => e);
    assert.equal(timedOut.signal, 'SIGTERM');

    const flood = await run('yes', [], { maxBuffer: 1000 }).catch((e) => e);
    assert.ok(flood instanceof RunError);
    assert.equal(flood.stdout.length, 1000);
    assert.equal(flood.cause.code, 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER');
    assert.match(flood.message, /stdout maxBuffer length exceeded/);
  });

  it('rejects with the spawn error, and validates its options', async () => {
    await assert.rejects(run('procdesc-no-such-command'), { code: 'ENOENT', syscall: 'spawn procdesc-no-such-command' });
    await assert.rejects(run('true', [], { input: 42 }), { code: 'ERR_INVALID_ARG_TYPE' });
    await assert.rejects(run('true', [], { maxBuffer: -1 }), { code: 'ERR_OUT_OF_RANGE' });
    await assert.rejects(run(1), { code: 'ERR_INVALID_ARG_TYPE' });
  });
});
