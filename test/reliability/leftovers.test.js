'use strict';
// Reliability: nothing left behind (see common.js for how the reliability tests work).
const {
  assert, fs, os, path, node, ours, capabilities, observe, errorShape, runNode, runCommand, which, procfs,
  STRESS, count, script, IS_ROOT, both, outcome, syncOutcome, compareInOwnProcess, report, needs, works,
} = require('./common');

describe('reliability: nothing left behind', function () {
  it('no zombie under the test process or its helper after all of the above', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const helper = capabilities().helperPid;
    assert.deepEqual(procfs.zombiesOf([process.pid, helper]), []);
  });
});
