'use strict';
// One run of the pipeline scenario in a fresh Node process: `head -c N /dev/zero | cat | wc -c`,
// joined either by procdesc's kernel pipes (`procdesc`: pipeline()) or through this process with
// Node streams (`streams`: node:child_process, a.stdout.pipe(b.stdin)). Prints one JSON line: this
// process's CPU time (user + system, µs) from before the first spawn to the last stage's exit,
// the wall time, and what `wc -c` counted.
// Usage: node pipeline_worker.js procdesc|streams <bytes>
const cp = require('node:child_process');
const path = require('node:path');

const [mode, bytesArg] = process.argv.slice(2);
const bytes = Number(bytesArg);
const stages = [['head', ['-c', String(bytes), '/dev/zero']], ['cat', []], ['wc', ['-c']]];

function collect(stream) {
  return new Promise((resolve) => {
    let out = '';
    stream.on('data', (d) => { out += d; });
    stream.on('end', () => resolve(out));
  });
}

// Loaded, and its helper started, before the clock starts: a one-time cost per process, as
// node:child_process's own loading is not counted either.
const procdesc = mode === 'procdesc' ? require(path.join(__dirname, '..', 'dist', 'lib', 'index.js')) : null;
if (procdesc && procdesc.capabilities().path !== 'procdesc') throw new Error('procdesc is on its fallback path');

async function viaProcdesc() {
  const { pipeline } = procdesc;
  const p = pipeline(stages.map(([f, a], i) => [f, a, { stdio: ['pipe', 'pipe', 'inherit'] }]));
  const out = collect(p.stdout);
  await p.exited;
  return out;
}

async function viaStreams() {
  const children = stages.map(([f, a]) => cp.spawn(f, a, { stdio: ['pipe', 'pipe', 'inherit'] }));
  for (let i = 0; i + 1 < children.length; i++) children[i].stdout.pipe(children[i + 1].stdin);
  children[0].stdin.end();
  const out = collect(children[children.length - 1].stdout);
  await Promise.all(children.map((c) => new Promise((r) => c.once('close', r))));
  return out;
}

(async () => {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const out = await (mode === 'procdesc' ? viaProcdesc() : viaStreams());
  const c = process.cpuUsage(c0);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ mode, bytes, cpuUs: c.user + c.system, wallMs, counted: Number(out.trim()) }));
})();
