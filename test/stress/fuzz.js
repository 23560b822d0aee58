'use strict';
// Bad input: every public function of the drop-in gets random and hostile arguments from a seeded
// generator, and must throw, emit or succeed exactly as node:child_process does on the same input
// (the synchronous throw or return, the async events with their error shapes, the exec callback,
// the sync result or error).
//
// Each call is generated as a small JSON-able "spec", materialized twice (fresh objects for each
// library, since Node mutates some of them) and printed as JS source when the two outcomes differ,
// so any mismatch is reproducible by hand. Only harmless programs run: file names come from a small
// set ('true', 'echo', 'cat', names that do not exist, paths that cannot be executed, strings
// with null bytes); arguments never hold shell metacharacters that redirect, chain or glob.
// Timing-dependent inputs are avoided (no timeout short enough to fire), or normalized (the exit
// status of a child killed for maxBuffer).
//
//   node test/stress/fuzz.js [--seed=N] [--iterations=N per function] [--budget-ms=N]
//                            [--only=spawn,exec,...] [--out=file.json]
// Prints (and writes to --out) one JSON line: { seed, cases, perFunction, mismatches: [...] }.
//
// The parts: fuzz/specs.js (seeded generator, specs), fuzz/generators.js (the arguments of each
// function), fuzz/outcomes.js (running a case, recording its outcome), fuzz/known-bugs.js,
// fuzz/runner.js (the worker's loop and the driver). This file is the command line and the API.
const fs = require('node:fs');
const util = require('node:util');

const { Gen, materialize, show } = require('./fuzz/specs');
const { GENERATORS, FUNCTIONS, CLOSED_FD } = require('./fuzz/generators');
const { runCase } = require('./fuzz/outcomes');
const { KNOWN_BUGS, knownBug } = require('./fuzz/known-bugs');
const { fuzz, fuzzCases } = require('./fuzz/runner');

module.exports = { fuzz, fuzzCases, FUNCTIONS, GENERATORS, Gen, KNOWN_BUGS, knownBug, materialize, show, runCase };

if (require.main === module) {
  const arg = (name, dflt) => {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? a.slice(name.length + 3) : dflt;
  };
  const only = arg('only', null);
  const options = {
    seed: Number(arg('seed', 1)),
    iterations: Number(arg('iterations', 100)),
    only: only ? only.split(',') : FUNCTIONS,
  };
  if (process.argv.includes('--worker')) {
    // The fd the fuzzer uses as "closed" must be closed.
    try { fs.closeSync(CLOSED_FD); } catch { /* already closed */ }
    const resume = arg('resume', null);
    // Keeps the loop alive: a case that waits for an event which never comes must show as a hang
    // (and be killed by the driver's watchdog), not as a silent exit.
    const keepAlive = setInterval(() => {}, 1000);
    fuzzCases({
      ...options,
      deadline: Number(arg('deadline', Infinity)),
      resume: resume ? { fn: resume.split(':')[0], index: Number(resume.split(':')[1]) } : null,
      log: arg('log', null),
      progress: arg('progress', null),
    }).then(() => {
      clearInterval(keepAlive);
      process.exit(0); // children left running by a case (none should be) must not keep us here
    }, (err) => {
      process.stderr.write(`fuzz worker failed: ${util.inspect(err)}\n`);
      process.exit(1);
    });
  } else {
    fuzz({ ...options, budgetMs: Number(arg('budget-ms', 60000)), strict: process.argv.includes('--strict') }).then((result) => {
      const line = JSON.stringify(result);
      const out = arg('out', null);
      if (out) fs.writeFileSync(out, line);
      process.stdout.write(`${line}\n`);
    });
  }
}
