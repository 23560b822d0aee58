'use strict';
// Hostility: a foreign SIGCHLD handler, GLib-style, swallows the signal (test/hostile-hosts/common.js
// has the whole contract).
const assert = require('node:assert/strict');
const {
  N, ASYNC_APIS, SYNC_APIS, NEW_APIS, NODE_RUN, NODE_OK_RUN, PROCDESC_RUN, hostRun, runFor, assertNodeSyncHangs, assertProcdescClean, hostileSuite,
} = require('./common');

hostileSuite(function () {
  describe('hostility: handler (a foreign SIGCHLD handler, GLib-style)', function () {
    it('node:child_process loses every child once its SIGCHLD handler is replaced', async function () {
      const { r, ctx } = await hostRun('node', 'handler', 'late', NODE_RUN);
      // The signal arrives (sigchld > 0) but libuv's handler never runs, so
      // nobody calls waitpid(): the children stay zombies of the host.
      assert.equal(r.displaced, 'foreign', `should replace libuv's handler; ${ctx}`);
      assert.equal(r.hostilityIntact, true, ctx);
      assert.ok(r.lost > 0, ctx);
      assert.ok(r.sigchld > 0, ctx);
      assert.ok(r.hostZombies > 0, ctx);
    });

    it('node:child_process is unaffected by a handler installed before libuv has a live child', async function () {
      // Same mechanism as SIG_IGN above: libuv overwrites the foreign handler
      // when it (re)starts its child watcher.  Nothing lost, hostility gone.
      const { r, ctx } = await hostRun('node', 'handler', 'early', NODE_OK_RUN);
      assert.equal(r.hostilityIntact, false, ctx);
      assert.equal(r.lost, 0, ctx);
      assert.equal(r.correct, N, ctx);
    });

    for (const when of ['late', 'early']) {
      it(`procdesc reports every child correctly and the host sees no SIGCHLD (${when})`, async function () {
        const { r, ctx } = await hostRun('procdesc', 'handler', when, PROCDESC_RUN);
        assertProcdescClean(r, ctx);
        if (when === 'late') {
          // The hostile handler itself did the counting for the whole run.
          assert.equal(r.sigchldCounter, 'hostile', ctx);
        }
        assert.equal(r.sigchld, 0, ctx);
      });
    }

    for (const api of ASYNC_APIS) {
      it(`node:child_process ${api} never calls back once its SIGCHLD handler is replaced`, async function () {
        // Measured 200 of 200 lost, all left as zombies of the host.
        const { r, ctx } = await hostRun('node', 'handler', 'late', runFor('node', api, { lossy: true }), api);
        assert.equal(r.displaced, 'foreign', `should replace libuv's handler; ${ctx}`);
        assert.equal(r.hostilityIntact, true, ctx);
        assert.ok(r.lost > 0, ctx);
        assert.ok(r.sigchld > 0, ctx);
        assert.ok(r.hostZombies > 0, ctx);
        assert.equal(r.wrongExit, 0, ctx);
      });
    }

    for (const api of SYNC_APIS) {
      it(`node:child_process ${api} hangs for good on its first call once its SIGCHLD handler is replaced`, async function () {
        // The SIGCHLD arrives (and is swallowed); the child stays a zombie
        // of the host that spawnSync never waits for.
        const { r, ctx } = await hostRun('node', 'handler', 'late', runFor('node', api, { lossy: true }), api);
        assertNodeSyncHangs(r, ctx);
        assert.equal(r.hung, 0, ctx);
        assert.equal(r.displaced, 'foreign', ctx);
        assert.ok(r.sigchld >= 1, ctx);
        assert.ok(r.hostZombies >= 1, ctx);
      });
    }

    for (const api of NEW_APIS) {
      it(`procdesc ${api} reports every child correctly and the host sees no SIGCHLD`, async function () {
        const { r, ctx } = await hostRun('procdesc', 'handler', 'late', runFor('procdesc', api), api);
        assertProcdescClean(r, ctx);
        assert.equal(r.sigchldCounter, 'hostile', ctx);
        assert.equal(r.sigchld, 0, ctx);
      });
    }
  });
});
