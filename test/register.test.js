'use strict';
// procdesc/register, loaded as apps load it: `node --require procdesc/register` and
// `node --import procdesc/register`, each in a fresh node process (it changes node:child_process
// for the whole process). The package resolves itself by name from its own directory.
const assert = require('node:assert/strict');
const path = require('node:path');
const { runNode } = require('./helpers/run-node');

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures');
const ESM_SCRIPT = path.join(FIXTURES, 'register-esm.mjs');
const HOSTILE_SCRIPT = path.join(FIXTURES, 'register-host.js');

async function runWith(flags, script, args = [], timeout = 30000) {
  const res = await runNode(script, args, { cwd: ROOT, timeout, env: { NODE_OPTIONS: flags.join(' ') } });
  assert.ok(res.json, `no JSON line: code=${res.code} signal=${res.signal}\n${res.stdout}\n${res.stderr}`);
  return res.json;
}

const ALL_OURS = { named: true, default: true, required: true, registered: true };
const NONE_OURS = { named: false, default: false, required: false, registered: false };

describe('procdesc/register', function () {
  this.timeout(40000);

  for (const flags of [['--require procdesc/register'], ['--import procdesc/register'],
    ['--require procdesc/register', '--import procdesc/register'], []]) {
    const how = flags.length ? flags.join(' ') : 'a dynamic import';
    it(`${how}: replaces node:child_process's functions in place (require, ESM named and default imports)`, async () => {
      const out = await runWith(flags, ESM_SCRIPT);
      assert.equal(out.preRegistered, flags.length > 0, 'registered before the app ran');
      assert.deepEqual(out.afterImport, ALL_OURS);
      assert.equal(out.parentIsHelper, true, "the children are the helper's");
      assert.equal(out.promisified, 'promisified\n', 'util.promisify(exec) still works');
      assert.deepEqual(out.afterTwice, ALL_OURS, 'register() is idempotent');
      assert.deepEqual(out.afterUnregister, NONE_OURS, "unregister() restores Node's");
      assert.equal(out.restored, true);
      assert.equal(out.unregisteredParentIsHost, true, "Node's own functions again");
      assert.deepEqual(out.again, ALL_OURS, 'and register() works again');
    });
  }

  describe('an unmodified library calling child_process.exec, in a host whose thread loops waitpid(-1)', () => {
    for (const flag of ['--require', '--import']) {
      it(`${flag} procdesc/register: every exit arrives, right, and none is stolen`, async () => {
        const out = await runWith([`${flag} procdesc/register`], HOSTILE_SCRIPT, ['200', '20000']);
        assert.deepEqual(out, { finishedBy: 'complete', registered: true, n: 200, spawned: 200, reported: 200,
          correct: 200, stolen: 0, wrong: [] });
      });
    }

    it('without register (control): node:child_process loses them to the reaper', async () => {
      const out = await runWith([], HOSTILE_SCRIPT, ['8', '1500']);
      assert.equal(out.registered, false);
      assert.equal(out.finishedBy, 'watchdog');
      assert.ok(out.stolen > 0 && out.reported < 8, JSON.stringify(out));
    });
  });
});
