'use strict';
// npm run bench:placement [-- --scale=…] [--op=echo|kill|sync]
// How much of scenario 1's distance to the floor is where the scheduler puts the processes. The floor
// is one process: it clones, sleeps until its child has exec'd, and waits for it, all on one CPU
// whose caches stay warm. procdesc is three: the host's JS, the helper and the child wake one another
// in turn (seen with perf's sched events on a 2-vCPU VM: the host and the helper often share a CPU;
// a child cloned while the host is still runnable there starts on the other CPU, which the helper
// avoids when it can: native/helper/requests.c, host_waits_here_alone). This times the same
// procdesc twice in one interleaved run, once placed by the scheduler and once with the host on one CPU and the helper (so its children too) on
// another (taskset, from util-linux), beside the floor. A diagnosis, not a recommendation: pinning
// is the machine owner's choice, and procdesc never pins anything itself.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const { readConfig, flag } = require('./config');
const { Contestant, compileFloor, enlist } = require('./contestants');
const { sequential, log } = require('./scenarios');
const { floorTable } = require('./stats');

const OPS = { true: '1. spawn -> exit', echo: '2. piped spawn -> close', kill: '6. kill -> exit', sync: '7. spawnSync' };

/** The CPUs a process may run on, as /proc lists them ('0-1', '2,5-7'). */
function allowedList(pid) {
  return fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Cpus_allowed_list:\s*(\S+)/m)?.[1];
}

/** Every thread of pid on cpu (the worker's libuv and V8 threads too), read back from /proc. */
function pin(pid, cpu) {
  execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', String(cpu), String(pid)], { stdio: 'ignore' });
  const allowed = allowedList(pid);
  if (allowed !== String(cpu)) throw new Error(`pid ${pid} may run on CPUs ${allowed}, not ${cpu} alone`);
  return allowed;
}

/** The CPUs this process may run on (a cpuset or taskset may leave out CPU 0), in order. */
function allowedCpus() {
  return allowedList('self').split(',').flatMap((range) => {
    const [a, b = a] = range.split('-').map(Number);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

async function main() {
  const cpus = allowedCpus();
  if (cpus.length < 2) throw new Error(`needs 2 CPUs or more (this process may use ${cpus.join(', ')})`);
  const [hostCpu, helperCpu] = cpus;
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('needs taskset (util-linux)');
  }
  const op = flag(process.argv, 'op') ?? 'true';
  if (!OPS[op]) throw new Error(`--op: one of ${Object.keys(OPS).join(', ')}`);
  const cfg = readConfig();
  const floorBin = compileFloor();
  const contestants = [];
  let samples;
  try {
    await enlist(contestants, new Contestant('procdesc', floorBin, { label: 'procdesc, placed by the scheduler' }));
    const pinned = await enlist(contestants, new Contestant('procdesc', floorBin, { label: 'procdesc, host and helper on CPUs of their own' }));
    await enlist(contestants, new Contestant('floor', floorBin));
    const helperPid = (await pinned.send('caps')).capabilities?.helperPid;
    if (!helperPid) throw new Error('procdesc is on its fallback path here: no helper to place');
    // The helper was started before this (caps starts it), so it is pinned on its own.
    log(`pinned: host ${pinned.proc.pid} on CPU ${pin(pinned.proc.pid, hostCpu)}, helper ${helperPid} on CPU ${pin(helperPid, helperCpu)}`);
    log(`scenario ${OPS[op]}: procdesc placed freely and pinned, beside the floor`);
    samples = await sequential(contestants, op, op === 'kill' ? cfg.kill : cfg.sequential, cfg.warmup);
  } finally {
    await Promise.all(contestants.map((c) => c.quit()));
    fs.rmSync(path.dirname(floorBin), { recursive: true, force: true });
  }
  process.stdout.write(floorTable(OPS[op], samples));
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
