'use strict';
// The library used from a worker thread only: the main thread never loads the addon (as with a
// worker pool that spawns). The worker spawns a child, waits for it, then ends as --how= says:
//   natural    its event loop empties
//   exit       process.exit(0) inside the worker
//   terminate  worker.terminate() from the main thread, while it waits for a child
// The process must live on. Prints one JSON line { how, workerExitCode, childOk, hostAlive }.
const fs = require('node:fs');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const HOW = arg('how', 'natural');
const LIB = path.resolve(__dirname, '..', '..', 'dist', 'integrations', 'child_process.js');

const code = `
  const { parentPort } = require('node:worker_threads');
  const cp = require(${JSON.stringify(LIB)});
  const c = cp.spawn('sh', ['-c', 'echo ok']);
  let out = '';
  c.stdout.on('data', (d) => { out += d; });
  c.on('close', (status) => {
    parentPort.postMessage({ childOk: out === 'ok\\n' && status === 0 });
    if (${JSON.stringify(HOW)} === 'exit') process.exit(0);
    if (${JSON.stringify(HOW)} === 'terminate') cp.spawn('sleep', ['0.5']); // running when terminated
  });
`;

let childOk = null;
const worker = new Worker(code, { eval: true });
worker.on('message', (m) => {
  childOk = m.childOk;
  if (HOW === 'terminate') setTimeout(() => worker.terminate(), 50);
});
worker.on('exit', (workerExitCode) => {
  // Give whatever the worker's teardown left to the loop a few turns before declaring victory.
  setTimeout(() => {
    fs.writeSync(1, `${JSON.stringify({ how: HOW, workerExitCode, childOk, hostAlive: true })}\n`);
  }, 200);
});
