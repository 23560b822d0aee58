'use strict';
// benchmarks/sched_trace.js cuts a scheduler trace into spawn cycles (npm run bench:timeline).
// Fed a trace written here, with every interval known, it must give those intervals back.
const assert = require('node:assert');

const { parsePerfScript, cycles, summarize } = require('../benchmarks/sched_trace');

// One line as `perf script --ns -F pid,tid,cpu,time,event,trace` prints it; t in microseconds.
function line(tid, cpu, t, event, trace) {
  return `${String(tid).padStart(7)}/${tid} [00${cpu}] ${(t / 1e6).toFixed(9)}: sched:${event}: ${trace}`;
}
const sw = (tid, cpu, t, prev, state, next) => line(tid, cpu, t, 'sched_switch',
  `prev_comm=a b prev_pid=${prev} prev_prio=120 prev_state=${state} ==> next_comm=c d next_pid=${next} next_prio=120`);
// A wake-up: sched_waking in the waker, sched_wakeup logged where `logged` says (tid, cpu).
const wake = (waker, cpu, t, target, logged = [waker, cpu]) => [
  line(waker, cpu, t, 'sched_waking', `comm=y pid=${target} prio=120 target_cpu=00${cpu}`),
  line(logged[0], logged[1], t, 'sched_wakeup', `comm=y pid=${target} prio=120 target_cpu=00${logged[1]}`),
];

const HOST = 100;
const HELPER = 200;

/** One cycle starting at t0 (child pid `child`); the child and the helper on CPU 0:
 *  t0      the helper clones (fork) and blocks (vfork); the child runs at +2 (waited 1 us)
 *  +300    the child's exec releases the helper, which preempts the child at +310, wakes the host
 *          on CPU 0 at +330 and sleeps at +340; the host runs until +350 (the child waited 40 us:
 *          30 for the helper, 10 for the host; the host's 5 us on CPU 1 at +315 do not count)
 *  +400    exec done; +600 a wake-up of the child while it runs (it starts no wait); it sleeps at
 *          +700, is woken at +800 and runs at +805 (waited 5); +1300 exit;
 *          the helper runs at +1400 (exit -> helper 100)
 *  +1420   the helper's record wakes the host, which runs on CPU 1 at +1430 (exit -> host 130)
 *  +1530   the host's request wakes the helper, logged under the idle task of CPU 0 (host work
 *          100); the host sleeps at +1535; another task wakes the helper at +1545 (not a request);
 *          +1560 the next clone (request -> clone 30) */
function cycle(t0, child, { hostBusy = false, request = true } = {}) {
  // hostBusy: the host runs on CPU 1 from +1250 (woken by another task), so that it is on a CPU
  // when the child exits and when the record's wake-up comes: exit -> host 0.
  const hostBack = hostBusy
    ? [...wake(999, 1, t0 + 1240, HOST, [0, 1]), sw(0, 1, t0 + 1250, 0, 'R', HOST), ...wake(HELPER, 0, t0 + 1420, HOST, [0, 1])]
    : [...wake(HELPER, 0, t0 + 1420, HOST, [0, 1]), sw(0, 1, t0 + 1430, 0, 'R', HOST)];
  return [
    line(HELPER, 0, t0, 'sched_process_fork', `comm=h pid=${HELPER} child_comm=h child_pid=${child}`),
    line(HELPER, 0, t0 + 1, 'sched_wakeup_new', `comm=h pid=${child} prio=120 target_cpu=000`),
    sw(HELPER, 0, t0 + 2, HELPER, 'D', child),
    ...wake(child, 0, t0 + 300, HELPER),
    sw(child, 0, t0 + 310, child, 'R+', HELPER),
    ...wake(999, 1, t0 + 312, HOST),
    sw(0, 1, t0 + 315, 0, 'R', HOST),
    sw(HOST, 1, t0 + 320, HOST, 'S', 0),
    ...wake(HELPER, 0, t0 + 330, HOST),
    sw(HELPER, 0, t0 + 340, HELPER, 'S', HOST),
    sw(HOST, 0, t0 + 350, HOST, 'S', child),
    line(child, 0, t0 + 400, 'sched_process_exec', `filename=/bin/true pid=${child} old_pid=${child}`),
    ...wake(HELPER, 0, t0 + 600, child),
    sw(child, 0, t0 + 700, child, 'S', 0),
    ...wake(0, 0, t0 + 800, child),
    sw(0, 0, t0 + 805, 0, 'R', child),
    line(child, 0, t0 + 1300, 'sched_process_exit', `comm=true pid=${child} prio=120`),
    ...wake(child, 0, t0 + 1390, HELPER),
    sw(child, 0, t0 + 1400, child, 'Z', HELPER),
    ...hostBack,
    // request: false leaves the request's wake-up out (the helper was not asleep: nothing to see).
    ...(request ? wake(HOST, 1, t0 + 1530, HELPER, [0, 0]) : []),
    sw(HOST, 1, t0 + 1535, HOST, 'S', 0),
    ...wake(999, 1, t0 + 1545, HELPER),
  ];
}

describe('benchmarks: sched_trace cuts a scheduler trace into spawn cycles', () => {
  const text = [
    'a line perf prints that is not an event',
    ...cycle(1_000_000, 301),
    ...cycle(1_001_560, 302),
    ...cycle(1_003_120, 303),
    line(HELPER, 0, 1_004_680, 'sched_process_fork', `comm=h pid=${HELPER} child_comm=h child_pid=304`),
    sw(HELPER, 0, 1_004_682, HELPER, 'D', 304),
    line(304, 0, 1_005_000, 'sched_process_exec', 'filename=/bin/true pid=304 old_pid=304'),
  ].join('\n');

  it('parses every event and skips the rest', () => {
    const events = parsePerfScript(text);
    assert.strictEqual(events.length, 3 * 33 + 3);
    const fork = events[0];
    assert.deepStrictEqual([fork.kind, fork.tid, fork.cpu, fork.child], ['sched_process_fork', HELPER, 0, 301]);
    assert.ok(Math.abs(fork.t - 1_000_000) < 0.001);
    const preempt = events.find((e) => e.kind === 'sched_switch' && e.prevState === 'R+');
    assert.deepStrictEqual([preempt.prevPid, preempt.nextPid], [301, HELPER]);
    const waking = events.find((e) => e.kind === 'sched_waking');
    assert.deepStrictEqual([waking.tid, waking.target], [301, HELPER]);
  });

  it('finds the helper and gives each phase of each complete cycle', () => {
    const { spawner, rows } = cycles(parsePerfScript(text), { host: HOST });
    assert.strictEqual(spawner, HELPER);
    assert.strictEqual(rows.length, 3); // four clones, three cycles
    // The middle cycle has every event around it. The helper ran 2 us into it (until it blocked in
    // its clone), 30 while the child waited and 160 from the exit to the next clone; the child
    // waited 1 us at its start (while the helper still ran), 40 after the release and 5 later.
    const round = (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v)]));
    const middle = {
      cycle: 1560, forkToExec: 400, childWaited: 1 + 40 + 5, execToExit: 900, exitToSpawner: 100,
      spawnerCpu: 2 + 30 + 160, waitedForSpawner: 1 + 30, waitedForHost: 10,
      exitToHost: 130, hostToRequest: 100, requestToFork: 30, hostCpu: 5 + 10 + 105,
    };
    assert.deepStrictEqual(round(rows[1]), middle);
    assert.deepStrictEqual(round(rows[2]), middle);
    // The first cycle has no run of the helper's before it in the trace: 2 us less, on two rows.
    assert.deepStrictEqual(round(rows[0]), { ...middle, spawnerCpu: 190, waitedForSpawner: 30 });
    const summary = summarize(rows);
    assert.deepStrictEqual([summary.spawnerCpu, summary.hostToRequest],
      [{ median: 192, count: 3 }, { median: 100, count: 3 }]);
  });

  it('treats the floor (its own host) without host columns', () => {
    const { rows } = cycles(parsePerfScript(text), { host: HELPER });
    assert.strictEqual(rows.length, 3);
    assert.deepStrictEqual(Object.keys(rows[1]).sort(),
      ['childWaited', 'cycle', 'execToExit', 'exitToSpawner', 'forkToExec', 'spawnerCpu', 'waitedForSpawner']);
  });

  it('counts a host already running at the exit as running from the exit on', () => {
    const busy = [...cycle(1_000_000, 301), ...cycle(1_001_560, 302, { hostBusy: true }), ...cycle(1_003_120, 303)].join('\n');
    const { rows } = cycles(parsePerfScript(busy), { host: HOST });
    assert.deepStrictEqual([rows[1].exitToHost, rows[1].hostToRequest, rows[1].hostCpu].map(Math.round),
      [0, 1530 - 1300, 5 + 10 + (1535 - 1250)]);
  });

  it('gives no request times for a cycle whose request wake-up is not in the trace', () => {
    // Three cycles: the third clone starts no cycle of its own.
    const quiet = [...cycle(1_000_000, 301), ...cycle(1_001_560, 302, { request: false }), ...cycle(1_003_120, 303)].join('\n');
    const { rows } = cycles(parsePerfScript(quiet), { host: HOST });
    assert.strictEqual(rows.length, 2);
    assert.deepStrictEqual([rows[1].hostToRequest, rows[1].requestToFork], [NaN, NaN]);
    assert.strictEqual(Math.round(rows[0].hostToRequest), 100);
    assert.deepStrictEqual(summarize(rows).requestToFork, { median: 30, count: 1 });
  });

  it('leaves out the warm-up cycles it is told to skip', () => {
    assert.strictEqual(cycles(parsePerfScript(text), { host: HOST, skip: 2 }).rows.length, 1);
  });

  it('gives a median over the cycles that have the value, and their count', () => {
    assert.deepStrictEqual(summarize([{ a: 1 }, { a: 3 }, { a: NaN }]), { a: { median: 2, count: 2 } });
  });
});
