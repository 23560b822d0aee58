'use strict';
// The descriptor API (procdesc's `.` export): capabilities(), here and on the node:child_process
// fallback (run in a host of its own, a child node process with PROCDESC_FORCE_FALLBACK=1).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { runNode } = require('../helpers/run-node');
const { procdesc, DIST, EXIT_INFO, GROUP_SIGNALS } = require('./common');

const { capabilities } = procdesc;

describe('descriptor API: capabilities()', function () {
  this.timeout(20000);

  it('says which of pidfd, helper, exit info for non-parents, group signals, open(pid) and reaping orphans are in use', () => {
    const caps = capabilities();
    for (const key of ['pidfd', 'helper', 'exitInfoForNonParents', 'groupSignals', 'openByPid', 'hostReapsOrphans']) {
      assert.equal(typeof caps[key], 'boolean', key);
      assert.equal(caps[key], !(key in caps.whyNot), `${key}: a reason exactly when it is not in use`);
    }
    assert.equal(caps.path, 'procdesc');
    assert.equal(caps.exitInfoForNonParents, EXIT_INFO);
    assert.equal(caps.groupSignals, GROUP_SIGNALS);
    assert.equal(caps.openByPid, true);
    // The test runner is neither PID 1 nor a subreaper (test/hosts.test.js has those shapes).
    assert.equal(caps.hostReapsOrphans, false);
  });

  it('on the node:child_process fallback: reasons, and spawn() still works (no pidfd, no usage)', async () => {
    const src = `
      const { capabilities, spawn } = require(${JSON.stringify(DIST)});
      (async () => {
        const sub = spawn('sh', ['-c', 'echo hi; exit 2']);
        const lines = [];
        for await (const line of sub) lines.push(line);
        const exit = await sub.exited;
        const killed = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
        const group = killed.killGroup('SIGKILL');
        const killedExit = await killed.exited;
        console.log(JSON.stringify({ caps: capabilities(), fd: sub.fd, lines, exit, group, killedExit }));
      })();`;
    const file = path.join(os.tmpdir(), `procdesc-fallback-${process.pid}.js`);
    fs.writeFileSync(file, src);
    try {
      const res = await runNode(file, [], { env: { PROCDESC_FORCE_FALLBACK: '1' }, timeout: 10000 });
      assert.ok(res.json, res.stderr);
      const { caps, fd, lines, exit, group, killedExit } = res.json;
      assert.equal(caps.path, 'node');
      assert.deepEqual([caps.pidfd, caps.helper, caps.exitInfoForNonParents, caps.groupSignals, caps.openByPid,
        caps.hostReapsOrphans], [false, false, false, false, false, false]);
      assert.deepEqual(Object.keys(caps.whyNot).sort(),
        ['exitInfoForNonParents', 'groupSignals', 'helper', 'hostReapsOrphans', 'openByPid', 'pidfd']);
      assert.match(caps.whyNot.pidfd, /PROCDESC_FORCE_FALLBACK/);
      assert.equal(fd, -1);
      assert.deepEqual(lines, ['hi']);
      assert.deepEqual(exit, { code: 2, signal: null, resourceUsage: null });
      assert.equal(group, true);
      assert.equal(killedExit.signal, 'SIGKILL');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
