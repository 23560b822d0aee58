'use strict';
// The 1000-run version of test/ordering.test.js (`npm run stress:order`):
//   node test/stress/ordering.js [--runs=1000] [scenario ...]
//
// Runs each ordering scenario (test/fixtures/ordering-host.js) through node:child_process and
// through procdesc, the two side by side, and prints their counts: 'exit' before an EOF the host
// could read (exitFirst), an 'end' after 'exit' where both pipes are read from the start
// (endAfterExit), 'close' too early, output lost, hangs. Exit status 1 when procdesc has more of
// any of them than the running Node, or any hang; 0 otherwise. Run it with each supported Node:
//   PATH="$(dirname $N24):$PATH" node test/stress/ordering.js
const path = require('node:path');

const { runNode } = require('../helpers/run-node');

const HOST = path.join(__dirname, '..', 'fixtures', 'ordering-host.js');
const ALL = ['order', 'lateErrOut', 'lateOutErr', 'pipe', 'pipeRead', 'exitReads', 'exitCollects', 'never', 'stdinBefore', 'stdinAfter'];
const KEYS = ['exitFirst', 'endAfterExit', 'closeEarly', 'lost', 'hung'];

const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const runs = runsArg ? Number(runsArg.slice(7)) : 1000;
const picked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const scenarios = picked.length ? picked : ALL;

async function counts(lib, scenario) {
  const r = await runNode(HOST, [lib, scenario, String(runs)], { timeout: 30 * 60 * 1000 });
  if (!r.json) throw new Error(`${lib} ${scenario}: no result (code ${r.code}, signal ${r.signal})\n${r.stderr}`);
  return r.json;
}

async function main() {
  console.log(`Node ${process.version} (libuv ${process.versions.uv}), ${runs} runs per scenario`);
  console.log(['scenario'.padEnd(18), ...KEYS.map((k) => k.padStart(16))].join(' '));
  const failures = [];
  const rows = [['node', 'procdesc'], ['node', 'descriptor']];
  for (const scenario of scenarios) {
    for (const [base, lib] of scenario === 'order' ? rows : rows.slice(0, 1)) {
      const [node, ours] = await Promise.all([counts(base, scenario), counts(lib, scenario)]);
      const cells = KEYS.map((k) => `${node[k]} / ${ours[k]}`.padStart(16));
      const label = lib === 'procdesc' ? scenario : `${scenario}(${lib})`;
      console.log([label.padEnd(18), ...cells].join(' '));
      for (const k of KEYS) if (ours[k] > node[k] || (k === 'hung' && ours[k] > 0)) failures.push(`${label} ${k}: ${ours[k]} > Node's ${node[k]}`);
    }
  }
  console.log('(cells: Node / procdesc)');
  for (const f of failures) console.log(`FAIL ${f}`);
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
