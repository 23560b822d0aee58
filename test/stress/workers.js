'use strict';
// Worker threads spawning at once, one terminated mid-flight.
//
// Each of --workers=N threads (and the main thread) runs --rounds=R rounds of: spawn (piped echo,
// checked), exec, spawnSync, and a short sleeper left running across the round. With
// --terminate=idle, worker 0 is terminated after 3 rounds while it waits for a running child;
// with --terminate=busy, right when it reports its third round, in the middle of its calls
// (spawn, exec, spawnSync: it is likely inside one). Every other thread must report every exit
// right; a terminated worker's helper must go away; no zombie may be left under the host or under
// any helper.
//   node test/stress/workers.js [--workers=4] [--rounds=20] [--terminate=none|idle|busy]
// Prints one JSON line.
const fs = require('node:fs');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const procfs = require('../helpers/procfs');

const arg = (name, dflt) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};

async function rounds(cp, capabilities, n, report, idleAfter = -1) {
  const bad = [];
  const sleepers = [];
  for (let i = 0; i < n; i++) {
    if (i === idleAfter) {
      // Waits for a child that outlives us: the main thread terminates us meanwhile.
      const c = cp.spawn('sleep', ['30']); // outlives the slowest run; the test kills it
      report({ idle: true, helperPid: capabilities().helperPid, sleeperPid: c.pid });
      await new Promise((r) => c.on('close', r));
    }
    const out = await new Promise((resolve) => {
      const c = cp.spawn('echo', [`r${i}`]);
      let s = '';
      c.stdout.on('data', (d) => { s += d; });
      c.on('error', (e) => resolve(`error ${e.message}`));
      c.on('close', (code) => resolve(`${s.trim()} ${code}`));
    });
    if (out !== `r${i} 0`) bad.push(`spawn ${i}: ${out}`);
    const ex = await new Promise((resolve) => cp.exec(`echo e${i}; exit 3`, (err, stdout) => resolve(`${stdout.trim()} ${err && err.code}`)));
    if (ex !== `e${i} 3`) bad.push(`exec ${i}: ${ex}`);
    const sync = cp.spawnSync('sh', ['-c', `echo s${i}; exit 4`], { encoding: 'utf8' });
    if (sync.status !== 4 || sync.stdout !== `s${i}\n`) bad.push(`spawnSync ${i}: ${sync.status} ${sync.stdout}`);
    const sleeper = cp.spawn('sleep', ['0.3']);
    sleepers.push(new Promise((resolve) => sleeper.on('close', (code) => resolve(code))));
    report({ round: i, helperPid: capabilities().helperPid, sleeperPid: sleeper.pid });
  }
  const codes = await Promise.all(sleepers);
  if (codes.some((c) => c !== 0)) bad.push(`sleepers: ${codes}`);
  return bad;
}

if (!isMainThread) {
  const cp = require('../../dist/integrations/child_process.js');
  const { capabilities } = require('../../dist/lib/index.js');
  rounds(cp, capabilities, workerData.rounds, (r) => parentPort.postMessage({ progress: r }), workerData.idleAfter)
    .then((bad) => parentPort.postMessage({ done: bad }));
} else {
  const cp = require('../../dist/integrations/child_process.js');
  const { capabilities } = require('../../dist/lib/index.js');
  const WORKERS = Number(arg('workers', 4));
  const ROUNDS = Number(arg('rounds', 20));
  const TERMINATE = arg('terminate', 'none');
  (async () => {
    const fdsBefore = procfs.fds().length;
    const helpers = new Map(); // worker index -> helper pid
    const sleeperPids = [];
    let terminatedAt = null;
    const results = await Promise.all([
      rounds(cp, capabilities, ROUNDS, (r) => helpers.set('main', r.helperPid)),
      ...Array.from({ length: WORKERS }, (_, w) => new Promise((resolve) => {
        const idleAfter = w === 0 && TERMINATE === 'idle' ? 3 : -1;
        const worker = new Worker(__filename, { workerData: { rounds: ROUNDS, idleAfter } });
        worker.on('message', (m) => {
          if (m.progress) {
            helpers.set(w, m.progress.helperPid);
            if (w === 0) sleeperPids.push(m.progress.sleeperPid);
            const busy = TERMINATE === 'busy' && m.progress.round === 2;
            if (w === 0 && (busy || m.progress.idle) && terminatedAt === null) {
              terminatedAt = m.progress.idle ? 'idle, after 3 rounds' : 'busy, after 3 rounds';
              // busy: its last sleeper runs, and it is in the middle of its next round.
              worker.terminate();
            }
          }
          if (m.done) resolve({ worker: w, bad: m.done });
        });
        worker.on('error', (e) => resolve({ worker: w, bad: [`worker error: ${e.message}`] }));
        worker.on('exit', (code) => resolve({ worker: w, terminated: code === 1 && w === 0, exitCode: code }));
      })),
    ]);
    const mainBad = results[0];
    const workers = results.slice(1);
    const terminatedHelper = TERMINATE === 'none' ? null : helpers.get(0);
    // The terminated worker's helper leaves once its channel closes; its sleepers finish on their
    // own (they belong to nobody now: re-parented, as Node's children of a dead worker would be
    // to the process).
    const helperGone = terminatedHelper === null || await procfs.waitFor(() => {
      const s = procfs.state(terminatedHelper);
      return s === null || s === 'Z';
    }, 3000);
    const otherHelpers = [...helpers.entries()].filter(([k]) => (k !== 0 || TERMINATE === 'none') && k !== 'main')
      .map(([, v]) => v);
    const othersGone = await procfs.waitFor(() => otherHelpers.every((p) => {
      const s = procfs.state(p);
      return s === null || s === 'Z';
    }), 3000);
    // The terminated worker's sleepers finish on their own (0.3 s; the idle one is killed here).
    await new Promise((r) => setTimeout(r, 400));
    const out = {
      workers: WORKERS, rounds: ROUNDS, terminate: TERMINATE, terminatedAt,
      mainBad, workerResults: workers,
      helpers: Object.fromEntries(helpers), distinctHelpers: new Set(helpers.values()).size,
      terminatedHelperGone: !!helperGone, finishedWorkersHelpersGone: !!othersGone,
      zombies: procfs.zombiesOf([process.pid, ...helpers.values()]),
      // The terminated worker's children run on, as Node's do (the idle one sleeps 30 s).
      terminatedWorkersChildrenAlive: sleeperPids.filter((p) => {
        const s = procfs.state(p);
        return s !== null && s !== 'Z';
      }),
      fdsBefore, fdsAfter: procfs.fds().length,
    };
    fs.writeSync(1, `${JSON.stringify(out)}\n`);
    process.exit(0);
  })();
}
