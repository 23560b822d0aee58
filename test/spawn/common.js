'use strict';
// What the spawn tests share: both libraries, a scratch directory, and both() to run one
// scenario through node:child_process and procdesc.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const nodeCp = require('node:child_process');

const ours = require('../../dist/integrations/child_process.js');

const libs = { node: nodeCp, procdesc: ours };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-spawn-'));

/** Runs scenario(lib) for both libraries and returns [nodeResult, oursResult]. */
async function both(scenario) {
  return [await scenario(nodeCp), await scenario(ours)];
}

module.exports = { nodeCp, ours, libs, tmp, both };
