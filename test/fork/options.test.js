'use strict';
// fork(): its options, and invalid arguments thrown as Node throws them.
// The parent side is procdesc's (the helper makes the child) with Node's own channel code, so it
// must behave as node:child_process does.
const assert = require('node:assert');
const events = require('node:events');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const nodeCp = require('node:child_process');

const ours = require('../../dist/integrations/child_process.js');
const { capabilities } = require('../../dist/lib/index.js');
const { thrown } = require('../helpers/observe');
const { childScript, tmp, nextMessage, lifecycle } = require('./common');

describe('fork', function () {
  this.timeout(30000);
  before(() => assert.strictEqual(capabilities().path, 'procdesc'));

  it('options: modulePath as URL, args, cwd, env, execArgv, silent', async () => {
    const child = ours.fork(pathToFileURL(childScript), ['x', 'y'], {
      cwd: tmp, env: { ...process.env, IPC_TEST_ENV: 'set' }, execArgv: ['--no-warnings'], silent: true,
    });
    assert.ok(child.stdout && child.stderr && child.stdin, 'silent pipes stdio');
    const [ready] = await nextMessage(child, 'ready');
    assert.deepStrictEqual(
      { argv: ready.argv, cwd: ready.cwd, env: ready.env, execArgv: ready.execArgv },
      { argv: ['x', 'y'], cwd: fs.realpathSync(tmp), env: 'set', execArgv: ['--no-warnings'] });
    child.send({ cmd: 'exit', code: 0 });
    await events.once(child, 'close');
  });

  it('options: timeout and killSignal, an AbortSignal, as Node', async () => {
    const run = async (lib, opts) => {
      const child = lib.fork(childScript, { stdio: 'ignore', ...opts() });
      return lifecycle(child);
    };
    const timeout = () => ({ timeout: 300, killSignal: 'SIGINT' });
    assert.deepStrictEqual(await run(ours, timeout), await run(nodeCp, timeout));
    const aborted = () => ({ signal: AbortSignal.timeout(300) });
    const o = await run(ours, aborted);
    assert.deepStrictEqual(o, await run(nodeCp, aborted));
    assert.ok(o.some((e) => e[0] === 'error' && e[1] === 'ABORT_ERR'));
  });

  const invalid = {
    'modulePath of a wrong type': [5],
    'modulePath with a null byte': ['m\u0000'],
    'args of a wrong type': ['m', 5],
    'options of a wrong type': ['m', [], 5],
    'stdio without ipc': ['m', { stdio: ['pipe', 'pipe', 'pipe'] }],
    'stdio with two ipc': ['m', { stdio: ['ipc', 'ipc'] }],
    'execPath with a null byte': ['m', { execPath: 'n\u0000' }],
    'execArgv with a null byte': ['m', { execArgv: ['a\u0000'] }],
    'serialization unknown': ['m', { serialization: 'xml' }],
  };
  for (const [name, args] of Object.entries(invalid)) {
    it(`throws as Node for ${name}`, () => {
      const n = thrown(() => nodeCp.fork(...args));
      assert.ok(n);
      assert.deepStrictEqual(thrown(() => ours.fork(...args)), n);
    });
  }
});
