'use strict';
// npm run bench:layers [-- --scale=…] [--touch=KB]
// Where scenario 1's distance to the floor lies: in the helper's path, in Node and procdesc's core,
// or in Node's ChildProcess. In one interleaved run, beside the floor and procdesc (the drop-in):
//   - procdesc's core alone in Node: a ProcessHandle spawning and taking the exit, with no
//     ChildProcess around it (libraries.js, coreAdapter);
//   - a C host that speaks procdesc's wire protocol to the same helper binary and nothing else
//     (protocol_client.c): the request, the helper's work and its clone, the reply with the pidfd,
//     the exit record;
//   - the same C host writing one byte in every cache line of --touch KB (default 2048) before each
//     spawn, untimed: how much colder caches alone cost the helper's path and the child.
// The C host's distance to the floor is the helper's share; the core's distance to the C host is
// Node's and procdesc's core (N-API, the event loop, the JS, and the caches they leave colder for the
// helper and the child); the drop-in's distance to the core is Node's ChildProcess and the drop-in.
const fs = require('node:fs');
const path = require('node:path');

const { readConfig, flag } = require('./config');
const { Contestant, enlist, enlistProcdescAndHelper } = require('./contestants');
const { sequential, log } = require('./scenarios');
const { floorTable } = require('./stats');

async function main() {
  const touchArg = flag(process.argv, 'touch') ?? '2048';
  const touchKb = Number(touchArg);
  if (!Number.isSafeInteger(touchKb) || touchKb <= 0) throw new Error(`--touch: a number of KB, not ${touchArg}`);
  const cfg = readConfig();
  const bins = [];
  const contestants = [];
  let samples;
  try {
    const { floorBin, clientBin, helper } = await enlistProcdescAndHelper(contestants, bins);
    log(`helper: ${helper}`);
    await enlist(contestants, new Contestant('procdesc-core', floorBin, { label: "procdesc's core, no ChildProcess" }));
    await enlist(contestants, new Contestant('client', floorBin, { label: 'C host, helper protocol', command: [clientBin, [helper]] }));
    await enlist(contestants, new Contestant('client', floorBin,
      { label: `C host, helper protocol, ${touchKb} KB touched between spawns`, command: [clientBin, [helper, String(touchKb)]] }));
    await enlist(contestants, new Contestant('floor', floorBin));
    log("scenario 1. spawn -> exit: procdesc, procdesc's core, a C host over the helper, the floor");
    samples = await sequential(contestants, 'true', cfg.sequential, cfg.warmup);
  } finally {
    await Promise.all(contestants.map((c) => c.quit()));
    for (const bin of bins) fs.rmSync(path.dirname(bin), { recursive: true, force: true });
  }
  process.stdout.write(floorTable('1. spawn -> exit', samples));
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
