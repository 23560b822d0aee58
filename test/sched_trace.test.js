'use strict';
// benchmarks/sched_trace.js cuts a scheduler trace into spawn cycles (npm run bench:timeline).
// Fed a trace written here, with every interval known, it must give those intervals back.
const assert = require('node:assert');

const { parsePerfScript, cycles, medians } = require('../benchmarks/sched_trace');

// One line as `perf script -F pid,tid,cpu,time,event,trace` prints it; t in microseconds.
function line(tid, cpu, t, event, trace) {
  return `${String(tid).padStart(7)}/${tid} [00${cpu}] ${(t / 1e6).toFixed(6)}: sched:${event}: ${trace}`;
}
const sw = (tid, cpu, t, prev, state, next) => line(tid, cpu, t, 'sched_switch',
  `prev_comm=x prev_pid=${prev} prev_prio=120 prev_state=${state} ==> next_comm=y next_pid=${next} next_prio=120`);
const wake = (tid, cpu, t, target) => line(tid, cpu, t, 'sched_wakeup', `comm=y pid=${target} prio=120 target_cpu=00${cpu}`);

const HOST = 100;
const HELPER = 200;

/** One cycle starting at t0 (child pid `child`), all on CPU 0 but the host, on CPU 1:
 *  t0      helper clones (fork), blocks (vfork); the child runs at +2
 *  +300    the child's exec releases the helper, which preempts the child at +310 and runs 40 us
 *  +350    the child runs again; +400 exec done; +1300 exit
 *  +1400   the helper runs (exit -> helper 100), sends the record: the host runs at +1430
 *  +1530   the host's request wakes the helper (host work 100); +1560 the next clone */
function cycle(t0, child) {
  return [
    line(HELPER, 0, t0, 'sched_process_fork', `comm=h pid=${HELPER} child_comm=h child_pid=${child}`),
    line(HELPER, 0, t0 + 1, 'sched_wakeup_new', `comm=h pid=${child} prio=120 target_cpu=000`),
    sw(HELPER, 0, t0 + 2, HELPER, 'D', child),
    wake(child, 0, t0 + 300, HELPER),
    sw(child, 0, t0 + 310, child, 'R+', HELPER),
    sw(HELPER, 0, t0 + 350, HELPER, 'S', child),
    line(child, 0, t0 + 400, 'sched_process_exec', `filename=/bin/true pid=${child} old_pid=${child}`),
    line(child, 0, t0 + 1300, 'sched_process_exit', `comm=true pid=${child} prio=120`),
    wake(child, 0, t0 + 1390, HELPER),
    sw(child, 0, t0 + 1400, child, 'Z', HELPER),
    wake(HELPER, 0, t0 + 1420, HOST),
    sw(0, 1, t0 + 1430, 0, 'R', HOST),
    wake(HOST, 1, t0 + 1530, HELPER),
    sw(HOST, 1, t0 + 1535, HOST, 'S', 0),
  ];
}

describe('benchmarks: sched_trace cuts a scheduler trace into spawn cycles', () => {
  const text = [
    'a line perf prints that is not an event',
    ...cycle(1_000_000, 301),
    ...cycle(1_001_560, 302),
    ...cycle(1_003_120, 303),
    line(HELPER, 0, 1_004_680, 'sched_process_fork', `comm=h pid=${HELPER} child_comm=h child_pid=304`),
    line(304, 0, 1_005_000, 'sched_process_exec', 'filename=/bin/true pid=304 old_pid=304'),
  ].join('\n');

  it('parses every event and skips the rest', () => {
    const events = parsePerfScript(text);
    assert.strictEqual(events.length, 3 * 14 + 2);
    const fork = events[0];
    assert.deepStrictEqual([fork.kind, fork.tid, fork.cpu, fork.child], ['sched_process_fork', HELPER, 0, 301]);
    assert.ok(Math.abs(fork.t - 1_000_000) < 0.01);
    const preempt = events.find((e) => e.kind === 'sched_switch' && e.prevState === 'R+');
    assert.deepStrictEqual([preempt.prevPid, preempt.nextPid], [301, HELPER]);
  });

  it('finds the helper and gives each phase of each complete cycle', () => {
    const { spawner, rows } = cycles(parsePerfScript(text), { host: HOST });
    assert.strictEqual(spawner, HELPER);
    assert.strictEqual(rows.length, 3); // the fourth child never exits in the trace
    // The middle cycle has every event around it; the helper ran 2 us into it (until it blocked in
    // its clone), 40 while the child waited, and 160 from the exit to the next clone.
    const round = (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v)]));
    assert.deepStrictEqual(round(rows[1]), {
      cycle: 1560, forkToExec: 400, childWaited: 1 + 40, execToExit: 900, exitToSpawner: 100,
      spawnerCpu: 2 + 40 + 160, waitedForSpawner: 40, waitedForHost: 0,
      exitToHost: 130, hostToRequest: 100, requestToFork: 30, hostCpu: 105,
    });
    // The first cycle has no run of the helper's before it in the trace, so it counts 2 us less.
    assert.deepStrictEqual([rows[0].spawnerCpu, medians(rows).spawnerCpu].map(Math.round), [200, 200]);
  });

  it('leaves out the warm-up cycles it is told to skip', () => {
    assert.strictEqual(cycles(parsePerfScript(text), { host: HOST, skip: 2 }).rows.length, 1);
  });
});
