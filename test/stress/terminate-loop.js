'use strict';
// The worker-termination case, over and over, with the other core kept busy: a worker terminated
// in the middle of its spawn/exec/spawnSync calls must never take the process down (a napi call
// for an environment that is tearing down used to end in a fatal error), and every other thread's
// exits must stay right.
//   node test/stress/terminate-loop.js [--runs=100] [--burn=1]
// Prints one JSON line: runs, failures (with what each printed), ms.
const path = require('node:path');
const { spawn } = require('node:child_process');
const { Worker } = require('node:worker_threads');

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const RUNS = Number(arg('runs', 100));
const BURN = Number(arg('burn', 1));

// A thread that spins: the other core is busy, as on a loaded CI machine.
const burners = Array.from({ length: BURN }, () => new Worker('for (;;) {}', { eval: true }));

function once(i) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'workers.js'), '--workers=4', '--rounds=8', '--terminate=busy'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code, signal) => {
      let json = null;
      try { json = JSON.parse(out.trim().split('\n').pop()); } catch { /* reported below */ }
      const bad = json && !json.error && json.mainBad.length === 0 &&
        json.workerResults.every((w) => (w.worker === 0 ? w.terminated : w.bad.length === 0)) &&
        json.zombies.length === 0 ? null : { run: i, code, signal, stderr: err.slice(-1500), json };
      resolve(bad);
    });
  });
}

(async () => {
  const t0 = Date.now();
  const failures = [];
  for (let i = 0; i < RUNS; i++) {
    const bad = await once(i);
    if (bad) failures.push(bad);
  }
  for (const b of burners) b.terminate();
  console.log(JSON.stringify({ node: process.version, runs: RUNS, failures, ms: Date.now() - t0 }));
  process.exitCode = failures.length ? 1 : 0;
})();
