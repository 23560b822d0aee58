'use strict';
// npm run bench:timeline [-- --n=1000]   (Linux, root or perf_event_paranoid <= -1, perf on PATH)
// Where each contestant's spawn -> exit cycle goes, from the scheduler's own trace: one contestant
// at a time (procdesc, procdesc's core, the C host over the helper, the floor) runs scenario 1 while
// `perf record -a` takes the sched tracepoints; sched_trace.js cuts the trace into cycles. It shows
// what bench:layers cannot: which part of the distance is the child's own work, which is the child
// waiting for a CPU (and for whom), and which is the host's and the helper's turn-around.
// Times are medians over the cycles, in microseconds; tracing slows every contestant a little.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const { Contestant, compileC, compileFloor, enlist } = require('./contestants');
const { log } = require('./scenarios');
const { parsePerfScript, cycles, medians } = require('./sched_trace');

const EVENTS = ['sched_switch', 'sched_wakeup', 'sched_wakeup_new', 'sched_process_fork', 'sched_process_exec',
  'sched_process_exit'].map((e) => `sched:${e}`);

const ROWS = [
  ['cycle', 'cycle: clone -> next clone'],
  ['forkToExec', 'clone -> exec done (the child\'s setup and execve)'],
  ['execToExit', 'exec done -> exit'],
  ['childWaited', 'the child runnable but off its CPU'],
  ['waitedForSpawner', '… while the helper (the floor: its parent) had it'],
  ['waitedForHost', '… while the host had it'],
  ['exitToSpawner', 'exit -> the helper running (the floor: its parent)'],
  ['exitToHost', 'exit -> the host running'],
  ['hostToRequest', 'the host running -> its next request'],
  ['requestToFork', 'request -> the helper\'s clone'],
  ['hostCpu', 'host CPU time per cycle (its main thread)'],
  ['spawnerCpu', 'helper CPU time per cycle (the floor: its own)'],
];

function arg(name, fallback) {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

function startPerf(file) {
  const perf = spawn('perf', ['record', '-q', '-a', '-o', file, ...EVENTS.flatMap((e) => ['-e', e])], { stdio: 'inherit' });
  const state = { done: false };
  const exited = new Promise((resolve, reject) => {
    perf.once('error', reject);
    perf.once('exit', (code, signal) => { state.done = true; resolve(code ?? signal); });
  });
  return { perf, exited, state };
}

async function trace(contestant, n, dir) {
  const file = path.join(dir, 'perf.data');
  await contestant.send('true 200'); // warm: JIT, caches, the helper started
  const { perf, exited, state } = startPerf(file);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // perf's set-up, not in the trace's cycles
  if (state.done) {
    throw new Error(`perf record exited at once (${await exited}): it needs root, or kernel.perf_event_paranoid <= -1 and the sched tracepoints readable`);
  }
  await contestant.send(`true ${n}`);
  perf.kill('SIGINT');
  await exited;
  const text = execFileSync('perf', ['script', '-i', file, '-F', 'pid,tid,cpu,time,event,trace'],
    { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  fs.rmSync(file, { force: true });
  const { rows } = cycles(parsePerfScript(text), { host: contestant.proc.pid, skip: 10 });
  if (rows.length < n / 2) throw new Error(`${contestant.name}: only ${rows.length} of ${n} cycles in the trace`);
  return medians(rows);
}

async function main() {
  const n = Number(arg('n', '1000'));
  if (!Number.isSafeInteger(n) || n < 20) throw new Error(`--n: a number of spawns (20 or more), not ${arg('n')}`);
  try {
    execFileSync('perf', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('perf is not on PATH (Debian: apt-get install linux-perf)');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-timeline-'));
  const bins = [];
  const results = [];
  try {
    const floorBin = compileFloor();
    const clientBin = compileC('protocol_client.c');
    bins.push(floorBin, clientBin);
    const make = [
      () => new Contestant('procdesc', floorBin),
      () => new Contestant('procdesc-core', floorBin, { label: "procdesc's core" }),
      async () => {
        // The very helper binary procdesc runs, as layers.js finds it.
        const probe = new Contestant('procdesc', floorBin);
        try {
          await probe.ready();
          const helperPid = (await probe.send('caps')).capabilities?.helperPid;
          if (!helperPid) throw new Error('procdesc is on its fallback path here: no helper to trace');
          return new Contestant('client', floorBin, { label: 'C host', command: [clientBin, [fs.readlinkSync(`/proc/${helperPid}/exe`)]] });
        } finally {
          await probe.quit();
        }
      },
      () => new Contestant('floor', floorBin),
    ];
    for (const m of make) {
      const list = [];
      try {
        const c = await enlist(list, await m());
        log(`tracing ${c.name}: ${n} spawns`);
        results.push([c.name, await trace(c, n, dir)]);
      } finally {
        await Promise.all(list.map((c) => c.quit()));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const bin of bins) fs.rmSync(path.dirname(bin), { recursive: true, force: true });
  }
  const cell = (v) => (Number.isFinite(v) ? String(Math.round(v)) : '');
  let out = `| µs, median of ${n} cycles | ${results.map(([name]) => name).join(' | ')} |\n`;
  out += `| --- |${results.map(() => ' ---: |').join('')}\n`;
  for (const [key, label] of ROWS) out += `| ${label} | ${results.map(([, m]) => cell(m[key])).join(' | ')} |\n`;
  process.stdout.write(out);
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
