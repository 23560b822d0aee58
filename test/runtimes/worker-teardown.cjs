'use strict';
// Workers that use procdesc and end (by themselves, or terminated while a child runs or right
// after their first spawn): each environment's reader thread must be stopped and joined, with no
// Node-API call into a dying environment and no crash of the process. Prints one JSON line.
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const lib = path.resolve(__dirname, '..', '..', 'dist', 'lib', 'index.js');
const code = `const p = require(${JSON.stringify(lib)});
const { parentPort } = require('node:worker_threads');
const s = p.spawn('sh', ['-c', 'echo hi; exit 2'], { stdio: ['ignore', 'pipe', 'ignore'] });
p.spawn('sleep', ['1'], { stdio: 'ignore' });
s.exited.then((e) => parentPort.postMessage(e.code));`;
const N = 6;
let done = 0;
const codes = [];
for (let i = 0; i < N; i++) {
  const w = new Worker(code, { eval: true });
  w.on('message', (m) => {
    codes.push(m);
    if (i % 2) w.terminate();
  });
  w.on('exit', () => {
    if (++done === N) console.log(JSON.stringify({ ok: true, workers: N, codes }));
  });
  if (i === 4) setTimeout(() => w.terminate(), 5);
}
