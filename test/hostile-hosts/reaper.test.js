'use strict';
// Hostility: a thread looping on waitpid(-1) steals exit statuses (test/hostile-hosts/common.js has
// the whole contract).
const assert = require('node:assert/strict');
const {
  ASYNC_APIS, SYNC_APIS, NEW_APIS, NODE_RUN, PROCDESC_RUN, hostRun, runFor, assertNodeSyncHangs, assertProcdescClean, hostileSuite,
} = require('./common');

hostileSuite(function () {
  describe('hostility: reaper (a thread looping on waitpid(-1))', function () {
    it('node:child_process loses the children whose status the reaper stole', async function () {
      const { r, ctx } = await hostRun('node', 'reaper', 'late', NODE_RUN);
      // The reaper sleeps in wait() and is woken straight from the child's
      // exit, while libuv first needs SIGCHLD -> self-pipe -> loop turn; it
      // then gets ECHILD from waitpid() and silently drops the child.  We
      // measured 199 of 200 lost.
      assert.ok(r.lost > 0, ctx);
      assert.ok(r.reapedByHost > 0, ctx);
    });

    it('node:child_process loses them even if the reaper predates the first spawn', async function () {
      // Unlike the signal hostilities, timing does not matter: nothing libuv
      // installs can stop another thread from calling waitpid().
      const { r, ctx } = await hostRun('node', 'reaper', 'early', NODE_RUN);
      assert.ok(r.lost > 0, ctx);
      assert.ok(r.reapedByHost > 0, ctx);
    });

    for (const when of ['late', 'early']) {
      it(`procdesc reports every child correctly and the reaper gets none of them (${when})`, async function () {
        const { r, ctx } = await hostRun('procdesc', 'reaper', when, PROCDESC_RUN);
        assertProcdescClean(r, ctx);
      });
    }

    for (const api of ASYNC_APIS) {
      it(`node:child_process ${api} never calls back for the children the reaper stole`, async function () {
        // exec/execFile call back on the child's 'close', which needs the
        // 'exit' libuv never emits: measured 200 of 200 lost.
        const { r, ctx } = await hostRun('node', 'reaper', 'late', runFor('node', api, { lossy: true }), api);
        assert.ok(r.lost > 0, ctx);
        assert.ok(r.reapedByHost > 0, ctx);
        assert.equal(r.wrongExit, 0, ctx);
      });
    }

    for (const api of SYNC_APIS) {
      it(`node:child_process ${api} hangs for good once the reaper steals its child's status`, async function () {
        const { r, ctx } = await hostRun('node', 'reaper', 'late', runFor('node', api, { lossy: true }), api);
        assertNodeSyncHangs(r, ctx);
        // The hung call's child is in the reaper's list.  The reaper almost
        // always wins (measured: the very first call), but a call it loses
        // the race for is reported right, so only "some call hung" is sure.
        assert.ok(r.reapedByHost >= 1, ctx);
      });
    }

    for (const api of NEW_APIS) {
      it(`procdesc ${api} reports every child correctly and the reaper gets none of them`, async function () {
        const { r, ctx } = await hostRun('procdesc', 'reaper', 'late', runFor('procdesc', api), api);
        assertProcdescClean(r, ctx);
      });
    }
  });
});
