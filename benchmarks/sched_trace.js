'use strict';
// Reads the scheduler's trace of a run of scenario 1 (`perf script` over sched:* tracepoints, see
// timeline.js) and cuts it into one row per spawn cycle: where the time from one child's clone to
// the next clone went, in the child, the process that clones (procdesc's helper, or the floor
// itself) and the host. Pure functions, so that a test can feed them a trace of its own.
//
// The tracepoints (Linux 6.x): sched_process_fork fires in the parent's clone; sched_process_exec at
// the end of a successful execve; sched_process_exit early in do_exit, before the exiting child's
// memory is torn down (so "exit -> parent running" includes that teardown, for the floor too);
// sched_wakeup is emitted by the waker, on the waker's CPU; sched_switch gives prev_state R (or R+)
// when the task left the CPU runnable (preempted), S/D when it went to sleep.

const LINE = /^\s*(\d+)\/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s*(.*)$/;

/** `perf script -F pid,tid,cpu,time,event,trace` text -> events, time in microseconds. */
function parsePerfScript(text) {
  const events = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, pid, tid, cpu, time, kind, trace] = m;
    const e = { pid: Number(pid), tid: Number(tid), cpu: Number(cpu), t: Number(time) * 1e6, kind };
    const field = (name) => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(trace)?.[1];
    switch (kind) {
      case 'sched_switch':
        e.prevPid = Number(field('prev_pid'));
        e.prevState = field('prev_state');
        e.nextPid = Number(field('next_pid'));
        break;
      case 'sched_wakeup':
      case 'sched_wakeup_new':
        e.target = Number(field('pid'));
        break;
      case 'sched_process_fork':
        e.child = Number(field('child_pid'));
        break;
      case 'sched_process_exec':
        e.filename = field('filename');
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

/** Sorted numbers' value at fraction q. */
function quantile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

/** First element of a sorted array >= t (undefined if none). */
function firstAtOrAfter(sorted, t) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < t) lo = mid + 1; else hi = mid;
  }
  return sorted[lo];
}

/** Total length of the parts of intervals [[a, b], ...] inside [from, to]. */
function within(intervals, from, to) {
  let sum = 0;
  for (const [a, b] of intervals) if (b > from && a < to) sum += Math.min(b, to) - Math.max(a, from);
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

  // Per task: when it started running, when it woke, its runs and its runnable-but-waiting spells.
  const runsOf = new Map();
  const waitsOf = new Map();
  const wakes = new Map();
  const hostWakesSpawner = [];
  const switchIns = new Map();
  const runningOn = new Map(); // cpu -> [tid, since]
  const runnableSince = new Map();
  const push = (map, key, value) => { let l = map.get(key); if (!l) map.set(key, (l = [])); l.push(value); };
  for (const e of events) {
    if (e.kind === 'sched_wakeup' || e.kind === 'sched_wakeup_new') {
      push(wakes, e.target, e.t);
      if (!runnableSince.has(e.target)) runnableSince.set(e.target, e.t);
      if (e.tid === host && e.target === spawner) hostWakesSpawner.push(e.t);
    } else if (e.kind === 'sched_switch') {
      const current = runningOn.get(e.cpu);
      if (current && current[0] === e.prevPid) push(runsOf, e.prevPid, [current[1], e.t, e.cpu]);
      if (e.prevState?.startsWith('R')) runnableSince.set(e.prevPid, e.t);
      if (runnableSince.has(e.nextPid)) {
        push(waitsOf, e.nextPid, [runnableSince.get(e.nextPid), e.t]);
        runnableSince.delete(e.nextPid);
      }
      push(switchIns, e.nextPid, e.t);
      runningOn.set(e.cpu, [e.nextPid, e.t]);
    }
  }
  const none = [];
  const rows = [];
  for (let i = skip; i + 1 < clones.length; i++) {
    const { t: forkAt, child } = clones[i];
    const next = clones[i + 1].t;
    const execAt = execs.get(child);
    const exitAt = exits.get(child);
    if (exitAt === undefined || exitAt > next) continue; // not sequential: no cycle to cut
    const spawnerBack = firstAtOrAfter(switchIns.get(spawner) ?? none, firstAtOrAfter(wakes.get(spawner) ?? none, exitAt) ?? Infinity);
    const row = {
      cycle: next - forkAt,
      forkToExec: execAt - forkAt,
      childWaited: within(waitsOf.get(child) ?? none, forkAt, exitAt),
      execToExit: exitAt - execAt,
      exitToSpawner: spawnerBack - exitAt,
      spawnerCpu: within(runsOf.get(spawner) ?? none, forkAt, next),
      // Who had the child's CPU while it waited (the CPU it was on when it was preempted).
      waitedForSpawner: 0,
      waitedForHost: 0,
    };
    for (const [a, b] of waitsOf.get(child) ?? none) {
      if (b <= forkAt || a >= exitAt) continue;
      const cpu = lastCpu(runsOf.get(child), a);
      const on = (tid) => (runsOf.get(tid) ?? none).filter((r) => r[2] === cpu);
      row.waitedForSpawner += within(on(spawner), a, b);
      if (host !== spawner) row.waitedForHost += within(on(host), a, b);
    }
    if (host !== spawner) {
      const hostBack = firstAtOrAfter(switchIns.get(host) ?? none, firstAtOrAfter(wakes.get(host) ?? none, exitAt) ?? Infinity);
      const requests = hostWakesSpawner.filter((t) => t > hostBack && t < next);
      const request = requests[requests.length - 1];
      Object.assign(row, {
        exitToHost: hostBack - exitAt,
        hostToRequest: request === undefined ? NaN : request - hostBack,
        requestToFork: request === undefined ? NaN : next - request,
        hostCpu: within(runsOf.get(host) ?? none, forkAt, next),
      });
    }
    rows.push(row);
  }
  return { spawner, rows };
}

/** The CPU a task last ran on before t (its runs are [start, end, cpu]); for a new task that has
 * not run yet, undefined (its wait is then on no CPU of its own). */
function lastCpu(runs, t) {
  let cpu;
  for (const [a, , c] of runs ?? []) if (a < t) cpu = c;
  return cpu;
}

/** Median of each field over the rows (NaN where no row has it). */
function medians(rows) {
  const out = {};
  for (const key of Object.keys(rows[0] ?? {})) {
    const values = rows.map((r) => r[key]).filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    out[key] = quantile(values, 0.5);
  }
  return out;
}

module.exports = { parsePerfScript, cycles, medians };
