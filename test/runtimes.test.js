'use strict';
// The Bun and Deno code paths, run by Node: exits through the reader thread (PROCDESC_EXIT_THREAD,
// native/addon/event_thread.cc) and the descriptor API's own child (PROCDESC_RUNTIME_CHILD,
// lib/descriptor/runtime_child.ts). The same scripts run under Bun and Deno in .ci/run.
const assert = require('node:assert/strict');
const path = require('node:path');
const { runNode } = require('./helpers/run-node');

const DIR = path.join(__dirname, 'runtimes');
const RUNTIME_PATH = { PROCDESC_EXIT_THREAD: '1', PROCDESC_RUNTIME_CHILD: '1' };

describe('the Bun and Deno paths, on Node', function () {
  this.timeout(90000);

  for (const [name, env] of [['reader thread + own child', RUNTIME_PATH], ['reader thread, Node\'s ChildProcess', { PROCDESC_EXIT_THREAD: '1' }]]) {
    it(`descriptor API and procdesc/promises (${name})`, async () => {
      const r = await runNode(path.join(DIR, 'descriptor-check.cjs'), [], { env });
      assert.ok(r.json, r.stderr);
      assert.deepEqual(r.json.failed, {});
      assert.equal(r.json.ok, true);
    });
  }

  it('workers that end or are terminated stop their reader thread (no crash, no hang)', async () => {
    const r = await runNode(path.join(DIR, 'worker-teardown.cjs'), [], { env: RUNTIME_PATH });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json?.ok, true, r.stderr);
    assert.ok(r.json.codes.every((c) => c === 2));
  });

  it('a waitpid(-1) reaper in the host: 300/300 children right through the reader thread', async () => {
    const r = await runNode(path.join(DIR, 'hostile-check.cjs'), ['procdesc', 'reaper', '300'], { env: RUNTIME_PATH });
    assert.ok(r.json, r.stderr);
    assert.deepEqual([r.json.right, r.json.wrong, r.json.errors, r.json.lost], [300, 0, 0, 0]);
  });

  it('SIGCHLD ignored in the host: 300/300 children right through the reader thread', async () => {
    const r = await runNode(path.join(DIR, 'hostile-check.cjs'), ['procdesc', 'ignore', '300'], { env: RUNTIME_PATH });
    assert.ok(r.json, r.stderr);
    assert.deepEqual([r.json.right, r.json.wrong, r.json.errors, r.json.lost], [300, 0, 0, 0]);
  });
});
