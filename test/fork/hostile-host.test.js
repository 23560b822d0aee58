'use strict';
// fork() under a hostile host (a reaper thread, a foreign SIGCHLD handler): every exit arrives.
// The parent side is procdesc's (the helper makes the child) with Node's own channel code, so it
// must behave as node:child_process does.
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const { capabilities } = require('../../dist/lib/index.js');
const { childScript, tmp } = require('./common');

describe('fork', function () {
  this.timeout(30000);
  before(() => assert.strictEqual(capabilities().path, 'procdesc'));

  it('fork() under a hostile host: every exit arrives', async () => {
    const { runNode } = require('../helpers/run-node');
    const script = path.join(tmp, 'hostile-fork.js');
    fs.writeFileSync(script, `
      const hostile = require(${JSON.stringify(path.resolve(__dirname, '../hostile/build/Release/hostile.node'))});
      const cp = require(${JSON.stringify(path.resolve(__dirname, '../../dist/integrations/child_process.js'))});
      hostile.startReaper();
      hostile.installSigchldHandler();
      const n = 20; let exits = 0, right = 0; const pids = [];
      for (let i = 0; i < n; i++) {
        const c = cp.fork(${JSON.stringify(childScript)}, { stdio: 'ignore' });
        pids.push(c.pid);
        c.on('message', (m) => { if (m.cmd === 'ready') c.send({ cmd: 'exit', code: i % 5 }); });
        c.on('exit', (code) => { exits++; if (code === i % 5) right++; if (exits === n) done(); });
      }
      const watchdog = setTimeout(done, 15000);
      function done() {
        clearTimeout(watchdog);
        const reaped = hostile.reapedPids().filter((p) => pids.includes(p)).length;
        console.log(JSON.stringify({ exits, right, reaped, sigchld: hostile.sigchldCount() }));
        process.exit(0);
      }`);
    const r = await runNode(script, [], { timeout: 30000 });
    assert.deepStrictEqual(r.json, { exits: 20, right: 20, reaped: 0, sigchld: 0 });
  });
});
