'use strict';
// npm run bench:timeline [-- --n=1000 --rounds=4]   (Linux, perf on PATH, as root: perf record -a)
// Where each contestant's spawn -> exit cycle goes, from the scheduler's own trace: one contestant
// at a time (procdesc, procdesc's core, the C host over the helper, the floor) runs scenario 1 while
// `perf record -a` takes the sched tracepoints; sched_trace.js cuts the trace into cycles. The n
// spawns of each are taken in rounds, the contestants' order rotating, so that a drift of the
// machine does not fall on one of them (all four stay started, the others idle). It shows
// what bench:layers cannot: which part of the distance is the child's own work, which is the child
// waiting for a CPU (and for whom), and which is the host's and the helper's turn-around.
// Times are medians over the cycles, in microseconds, each row on its own (they do not add up to
// the cycle); tracing slows every contestant a little.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const { flag } = require('./config');
const { Contestant, enlist, enlistProcdescAndHelper } = require('./contestants');
const { log } = require('./scenarios');
const { parsePerfScript, cycles, summarize } = require('./sched_trace');

const EVENTS = ['sched_switch', 'sched_waking', 'sched_wakeup', 'sched_wakeup_new', 'sched_process_fork',
  'sched_process_exec', 'sched_process_exit'].map((e) => `sched:${e}`);
const SKIP = 10; // cycles left out at the start of each trace

const ROWS = [
  ['cycle', 'cycle: clone -> next clone'],
  ['forkToExec', 'clone -> exec done (the child\'s setup and execve)'],
  ['execToExit', 'exec done -> exit'],
  ['childWaited', 'the child runnable but off its CPU'],
  ['waitedForSpawner', '… while the helper (the floor: its parent) had it'],
  ['waitedForHost', '… while the host (its main thread) had it'],
  ['exitToSpawner', 'exit -> the helper running (the floor: its parent)'],
  ['exitToHost', 'exit -> the host (its main thread) on a CPU'],
  ['hostToRequest', 'the host running -> its next request (its wake-up of the helper)'],
  ['requestToFork', 'request -> the helper\'s clone'],
  ['hostCpu', 'host CPU time per cycle (its main thread)'],
  ['spawnerCpu', 'helper CPU time per cycle (the floor: its own)'],
];

function startPerf(file) {
  const perf = spawn('perf', ['record', '-q', '-a', '-o', file, ...EVENTS.flatMap((e) => ['-e', e])], { stdio: 'inherit' });
  const state = { done: false };
  const exited = new Promise((resolve, reject) => {
    perf.once('error', (err) => { state.done = true; reject(err); });
    perf.once('exit', (code, signal) => { state.done = true; resolve(code ?? signal); });
  });
  exited.catch(() => {}); // awaited later: a failure to start must not be an unhandled rejection first
  return { perf, exited, state };
}

/** The cycles of n spawns of one contestant, traced; spawnerExe: the binary that must be the one
 * cloning them (the helper, or the floor itself), so that no other process's spawns are taken. */
async function trace(contestant, n, dir, spawnerExe) {
  const file = path.join(dir, 'perf.data');
  await contestant.send('true 50'); // warm again: caches (the first round also warms the JIT)
  const { perf, exited, state } = startPerf(file);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000)); // perf's set-up, not in the trace's cycles
    if (state.done) {
      throw new Error(`perf record exited at once (${await exited}): it needs root (or kernel.perf_event_paranoid <= -1 and the sched tracepoints readable)`);
    }
    await contestant.send(`true ${n}`);
  } finally {
    // Stopped whatever happened: a perf left running would record every CPU into a deleted file.
    if (!state.done) perf.kill('SIGINT');
    await exited.catch(() => {});
  }
  // --ns: waits of a few microseconds; perf's warnings (lost events...) go to our stderr.
  const text = execFileSync('perf', ['script', '--ns', '-i', file, '-F', 'trace:pid,tid,cpu,time,event,trace'],
    { maxBuffer: 512 * 1024 * 1024, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  fs.rmSync(file, { force: true });
  const { spawner, rows } = cycles(parsePerfScript(text), { host: contestant.proc.pid, skip: SKIP });
  let exe = '';
  try {
    exe = fs.readlinkSync(`/proc/${spawner}/exe`);
  } catch { /* gone: not one of ours, which stay until the end */ }
  if (exe !== spawnerExe) throw new Error(`${contestant.name}: the trace's busiest spawner (${spawner}, ${exe || 'gone'}) is not ${spawnerExe}`);
  if (rows.length < (n - SKIP - 1) / 2) throw new Error(`${contestant.name}: only ${rows.length} of ${n} cycles in the trace`);
  return rows;
}

async function main() {
  const nArg = flag(process.argv, 'n') ?? '1000';
  const roundsArg = flag(process.argv, 'rounds') ?? '4';
  const n = Number(nArg);
  const rounds = Number(roundsArg);
  if (!Number.isSafeInteger(n) || n < 50) throw new Error(`--n: a number of spawns (50 or more), not ${nArg}`);
  if (!Number.isSafeInteger(rounds) || rounds < 1 || n / rounds < 50) {
    throw new Error(`--rounds: a positive number, with 50 spawns or more a round, not ${roundsArg}`);
  }
  const perRound = Math.floor(n / rounds); // each round the same size: the remainder is not run
  try {
    execFileSync('perf', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('perf is not on PATH (Debian: apt-get install linux-perf)');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-timeline-'));
  const bins = [];
  const contestants = [];
  const rows = new Map();
  try {
    const { floorBin, clientBin, helper } = await enlistProcdescAndHelper(contestants, bins);
    const floorExe = fs.realpathSync(floorBin);
    await enlist(contestants, new Contestant('procdesc-core', floorBin, { label: "procdesc's core" }));
    await enlist(contestants, new Contestant('client', floorBin, { label: 'C host', command: [clientBin, [helper]] }));
    await enlist(contestants, new Contestant('floor', floorBin));
    for (const c of contestants) {
      rows.set(c, []);
      await c.send('true 200'); // the JIT, the helper started
    }
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < contestants.length; k++) {
        const c = contestants[(k + r) % contestants.length];
        log(`round ${r + 1} of ${rounds}: tracing ${c.name}, ${perRound} spawns`);
        rows.get(c).push(...(await trace(c, perRound, dir, c.name === 'floor' ? floorExe : helper)));
      }
    }
  } finally {
    await Promise.all(contestants.map((c) => c.quit()));
    fs.rmSync(dir, { recursive: true, force: true });
    for (const bin of bins) fs.rmSync(path.dirname(bin), { recursive: true, force: true });
  }
  const results = contestants.map((c) => [c.name, { cycles: rows.get(c).length, summary: summarize(rows.get(c)) }]);
  // A median over fewer cycles than the trace has (the event was not found in some) says over how many.
  const cell = (r, key) => {
    const s = r.summary[key];
    if (!s || !Number.isFinite(s.median)) return '';
    return s.count === r.cycles ? String(Math.round(s.median)) : `${Math.round(s.median)} (${s.count} cycles)`;
  };
  let out = `| µs, medians | ${results.map(([name, r]) => `${name} (${r.cycles} cycles)`).join(' | ')} |\n`;
  out += `| --- |${results.map(() => ' ---: |').join('')}\n`;
  for (const [key, label] of ROWS) out += `| ${label} | ${results.map(([, r]) => cell(r, key)).join(' | ')} |\n`;
  process.stdout.write(out);
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
