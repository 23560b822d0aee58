'use strict';
// Reliability: faults of the host (it exits or dies, worker threads, two copies of the library) (see common.js for how the reliability tests work).
const {
  assert, fs, os, path, node, ours, capabilities, observe, errorShape, runNode, runCommand, which, procfs,
  STRESS, count, script, IS_ROOT, both, outcome, syncOutcome, compareInOwnProcess, report, needs, works,
} = require('./common');

describe('reliability: faults of the host', function () {
  this.timeout(120000);

  describe('the host exits while children run', function () {
    // Sleepers (piped, ignored, detached) and a writer to a pipe; the host goes as `how` says.
    const HOWS = ['exit', 'throw', 'sigterm', 'sigkill', 'natural'];
    const results = {};
    before(async function () {
      this.timeout(60000);
      for (const lib of ['node', 'procdesc']) {
        for (const how of HOWS) {
          const res = await runNode(script('exit-host.js'), [`--lib=${lib}`, `--how=${how}`], { timeout: 20000 });
          assert.ok(res.json, `${lib} ${how}: ${res.stderr.slice(-1000)}`);
          const j = res.json;
          const helperGone = j.helperPid === null || !!(await procfs.waitFor(() => {
            const s = procfs.state(j.helperPid);
            return s === null || s === 'Z';
          }, 3000));
          await procfs.waitFor(() => !procfs.sameProcessAlive(j.writer.pid, j.writer.start), 2000);
          results[`${lib}/${how}`] = {
            exit: [res.code, res.signal], stdioHeldOpen: res.stdioHeldOpen, helperGone,
            sleepersAlive: j.sleepers.map((s) => procfs.sameProcessAlive(s.pid, s.start)),
            writerAlive: procfs.sameProcessAlive(j.writer.pid, j.writer.start),
          };
          // Ours to clean up: only the very processes we saw (same start time).
          for (const s of [...j.sleepers, j.writer]) if (procfs.sameProcessAlive(s.pid, s.start)) process.kill(s.pid, 'SIGKILL');
        }
      }
      report('hostExit', results);
    });

    for (const how of HOWS) {
      it(`${how}: no helper is left behind; children fare as under Node (sleepers live on, a writer dies of its broken pipe)`, () => {
        const n = results[`node/${how}`];
        const o = results[`procdesc/${how}`];
        assert.equal(o.helperGone, true, 'the helper is gone');
        assert.deepEqual(o.exit, n.exit, 'the host ends the same way');
        assert.equal(o.stdioHeldOpen, false, 'nothing left behind holds the host\'s stdout');
        assert.deepEqual(o.sleepersAlive, n.sleepersAlive);
        assert.deepEqual(o.sleepersAlive, [true, true, true]);
        assert.equal(o.writerAlive, n.writerAlive);
        assert.equal(o.writerAlive, false);
      });
    }
  });

  describe('worker threads', function () {
    const ROUNDS = count(8, 60);
    this.timeout(count(60000, 600000));

    const check = (r, { terminated }) => {
      assert.ok(!r.error, r.error);
      assert.deepEqual(r.mainBad, []);
      for (const w of r.workerResults) {
        if (terminated && w.worker === 0) assert.equal(w.terminated, true, JSON.stringify(w));
        else assert.deepEqual(w.bad, [], `worker ${w.worker}`);
      }
      assert.equal(r.distinctHelpers, r.workers + 1, 'one helper per thread');
      assert.equal(r.terminatedHelperGone, true, 'the terminated worker\'s helper is gone');
      assert.equal(r.finishedWorkersHelpersGone, true, 'finished workers\' helpers are gone');
      assert.deepEqual(r.zombies, []);
    };

    it('4 workers and the main thread spawning at once: every exit right, one helper each, none left', async () => {
      const res = await runNode(script('workers.js'), ['--workers=4', `--rounds=${ROUNDS}`, '--terminate=none'], { timeout: 55000 });
      assert.ok(res.json, `${res.code} ${res.signal} ${res.stderr.slice(-3000)}`);
      report('workers', res.json);
      check(res.json, { terminated: false });
    });

    it('one terminated while it waits for its child: the others go on, its helper goes, its child lives on (as Node\'s)', async () => {
      const res = await runNode(script('workers.js'), ['--workers=4', `--rounds=${ROUNDS}`, '--terminate=idle'], { timeout: 55000 });
      assert.ok(res.json, `${res.code} ${res.signal} ${res.stderr.slice(-3000)}`);
      report('workersTerminatedIdle', res.json);
      check(res.json, { terminated: true });
      assert.equal(res.json.terminatedWorkersChildrenAlive.length, 1, 'its sleep 30 runs on');
      for (const pid of res.json.terminatedWorkersChildrenAlive) if (procfs.state(pid) === 'S') process.kill(pid, 'SIGKILL');
    });

    it('one terminated in the middle of its calls: the process survives, the others go on', async () => {
      const res = await runNode(script('workers.js'), ['--workers=4', `--rounds=${ROUNDS}`, '--terminate=busy'], { timeout: 55000 });
      assert.ok(res.json, `${res.code} ${res.signal} ${res.stderr.slice(-3000)}`);
      check(res.json, { terminated: true });
    });

    // A worker-only user: once its environment is gone Node may unload the addon, so no close
    // callback may run after teardown (it used to: a SIGSEGV of the whole process).
    it('used from a worker only: the worker ends (naturally, process.exit, terminate) and the process lives on', async () => {
      for (const how of ['natural', 'exit', 'terminate']) {
        const res = await runNode(script('worker-only.js'), [`--how=${how}`], { timeout: 20000 });
        assert.equal(res.signal, null, `${how}: the process died of ${res.signal}`);
        assert.deepEqual(res.json, { how, workerExitCode: how === 'terminate' ? 1 : 0, childOk: true, hostAlive: true });
      }
    });
  });

  describe('two copies of the library in one process', function () {
    it('a copied package and a re-required dist: three sessions, three helpers, each sees only its own children', async () => {
      const res = await runNode(script('two-copies.js'), [`--children=${count(20, 200)}`], { timeout: 60000 });
      const r = res.json;
      report('twoCopies', r);
      assert.ok(r && !r.error, `${r && r.error} ${res.stderr.slice(-2000)}`);
      assert.equal(r.distinctModules, 3);
      assert.deepEqual(r.paths, { A: 'procdesc', B: 'procdesc', C: 'procdesc' });
      assert.equal(r.distinctHelpers, 3);
      assert.match(r.helperExes.B, /procdesc-copy-.*\/build\/Release\/procdesc-helper$/, 'the copy runs its own helper binary');
      assert.deepEqual(r.wrong, [], 'each child was reported to its own copy, with its own status and helper');
      assert.deepEqual(r.afterLoss.map((x) => [x.status, x.ppidIsHelper]), [[5, true], [6, true], [7, true]]);
      assert.equal(r.helpersAfter.A, r.helpers.A, 'A kept its helper when B\'s died');
      assert.equal(r.helpersAfter.C, r.helpers.C, 'C kept its helper when B\'s died');
      assert.notEqual(r.helpersAfter.B, r.helpers.B, 'B started a new one');
      assert.deepEqual(r.victimExit, [null, 'SIGKILL'], 'B\'s orphan was still killed through its pidfd');
    });
  });
});
