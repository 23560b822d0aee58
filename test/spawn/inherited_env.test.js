'use strict';
// The environment a child inherits when options.env is unset. Node 20-24 read process.env
// variable by variable for it; procdesc hands Node a plain copy instead, rebuilt whenever the
// environment block has changed (lib/node/env_snapshot.ts). Each case compares the child's whole
// environment, in order, with what node:child_process gives it at the same moment.
const assert = require('node:assert');
const diagnosticsChannel = require('node:diagnostics_channel');
const { once } = require('node:events');
const { Worker, SHARE_ENV } = require('node:worker_threads');

const { observe } = require('../helpers/observe');
const { both, ours } = require('./common');

/** The child's environment through each library: [node, procdesc], NUL-separated as env -0 prints it. */
async function childEnvs() {
  const [n, o] = await both((lib) => observe(lib.spawn('env', ['-0'])));
  return [n.stdout, o.stdout];
}

/** lib/node/env_snapshot.js loaded anew, as a test runner's module registry would: its own state. */
function freshInstance() {
  const modulePath = require.resolve('../../dist/lib/node/env_snapshot.js');
  const cached = require.cache[modulePath];
  delete require.cache[modulePath];
  try {
    return require(modulePath);
  } finally {
    require.cache[modulePath] = cached;
  }
}

function binding() {
  return require('../../dist/lib/core/native.js').loadNative().binding;
}

function entries(envOutput) {
  return envOutput.split('\0').filter(Boolean);
}

describe('spawn: the inherited environment', () => {
  const touched = ['PD_ENV_A', 'PD_ENV_SHARED', 'PD_ENV_SUB', 'PD_ENV_GONE', '123'];
  afterEach(() => {
    for (const key of touched) delete process.env[key];
  });

  it('is process.env as it is at each spawn: set, changed, deleted', async () => {
    for (const value of ['1', '2', undefined]) {
      if (value === undefined) delete process.env.PD_ENV_A;
      else process.env.PD_ENV_A = value;
      const [n, o] = await childEnvs();
      assert.strictEqual(o, n);
      assert.strictEqual(entries(o).includes(`PD_ENV_A=${value}`), value !== undefined);
      assert.strictEqual(entries(o).some((e) => e.startsWith('PD_ENV_A=')), value !== undefined);
    }
  });

  it('sees a variable another thread set (a worker sharing the environment)', async () => {
    await childEnvs(); // the copy is made
    const worker = new Worker("process.env.PD_ENV_SHARED = 'from a worker'", { eval: true, env: SHARE_ENV });
    await once(worker, 'exit');
    const [n, o] = await childEnvs();
    assert.strictEqual(o, n);
    assert.ok(entries(o).includes('PD_ENV_SHARED=from a worker'), o);
  });

  it('puts a variable named like an array index where Node does', async () => {
    process.env['123'] = 'index-like';
    process.env.PD_ENV_A = 'after it';
    const [n, o] = await childEnvs();
    assert.strictEqual(o, n);
    const list = entries(o);
    assert.ok(list.indexOf('123=index-like') < list.indexOf('PD_ENV_A=after it'), o);
  });

  it('is the program\'s own object where it replaced process.env, changes and all', async () => {
    const saved = process.env;
    try {
      process.env = { ...saved, PD_ENV_OWN: 'a' };
      const [n1, o1] = await childEnvs();
      process.env.PD_ENV_OWN = 'b';
      const [n2, o2] = await childEnvs();
      // Node 20-24 build the child's environment from it; Node 26 reads the environment block
      // itself when options.env is unset, and the child sees neither value.
      assert.strictEqual(o1, n1);
      assert.strictEqual(o2, n2);
    } finally {
      process.env = saved;
    }
    assert.strictEqual(process.env.PD_ENV_OWN, undefined);
  });

  it('what code run inside a spawn writes to process.env reaches the real one', async () => {
    // A 'child_process' subscriber runs inside Node's spawn, after the child's environment is
    // built: the child does not see its write under Node either, the process (and the next
    // child) does.
    process.env.PD_ENV_GONE = 'here';
    await childEnvs();
    let calls = 0;
    let envInside;
    const realEnv = process.env;
    const onChild = () => {
      calls++;
      envInside = process.env;
      process.env.PD_ENV_SUB = 'written inside';
      delete process.env.PD_ENV_GONE;
      realEnv.PD_ENV_A = 'through a saved reference'; // not undone afterwards
    };
    diagnosticsChannel.subscribe('child_process', onChild);
    let inside;
    try {
      inside = entries((await observe(ours.spawn('env', ['-0']))).stdout);
    } finally {
      diagnosticsChannel.unsubscribe('child_process', onChild);
    }
    assert.strictEqual(calls, 1);
    assert.strictEqual(envInside, realEnv, 'the subscriber sees Node\'s own process.env');
    assert.strictEqual(process.env.PD_ENV_A, 'through a saved reference');
    // Built before the subscriber ran, as under Node.
    assert.ok(inside.includes('PD_ENV_GONE=here'));
    assert.ok(!inside.some((e) => e.startsWith('PD_ENV_SUB=')));
    assert.strictEqual(process.env.PD_ENV_SUB, 'written inside');
    assert.ok(!('PD_ENV_GONE' in process.env));
    const [n, o] = await childEnvs();
    assert.strictEqual(o, n);
    assert.ok(entries(o).includes('PD_ENV_SUB=written inside'), o);
    assert.ok(!entries(o).some((e) => e.startsWith('PD_ENV_GONE=')), o);
  });

  it('process.env is Node\'s own object again after every spawn, and outside of them', async () => {
    const before = process.env;
    await childEnvs();
    assert.strictEqual(process.env, before);
    assert.throws(() => Object.defineProperty(process.env, 'PD_ENV_A', { get: () => 'x' }),
      { code: 'ERR_INVALID_OBJECT_DEFINE_PROPERTY' });
  });

  it('Node reads the copy: the first read of process.env in a claimed call is Node\'s own', async () => {
    // options.cwd is read before the environment (normalizeSpawnArguments): the copy is in place
    // then, on Node 20-24. Node 26 reads the environment block itself, and nothing is swapped.
    let armed;
    const options = {
      get cwd() {
        armed = typeof Object.getOwnPropertyDescriptor(process, 'env').get === 'function';
        return undefined;
      },
    };
    const o = await observe(ours.spawn('true', [], options));
    assert.deepStrictEqual(o.events.at(-1), ['close', 0, null]);
    assert.strictEqual(armed, Number(process.versions.node.split('.')[0]) < 26);
    const slot = Object.getOwnPropertyDescriptor(process, 'env');
    assert.ok(slot.writable && slot.configurable && slot.enumerable && !slot.get);
  });

  it('keeps a variable named __proto__ (a data property of the copy, not its prototype)', async () => {
    process.env['__proto__'] = 'not a prototype';
    try {
      const [n, o] = await childEnvs();
      assert.strictEqual(o, n);
      assert.ok(entries(o).includes('__proto__=not a prototype'), o);
    } finally {
      delete process.env['__proto__'];
    }
  });

  it('reads a Proxy the program put in place of process.env through its traps', async () => {
    const saved = process.env;
    let hide = false;
    const proxy = new Proxy(saved, { get: (t, k) => (hide && k === 'HOME' ? undefined : Reflect.get(t, k)) });
    try {
      process.env = proxy;
      await childEnvs();
      hide = true;
      const [n, o] = await childEnvs();
      assert.strictEqual(o, n);
      // A copy of the library that meets the Proxy before Node's own object: a Proxy passes
      // Node's object's own test (its defineProperty trap forwards the refusal), and must not.
      hide = false;
      const fresh = freshInstance();
      assert.strictEqual(fresh.withEnvSnapshot(binding(), () => process.env.HOME), saved.HOME);
      hide = true;
      assert.strictEqual(fresh.withEnvSnapshot(binding(), () => process.env.HOME), undefined);
    } finally {
      process.env = saved;
    }
  });

  it('spawns where process.env cannot be replaced (a read-only property)', async () => {
    Object.defineProperty(process, 'env', { writable: false });
    try {
      process.env.PD_ENV_A = 'read-only slot';
      const [n, o] = await childEnvs();
      assert.strictEqual(o, n);
      assert.ok(entries(o).includes('PD_ENV_A=read-only slot'), o);
    } finally {
      Object.defineProperty(process, 'env', { writable: true });
    }
  });

  it('two copies of the library in one process both see a change either one found first', () => {
    // A test runner's module registry loads the JS again, and the addon once.
    const first = freshInstance();
    const second = freshInstance();
    const read = (lib) => lib.withEnvSnapshot(binding(), () => process.env.PD_ENV_A);
    process.env.PD_ENV_A = '1';
    assert.strictEqual(read(first), '1');
    assert.strictEqual(read(second), '1');
    process.env.PD_ENV_A = '2';
    assert.strictEqual(read(second), '2');
    assert.strictEqual(read(first), '2');
  });
});
