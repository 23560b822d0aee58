'use strict';
// What the reliability tests share (test/reliability/*.test.js: load, faults, races, bad input,
// security, leftovers; issue 6). Most checks run in a process of their own (test/stress/*.js),
// because what they do is process-wide and often irreversible: resource limits, a host that
// dies, worker threads that are terminated, a PID namespace, two copies of the library. Each
// prints one JSON line that is asserted on here. Wherever node:child_process can do the same
// thing, it does it under the same conditions and the two are compared.
//
// The default run keeps counts small. STRESS=1 raises them to the figures (100,000
// sequential spawns, 2,000 children at once, thousands of fuzzed calls); `npm run stress`
// (test/stress/run.js) does that and prints the figures.
//
// Tests marked `it.skip` fail because of a product bug; each says which (file, function, what
// happens). Unskip them once it is fixed.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const node = require('node:child_process');
const ours = require('../../dist/integrations/child_process.js');
const { capabilities } = require('../../dist/lib/index.js');
const { observe, errorShape } = require('../helpers/observe');
const { runNode } = require('../helpers/run-node');
const { runCommand, which } = require('../helpers/run-command');
const procfs = require('../helpers/procfs');

const STRESS = !!process.env.STRESS;
const count = (normal, stress) => (STRESS ? stress : normal);
const STRESS_DIR = path.join(__dirname, '..', 'stress');
const script = (name) => path.join(STRESS_DIR, name);
const IS_ROOT = process.getuid() === 0;

/** Runs fn(lib) for node:child_process and procdesc, in that order. */
async function both(fn) {
  return [await fn(node), await fn(ours)];
}

/** The outcome of one async call: its synchronous throw, or its events until 'close'. */
async function outcome(fn) {
  let child;
  try {
    child = fn();
  } catch (err) {
    return { threw: errorShape(err) };
  }
  const o = await observe(child);
  delete o.pid;
  return o;
}

/** The outcome of one sync call, with what varies (pids) left out. */
function syncOutcome(fn) {
  try {
    const r = fn();
    if (Buffer.isBuffer(r)) return { returned: `Buffer ${r}` };
    if (r === null || typeof r !== 'object') return { returned: r === undefined ? '<undefined>' : String(r) };
    return {
      returned: {
        error: r.error && errorShape(r.error), status: r.status, signal: r.signal, pid: r.pid > 0 ? 'pid>0' : r.pid,
        output: r.output && r.output.map((b) => (b === null ? null : String(b))),
      },
    };
  } catch (err) {
    return { threw: { ...errorShape(err), status: err.status, signal: err.signal } };
  }
}

/**
 * Runs `body` once with `lib` = node:child_process and once with procdesc, in a process of its own
 * (an abort there must not take the test runner down), each filling out[name]; the process must
 * survive and both outcomes must be equal.
 */
async function compareInOwnProcess(tag, body) {
  const file = path.join(os.tmpdir(), `procdesc-${tag}-${process.pid}.js`);
  fs.writeFileSync(file, `
    const out = {};
    for (const [name, lib] of [['node', require('child_process')], ['procdesc', require(${JSON.stringify(path.resolve(__dirname, '../../dist/integrations/child_process.js'))})]]) {
      ${body}
    }
    console.log(JSON.stringify(out));
  `);
  try {
    const r = await runNode(file, [], { timeout: 20000 });
    assert.equal(r.signal, null, `the process died: ${r.stderr.slice(0, 300)}`);
    assert.deepEqual(r.json.procdesc, r.json.node);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** With STRESS_REPORT=file (test/stress/run.js sets it), records figures for the runner to print. */
function report(key, value) {
  const file = process.env.STRESS_REPORT;
  if (!file) return;
  let all = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch { /* first entry */ }
  all[key] = value;
  fs.writeFileSync(file, JSON.stringify(all));
}

function needs(...programs) {
  return function () {
    for (const p of programs) if (!which(p)) this.skip();
  };
}

async function works(lib = ours) {
  const o = await observe(lib.spawn('echo', ['still works']));
  assert.deepEqual(o.events, ['spawn', ['exit', 0, null], ['close', 0, null]]);
  assert.equal(o.stdout, 'still works\n');
}


module.exports = {
  assert, fs, os, path, node, ours, capabilities, observe, errorShape, runNode, runCommand, which, procfs,
  STRESS, count, script, IS_ROOT, both, outcome, syncOutcome, compareInOwnProcess, report, needs, works,
};
