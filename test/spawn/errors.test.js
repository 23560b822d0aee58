'use strict';
// spawn() against node:child_process: failures to start, invalid arguments and an unhandled
// 'error' are thrown or emitted as Node does.
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const { observe, thrown } = require('../helpers/observe');
const { nodeCp, ours, tmp, both } = require('./common');

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
    const { runNode } = require('../helpers/run-node');
    const script = path.join(tmp, 'unhandled.js');
    fs.writeFileSync(script, `require(${JSON.stringify(path.resolve(__dirname, '../../dist/integrations/child_process.js'))}).spawn('procdesc-no-such-command');`);
    const r = await runNode(script, [], { timeout: 20000 });
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /Error: spawn procdesc-no-such-command ENOENT/);
    assert.match(r.stderr, /Emitted 'error' event on ChildProcess instance/);
  });
});
