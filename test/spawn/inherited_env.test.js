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
    const onChild = () => {
      calls++;
      process.env.PD_ENV_SUB = 'written inside';
      delete process.env.PD_ENV_GONE;
    };
    diagnosticsChannel.subscribe('child_process', onChild);
    let inside;
    try {
      inside = entries((await observe(ours.spawn('env', ['-0']))).stdout);
    } finally {
      diagnosticsChannel.unsubscribe('child_process', onChild);
    }
    assert.strictEqual(calls, 1);
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
});
