'use strict';
// A host that goes away while its children run. It starts:
//   - sleepers: `sleep 60` with piped stdio, with stdio 'ignore', and detached;
//   - a writer: a shell that writes to its piped stdout every 20 ms;
// writes one JSON line { hostPid, helperPid, sleepers: [{ pid, start }], writer } with a
// synchronous write (so that even SIGKILL cannot lose it), then ends as --how= says:
//   exit      process.exit(0)
//   throw     an uncaught exception
//   sigterm   SIGTERM to itself (default action: death)
//   sigkill   SIGKILL to itself
//   natural   every child unref()'d: the event loop empties
// The caller then checks that no helper is left behind, and that the children fare as under
// node:child_process (--lib=node): sleepers live on, the writer dies of its broken pipe.
const fs = require('node:fs');

const procfs = require('../helpers/procfs');

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const LIB = arg('lib', 'procdesc');
const HOW = arg('how', 'exit');
const cp = LIB === 'node' ? require('node:child_process') : require('../../dist/integrations/child_process.js');
const { capabilities } = require('../../dist/lib/index.js');

async function main() {
  const sleepers = [
    cp.spawn('sleep', ['60']),
    cp.spawn('sleep', ['60'], { stdio: 'ignore' }),
    cp.spawn('sleep', ['60'], { stdio: 'ignore', detached: true }),
  ];
  const writer = cp.spawn('sh', ['-c', 'while :; do echo tick || exit 9; sleep 0.02; done']);
  const all = [...sleepers, writer];
  await Promise.all(all.map((c) => new Promise((r) => c.once('spawn', r))));
  // The writer has written at least once, so its pipe is known to work before we go.
  await new Promise((r) => writer.stdout.once('data', r));
  const info = {
    lib: LIB, how: HOW, hostPid: process.pid,
    helperPid: LIB === 'node' ? null : capabilities().helperPid,
    sleepers: sleepers.map((c) => ({ pid: c.pid, start: procfs.startTime(c.pid) })),
    writer: { pid: writer.pid, start: procfs.startTime(writer.pid) },
  };
  fs.writeSync(1, `${JSON.stringify(info)}\n`);
  switch (HOW) {
    case 'exit': process.exit(0); break;
    case 'throw': throw new Error('the host dies of an uncaught exception');
    case 'sigterm': process.kill(process.pid, 'SIGTERM'); break;
    case 'sigkill': process.kill(process.pid, 'SIGKILL'); break;
    case 'natural':
      for (const c of all) {
        c.unref();
        for (const s of c.stdio) s?.unref?.();
      }
      writer.stdout.destroy();
      break;
    default: throw new Error(`unknown --how=${HOW}`);
  }
}

main();
