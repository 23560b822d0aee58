'use strict';
// Hostility: SIGCHLD set to SIG_IGN, the kernel auto-reaps (test/hostile-hosts/common.js has the
// whole contract).
const assert = require('node:assert/strict');
const {
  N, ASYNC_APIS, SYNC_APIS, NEW_APIS, NODE_RUN, NODE_OK_RUN, PROCDESC_RUN, hostRun, runFor, assertNodeSyncHangs, assertProcdescClean, hostileSuite,
} = require('./common');

hostileSuite(function () {
  describe('hostility: ignore (SIGCHLD set to SIG_IGN)', function () {
    it('node:child_process loses every child once SIGCHLD is ignored', async function () {
      const { r, ctx } = await hostRun('node', 'ignore', 'late', NODE_RUN);
      // No SIGCHLD is delivered at all and the kernel auto-reaps, so libuv
      // is never told and could not collect a status anyway: all 200 lost.
      assert.equal(r.displaced, 'foreign', `SIG_IGN should replace libuv's handler; ${ctx}`);
      assert.equal(r.hostilityIntact, true, ctx);
      assert.ok(r.lost > 0, ctx);
      assert.equal(r.hostZombies, 0, ctx);
    });

    it('node:child_process is unaffected by SIG_IGN set before libuv has a live child', async function () {
      // libuv 1.46 (Node 20) registers its SIGCHLD handler when uv_spawn()
      // starts its child watcher, and restores SIG_DFL when its last child
      // is closed.  A SIG_IGN set while it has no live child is therefore
      // overwritten on the next spawn: nothing is lost, and the hostility is
      // gone.  Only an ignore that lands while a child is alive (above)
      // bites.
      const { r, ctx } = await hostRun('node', 'ignore', 'early', NODE_OK_RUN);
      assert.equal(r.hostilityIntact, false, ctx);
      assert.equal(r.lost, 0, ctx);
      assert.equal(r.correct, N, ctx);
    });

    for (const when of ['late', 'early']) {
      // early: the helper is started after SIGCHLD became SIG_IGN, and
      // ignored dispositions survive fork and exec, so this checks that the
      // helper restores SIGCHLD before relying on it.
      it(`procdesc reports every child correctly with SIGCHLD ignored (${when})`, async function () {
        const { r, ctx } = await hostRun('procdesc', 'ignore', when, PROCDESC_RUN);
        assertProcdescClean(r, ctx);
      });
    }

    for (const api of ASYNC_APIS) {
      it(`node:child_process ${api} never calls back once SIGCHLD is ignored`, async function () {
        // Measured 200 of 200 lost, as with spawn.
        const { r, ctx } = await hostRun('node', 'ignore', 'late', runFor('node', api, { lossy: true }), api);
        assert.equal(r.displaced, 'foreign', `SIG_IGN should replace libuv's handler; ${ctx}`);
        assert.equal(r.hostilityIntact, true, ctx);
        assert.ok(r.lost > 0, ctx);
        assert.equal(r.hostZombies, 0, ctx);
        assert.equal(r.wrongExit, 0, ctx);
      });
    }

    for (const api of SYNC_APIS) {
      it(`node:child_process ${api} hangs for good on its first call once SIGCHLD is ignored`, async function () {
        // spawnSync's private loop does not re-register libuv's handler while
        // the main loop's SIGCHLD watcher exists (the anchor keeps it), so
        // SIG_IGN stays: the kernel auto-reaps and no SIGCHLD ever comes.
        const { r, ctx } = await hostRun('node', 'ignore', 'late', runFor('node', api, { lossy: true }), api);
        assertNodeSyncHangs(r, ctx);
        assert.equal(r.hung, 0, ctx);
        assert.equal(r.displaced, 'foreign', ctx);
        assert.equal(r.hostZombies, 0, `auto-reaped by the kernel; ${ctx}`);
        assert.equal(r.reapedByHost, 0, ctx);
      });
    }

    for (const api of NEW_APIS) {
      it(`procdesc ${api} reports every child correctly with SIGCHLD ignored`, async function () {
        const { r, ctx } = await hostRun('procdesc', 'ignore', 'late', runFor('procdesc', api), api);
        assertProcdescClean(r, ctx);
      });
    }
  });
});
