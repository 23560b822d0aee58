'use strict';
// A host for the faults that need the process itself to be limited: run it under
// `prlimit --nofile=...` or as an unprivileged user with `prlimit --nproc=...`, once with
// --lib=node and once with --lib=procdesc, and compare.
//
//   --case=emfile [--max-free=N]  fill the fd table, then for k = 0..N free fds try one spawn with
//                                 its three stdio pipes: it must work or report EMFILE, leave no
//                                 process behind, and a spawn after the fds are back must work
//   --case=nproc [--max=N]        spawn sleepers until the kernel refuses (EAGAIN), kill them,
//                                 then a spawn must work
// Prints one JSON line.
const fs = require('node:fs');

const procfs = require('../helpers/procfs');
const { errorShape } = require('../helpers/observe');

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const LIB = arg('lib', 'procdesc');
const cp = LIB === 'node' ? require('node:child_process') : require('../../dist/integrations/child_process.js');

/** Runs one spawn to its end: 'threw' (sync), or its events until 'close' (or the first 'spawn'). */
function attempt(file, args, opts, { untilSpawn = false } = {}) {
  let child;
  try {
    child = cp.spawn(file, args, opts);
  } catch (err) {
    return Promise.resolve({ threw: errorShape(err) });
  }
  return new Promise((resolve) => {
    const events = [];
    child.on('spawn', () => {
      events.push('spawn');
      if (untilSpawn) resolve({ events, child });
    });
    child.on('error', (e) => events.push(['error', errorShape(e)]));
    child.on('exit', (code, signal) => events.push(['exit', code, signal]));
    child.on('close', (code, signal) => {
      events.push(['close', code, signal]);
      resolve({ events, child });
    });
    child.stdout?.resume();
    child.stderr?.resume();
  });
}

/** Processes whose command line is exactly argv (a unique marker in it names our child). */
function processesWithArgv(argv) {
  const want = `${argv.join('\0')}\0`;
  return procfs.allPids().filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1') === want;
    } catch {
      return false;
    }
  });
}

function killIfAlive(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

async function emfile() {
  const maxFree = Number(arg('max-free', 10));
  // The helper runs and everything lazy is loaded before the table is filled.
  await attempt('true', [], {});
  await attempt('echo', ['warm'], {});
  const baseline = procfs.fds().length;
  const rows = [];
  for (let free = 0; free <= maxFree; free++) {
    const fillers = [];
    try {
      for (;;) fillers.push(fs.openSync('/dev/null', 'r'));
    } catch (err) {
      if (err.code !== 'EMFILE') throw err;
    }
    for (let i = 0; i < free && fillers.length; i++) fs.closeSync(fillers.pop());
    // A marker that names this attempt's child: if the spawn is reported as failed, no process
    // with this command line may be running.
    const marker = `${(1000 + free) / 100}${String(process.pid).padStart(7, '0')}`;
    const res = await attempt('sleep', [marker], {}, { untilSpawn: true });
    let leaked = [];
    let killed = null;
    if (res.events && res.events[0] === 'spawn') {
      // It works: while the table is full we only make sure it can be killed.
      const closed = new Promise((r) => res.child.on('close', (code, signal) => r(signal)));
      res.child.kill('SIGKILL');
      killed = await closed;
    }
    for (const f of fillers) fs.closeSync(f);
    if (!res.events || res.events[0] !== 'spawn') {
      await new Promise((r) => setTimeout(r, 100));
      leaked = processesWithArgv(['sleep', marker]);
      for (const pid of leaked) killIfAlive(pid);
    }
    // The same for spawnSync: its pipes are made by the addon (Node's by its private loop).
    const fillers2 = [];
    try {
      for (;;) fillers2.push(fs.openSync('/dev/null', 'r'));
    } catch (err) {
      if (err.code !== 'EMFILE') throw err;
    }
    for (let i = 0; i < free && fillers2.length; i++) fs.closeSync(fillers2.pop());
    const syncArgv = ['-c', 'sleep 0.5', `sync-${marker}`];
    let sync;
    try {
      const r = cp.spawnSync('sh', syncArgv, { encoding: 'utf8' });
      sync = r.error ? { error: { ...errorShape(r.error), spawnargs: undefined, message: r.error.message.replace(syncArgv[2], '<marker>') },
        status: r.status, pid: r.pid } : { status: r.status };
    } catch (err) {
      sync = { threw: errorShape(err) };
    }
    for (const f of fillers2) fs.closeSync(f);
    // A child whose spawn failed may still be dying (procdesc's helper kills one whose pidfd the
    // host could not take): give it the same moment as the async case before calling it leaked.
    if (sync.status !== 0) await new Promise((r) => setTimeout(r, 100));
    const syncLeaked = sync.status === 0 ? [] : processesWithArgv(['sh', ...syncArgv]);
    for (const pid of syncLeaked) killIfAlive(pid);
    const after = await attempt('echo', [`after ${free}`], {});
    rows.push({
      sync,
      syncLeaked,
      free,
      outcome: res.threw ? { threw: res.threw } : { events: res.events.map((e) => (Array.isArray(e) && e[0] === 'error'
        ? ['error', { ...e[1], spawnargs: e[1].spawnargs && e[1].spawnargs.map((a) => (a === marker ? '<marker>' : a)),
          message: e[1].message }] : e)) },
      killed,
      leaked,
      after: after.events ? after.events.filter((e) => e !== 'spawn') : after,
    });
  }
  await new Promise((r) => setTimeout(r, 100));
  return { case: 'emfile', lib: LIB, baseline, fdsAfter: procfs.fds().length, rows };
}

async function nproc() {
  const max = Number(arg('max', 200));
  const sleepers = [];
  let failure = null;
  for (let i = 0; i < max && !failure; i++) {
    const res = await attempt('sleep', ['100'], { stdio: 'ignore' }, { untilSpawn: true });
    if (res.events && res.events[0] === 'spawn') sleepers.push(res.child);
    else failure = res.threw ? { threw: res.threw } : { events: res.events };
  }
  const exits = sleepers.map((c) => new Promise((r) => c.on('close', (code, signal) => r(signal))));
  for (const c of sleepers) c.kill('SIGKILL');
  const signals = await Promise.all(exits);
  const after = await attempt('echo', ['after'], {});
  return {
    case: 'nproc', lib: LIB, uid: process.getuid(), spawned: sleepers.length, failure,
    allKilled: signals.every((s) => s === 'SIGKILL'), after: after.events ? after.events.filter((e) => e !== 'spawn') : after,
  };
}

const cases = { emfile, nproc };
cases[arg('case', 'emfile')]().then((out) => {
  fs.writeSync(1, `${JSON.stringify(out)}\n`);
  process.exit(0);
}, (err) => {
  fs.writeSync(1, `${JSON.stringify({ error: String(err && err.stack) })}\n`);
  process.exit(1);
});
