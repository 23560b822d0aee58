'use strict';
// Control: a host that is not hostile (test/hostile-hosts/common.js has the whole contract).
const assert = require('node:assert/strict');
const {
  N, NEW_APIS, NODE_OK_RUN, hostRun, runFor, hostileSuite,
} = require('./common');

hostileSuite(function () {
  // Control: without hostility node:child_process is fine, so the losses
  // the other files see are caused by the hostility and not by the harness.
  it('node:child_process reports every child when the host is not hostile', async function () {
    const { r, ctx } = await hostRun('node', 'none', 'late', NODE_OK_RUN);
    assert.equal(r.finishedBy, 'complete', ctx);
    assert.equal(r.correct, N, ctx);
    assert.equal(r.lost, 0, ctx);
  });

  for (const api of NEW_APIS) {
    it(`node:child_process ${api} reports every child when the host is not hostile`, async function () {
      const { r, ctx } = await hostRun('node', 'none', 'late', runFor('node', api), api);
      assert.equal(r.finishedBy, 'complete', ctx);
      assert.equal(r.correct, r.n, ctx);
      assert.equal(r.lost, 0, ctx);
      assert.equal(r.hung, null, ctx);
    });
  }
});
