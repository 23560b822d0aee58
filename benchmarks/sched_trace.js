'use strict';
// Reads the scheduler's trace of a run of scenario 1 (`perf script` over sched:* tracepoints, see
// timeline.js) and cuts it into one row per spawn cycle: where the time from one child's clone to
// the next clone went, in the child, the process that clones (procdesc's helper, or the floor
// itself) and the host. Pure functions, so that a test can feed them a trace of its own.
//
// The tracepoints (Linux 6.x):
// - sched_process_fork fires in the parent's clone; sched_process_exec at the end of a successful
//   execve; sched_process_exit early in do_exit: on the 6.18 kernel these tools were written on (its
//   event carries group_dead), before the exiting child's memory is torn down, so that "exit ->
//   parent running" includes that teardown, for the floor too (where it fires has moved between
//   kernel versions: on an older one the teardown may fall in "exec -> exit" instead);
// - sched_waking is emitted by the waker, in its own context; sched_wakeup when the woken task is
//   queued, which may be later and on the target CPU (then under that CPU's current task, often the
//   idle task): who woke whom comes from sched_waking, when a task became runnable from sched_wakeup;
// - sched_wakeup may also name a task that is already on a CPU (it was woken before it slept):
//   that starts no wait (a task's mark is cleared whenever it leaves a CPU);
// - sched_switch gives prev_state R (or R+) when the task left the CPU runnable (preempted), S/D
//   when it went to sleep.
const { median } = require('./stats');

const LINE = /^\s*(\d+)\/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s*(.*)$/;
const FIELDS = ['prev_pid', 'prev_state', 'next_pid', 'pid', 'child_pid', 'filename'];
const FIELD = Object.fromEntries(FIELDS.map((name) => [name, new RegExp(`(?:^|\\s)${name}=(\\S+)`)]));
const field = (trace, name) => FIELD[name].exec(trace)?.[1];

/** `perf script -F pid,tid,cpu,time,event,trace` text -> events, time in microseconds. */
function parsePerfScript(text) {
  const events = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, pid, tid, cpu, time, kind, trace] = m;
    const e = { pid: Number(pid), tid: Number(tid), cpu: Number(cpu), t: Number(time) * 1e6, kind };
    switch (kind) {
      case 'sched_switch':
        e.prevPid = Number(field(trace, 'prev_pid'));
        e.prevState = field(trace, 'prev_state');
        e.nextPid = Number(field(trace, 'next_pid'));
        break;
      case 'sched_waking':
      case 'sched_wakeup':
      case 'sched_wakeup_new':
        e.target = Number(field(trace, 'pid'));
        break;
      case 'sched_process_fork':
        e.child = Number(field(trace, 'child_pid'));
        break;
      case 'sched_process_exec':
        e.filename = field(trace, 'filename');
        break;
      case 'sched_process_exit':
        break;
      default:
        continue;
    }
    events.push(e);
  }
  return events;
}

/** Index of the first element of sorted `list` whose key(element) >= t (list.length if none). */
function lowerBound(list, t, key = (x) => x) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]) < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Total length of the parts of one task's intervals [[start, end, cpu], ...] (in time order, not
 * overlapping) inside [from, to], counting only those on `cpu` when it is given. */
function within(intervals, from, to, cpu) {
  let sum = 0;
  for (let i = lowerBound(intervals, from, (x) => x[1]); i < intervals.length && intervals[i][0] < to; i++) {
    const [a, b, c] = intervals[i];
    if (cpu === undefined || c === cpu) sum += Math.min(b, to) - Math.max(a, from);
  }
  return sum;
}

/**
 * One row per cycle of the process that cloned the most children exec'ing `file`.
 * host: the tid of the thread that asks for the spawns (for the floor, the spawner itself).
 * skip: cycles to leave out at the start (warm-up).
 */
function cycles(events, { host, file = '/bin/true', skip = 0 }) {
  const execs = new Map();
  const exits = new Map();
  for (const e of events) {
    if (e.kind === 'sched_process_exec' && e.filename === file) execs.set(e.tid, e.t);
    if (e.kind === 'sched_process_exit') exits.set(e.tid, e.t);
  }
  const forks = events.filter((e) => e.kind === 'sched_process_fork' && execs.has(e.child));
  const count = new Map();
  for (const f of forks) count.set(f.tid, (count.get(f.tid) ?? 0) + 1);
  const spawner = [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (spawner === undefined) return { spawner, rows: [] };
  const clones = forks.filter((f) => f.tid === spawner);

  // Per task: its runs and its runnable-but-waiting spells, each [start, end, cpu]; its switch-ins.
  const runsOf = new Map();
  const waitsOf = new Map();
  const switchIns = new Map();
  const hostWakesSpawner = [];
  const runningOn = new Map(); // cpu -> [tid, since]
  const runnableSince = new Map();
  const push = (map, key, value) => { let l = map.get(key); if (!l) map.set(key, (l = [])); l.push(value); };
  for (const e of events) {
    if (e.kind === 'sched_waking') {
      if (e.tid === host && e.target === spawner) hostWakesSpawner.push(e.t);
    } else if (e.kind === 'sched_wakeup' || e.kind === 'sched_wakeup_new') {
      // A task woken while still on its CPU has its mark cleared when it leaves the CPU (below).
      if (!runnableSince.has(e.target)) runnableSince.set(e.target, e.t);
    } else if (e.kind === 'sched_switch') {
      const current = runningOn.get(e.cpu);
      if (current && current[0] === e.prevPid) push(runsOf, e.prevPid, [current[1], e.t, e.cpu]);
      runnableSince.delete(e.prevPid);
      if (e.prevState?.startsWith('R')) runnableSince.set(e.prevPid, e.t);
      if (runnableSince.has(e.nextPid)) {
        push(waitsOf, e.nextPid, [runnableSince.get(e.nextPid), e.t, e.cpu]);
        runnableSince.delete(e.nextPid);
      }
      push(switchIns, e.nextPid, e.t);
      runningOn.set(e.cpu, [e.nextPid, e.t]);
    }
  }
  const none = [];
  // When the task runs at or next after t: t itself if it is on a CPU then.
  const runningFrom = (tid, t) => {
    const runs = runsOf.get(tid) ?? none;
    const i = lowerBound(runs, t, (x) => x[1]);
    if (i < runs.length && runs[i][0] <= t) return t;
    const ins = switchIns.get(tid) ?? none;
    return ins[lowerBound(ins, t)] ?? NaN;
  };
  const spawnerRuns = runsOf.get(spawner) ?? none;
  const hostRuns = runsOf.get(host) ?? none;
  const separateHost = host !== spawner; // the floor is its own host
  const rows = [];
  for (let i = skip; i + 1 < clones.length; i++) {
    const { t: forkAt, child } = clones[i];
    const next = clones[i + 1].t;
    const execAt = execs.get(child);
    const exitAt = exits.get(child);
    if (exitAt === undefined || exitAt > next) continue; // not sequential: no cycle to cut
    const row = {
      cycle: next - forkAt,
      forkToExec: execAt - forkAt,
      childWaited: 0,
      execToExit: exitAt - execAt,
      exitToSpawner: runningFrom(spawner, exitAt) - exitAt,
      spawnerCpu: within(spawnerRuns, forkAt, next),
      // Who had the CPU the child waited for (the one it then ran on).
      waitedForSpawner: 0,
      ...(separateHost ? { waitedForHost: 0 } : {}),
    };
    for (const [start, end, cpu] of waitsOf.get(child) ?? none) {
      const a = Math.max(start, forkAt);
      const b = Math.min(end, exitAt);
      if (b <= a) continue;
      row.childWaited += b - a;
      row.waitedForSpawner += within(spawnerRuns, a, b, cpu);
      if (separateHost) row.waitedForHost += within(hostRuns, a, b, cpu);
    }
    if (separateHost) {
      const hostBack = runningFrom(host, exitAt);
      // The host's last wake-up of the helper before the clone: the request it answers.
      const j = lowerBound(hostWakesSpawner, next) - 1;
      const request = j >= 0 && hostWakesSpawner[j] > hostBack ? hostWakesSpawner[j] : NaN;
      Object.assign(row, {
        exitToHost: hostBack - exitAt,
        hostToRequest: request - hostBack,
        requestToFork: next - request,
        hostCpu: within(hostRuns, forkAt, next),
      });
    }
    rows.push(row);
  }
  return { spawner, rows };
}

/** Per field: the median over the rows that have a finite value for it, and how many do. */
function summarize(rows) {
  const out = {};
  for (const key of new Set(rows.flatMap((r) => Object.keys(r)))) {
    const values = rows.map((r) => r[key]).filter((v) => Number.isFinite(v));
    out[key] = { median: values.length ? median(values) : NaN, count: values.length };
  }
  return out;
}

module.exports = { parsePerfScript, cycles, summarize };
