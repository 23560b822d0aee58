'use strict';
// The sync family's `input` against node:child_process: every type Node takes (string, Buffer,
// each TypedArray, DataView), empty, small, at an offset into a bigger buffer, and bigger than a
// pipe's buffer (64 KiB), fed to cat and to children that never read it. An empty input must end
// the child's stdin at once (execa's sync API with input '' or an empty Buffer: cat must not wait
// forever). Each call has a timeout far above its run time, so that a hang shows as a SIGTERM in
// the comparison rather than as a stuck suite; no figure depends on it.
const assert = require('node:assert');
const nodeCp = require('node:child_process');

const ours = require('../dist/integrations/child_process.js');

const TIMEOUT = 20000;

function shapeOf(err) {
  if (!err) return err;
  return { name: err.name, code: err.code, errno: err.errno, syscall: err.syscall, status: err.status, signal: err.signal };
}

/** What a caller sees of one call: its value or its error (the output, not the pid). */
function outcome(fn) {
  try {
    const r = fn();
    if (Buffer.isBuffer(r) || typeof r === 'string') return { value: r };
    return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, error: shapeOf(r.error) };
  } catch (err) {
    return { thrown: shapeOf(err), stdout: err.stdout, stderr: err.stderr };
  }
}

// Over an ArrayBuffer of its own: a small Buffer.from(array) lives in Node's shared pool, and a view
// "at an offset into its .buffer" would read whatever the pool held there (a flaky comparison).
const bytes = (n) => Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff).buffer);
const inputs = {
  'an empty string': () => '',
  'an empty Buffer': () => Buffer.alloc(0),
  'an empty Uint8Array': () => new Uint8Array(0),
  'an empty DataView': () => new DataView(new ArrayBuffer(0)),
  'an empty DataView at an offset': () => new DataView(new ArrayBuffer(8), 8, 0),
  'an empty Float64Array': () => new Float64Array(0),
  'an empty Int16Array': () => new Int16Array(0),
  'an empty BigInt64Array': () => new BigInt64Array(0),
  'an empty Uint8ClampedArray': () => new Uint8ClampedArray(0),
  'a Uint8Array at an offset into a bigger buffer': () => new Uint8Array(bytes(64).buffer, 5, 20),
  'a DataView at an offset': () => new DataView(bytes(64).buffer, 3, 9),
  'a Uint16Array (two bytes per element)': () => new Uint16Array([0x4142, 0x4344, 0x0a0a]),
  'a Float32Array': () => new Float32Array([1.5, -2, 3e9]),
  'a 1 MiB Buffer (over a pipe buffer)': () => bytes(1024 * 1024),
  'a 200 KiB string': () => 'x'.repeat(200 * 1024),
  'an ArrayBuffer (a type Node rejects)': () => new ArrayBuffer(4),
};

const calls = {
  spawnSync: (lib, cmd, args, opts) => lib.spawnSync(cmd, args, opts),
  execFileSync: (lib, cmd, args, opts) => lib.execFileSync(cmd, args, opts),
  execSync: (lib, cmd, args, opts) => lib.execSync([cmd, ...args].join(' '), opts),
};

describe('sync input: every type and size, as Node', () => {
  for (const [callName, call] of Object.entries(calls)) {
    for (const [name, make] of Object.entries(inputs)) {
      it(`${callName}: ${name} through cat`, () => {
        const run = (lib) => outcome(() => call(lib, 'cat', [], { input: make(), timeout: TIMEOUT, stdio: 'pipe' }));
        const n = run(nodeCp);
        assert.deepStrictEqual(run(ours), n);
      });
    }
  }

  // The child exits without reading: Node's writes then fail with EPIPE, which it does not report.
  const script = 'echo done; exit 3';
  const neverReads = {
    spawnSync: (lib, opts) => lib.spawnSync('sh', ['-c', script], opts),
    execFileSync: (lib, opts) => lib.execFileSync('sh', ['-c', script], opts),
    execSync: (lib, opts) => lib.execSync(script, opts),
  };
  for (const [callName, call] of Object.entries(neverReads)) {
    for (const name of ['an empty Buffer', 'a 1 MiB Buffer (over a pipe buffer)']) {
      it(`${callName}: ${name} to a child that never reads it`, () => {
        const run = (lib) => outcome(() => call(lib, { input: inputs[name](), timeout: TIMEOUT, stdio: 'pipe' }));
        assert.deepStrictEqual(run(ours), run(nodeCp));
      });
    }
  }

  it('spawnSync: input with stdin not a pipe is ignored, as Node', () => {
    for (const stdin of ['ignore', 'inherit']) {
      const run = (lib) => outcome(() => lib.spawnSync('sh', ['-c', 'echo ran'], { input: 'lost', stdio: [stdin, 'pipe', 'pipe'], timeout: TIMEOUT }));
      assert.deepStrictEqual(run(ours), run(nodeCp), stdin);
    }
  });
});
