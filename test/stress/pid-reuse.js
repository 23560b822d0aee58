'use strict';
// A PID reused after reap is never signalled. Run in a fresh PID namespace, where we can choose
// the next PID (/proc/sys/kernel/ns_last_pid):
//   unshare --pid --fork --mount-proc sh -c 'node test/stress/pid-reuse.js; exit $?'
//
// Each round, with the JS thread blocked (so no exit record can be delivered):
//   1. spawn `true` (old); wait until the helper has reaped it (/proc/<pid> is gone);
//   2. make the next PID be old's, and spawn `sleep` (the victim): it gets old's PID;
//   3. old.kill('SIGKILL'): old's ChildProcess has not seen its exit yet, so a PID-based kill
//      would hit the victim.
// Then the victim must still be alive, old must report its own exit (0), and kill() after that
// exit must hit nothing either. Prints one JSON line.
const fs = require('node:fs');

const procfs = require('../helpers/procfs');
const cp = require('../../dist/integrations/child_process.js');

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const ROUNDS = Number(arg('rounds', 20));

function exitOf(child) {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
}

async function round() {
  const old = cp.spawn('true', { stdio: 'ignore' });
  const oldExit = exitOf(old);
  const pid = old.pid;
  const deadline = Date.now() + 3000;
  while (procfs.state(pid) !== null && Date.now() < deadline) procfs.sleepSync(1);
  if (procfs.state(pid) !== null) return { skipped: 'not reaped in time' };
  fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
  const victim = cp.spawn('sleep', ['30'], { stdio: 'ignore' });
  const victimExit = exitOf(victim);
  const reused = victim.pid === pid;
  let killReturned;
  try {
    killReturned = old.kill('SIGKILL');
  } catch (err) {
    killReturned = `threw ${err.code}`;
  }
  procfs.sleepSync(30);
  const victimAliveAfterKill = procfs.state(victim.pid) === 'S' || procfs.state(victim.pid) === 'R';
  const [code, signal] = await oldExit; // now the loop runs: old's own exit record
  const afterExit = old.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 30));
  const victimAliveAfterExit = procfs.state(victim.pid) === 'S' || procfs.state(victim.pid) === 'R';
  victim.kill('SIGTERM');
  const [, victimSignal] = await victimExit;
  return { pid, reused, killReturned, victimAliveAfterKill, oldExit: [code, signal], afterExit, victimAliveAfterExit, victimSignal };
}

async function main() {
  if (process.pid > 10) throw new Error('not in a fresh PID namespace (run it under unshare --pid --fork --mount-proc)');
  // The helper and everything lazy start before the first round.
  await exitOf(cp.spawn('true'));
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
  fs.writeSync(1, `${JSON.stringify({ hostPid: process.pid, rounds })}\n`);
}

main().catch((err) => {
  fs.writeSync(1, `${JSON.stringify({ error: String(err && err.stack) })}\n`);
  process.exit(1);
});
