'use strict';
// Reliability: load, faults and bad input, with nothing lost (issue 6).
//
// Most checks run in a process of their own (test/stress/*.js), because what they do is
// process-wide and often irreversible: resource limits, a host that dies, worker threads that are
// terminated, a PID namespace, two copies of the library. Each prints one JSON line that is
// asserted on here. Wherever node:child_process can do the same thing, it does it under the same
// conditions and the two are compared.
//
// The default run keeps counts small (this file: under a minute). STRESS=1 raises them
// to the issue's figures (100,000 sequential spawns, 2,000 children at once, thousands of fuzzed
// calls); `node test/stress/run.js` does that and prints the figures.
//
// Tests marked `it.skip` fail because of a product bug; each says which (file, function, what
// happens). Unskip them once it is fixed.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const node = require('node:child_process');
const ours = require('../dist/integrations/child_process.js');
const { capabilities } = require('../dist/lib/index.js');
const { observe, errorShape } = require('./helpers/observe');
const { runNode } = require('./helpers/run-node');
const { runCommand, which } = require('./helpers/run-command');
const procfs = require('./helpers/procfs');

const STRESS = !!process.env.STRESS;
const count = (normal, stress) => (STRESS ? stress : normal);
const STRESS_DIR = path.join(__dirname, 'stress');
const script = (name) => path.join(STRESS_DIR, name);
const IS_ROOT = process.getuid() === 0;

/** Runs fn(lib) for node:child_process and procdesc, in that order. */
async function both(fn) {
  return [await fn(node), await fn(ours)];
}

/** The outcome of one async call: its synchronous throw, or its events until 'close'. */
async function outcome(fn) {
  let child;
  try {
    child = fn();
  } catch (err) {
    return { threw: errorShape(err) };
  }
  const o = await observe(child);
  delete o.pid;
  return o;
}

/** The outcome of one sync call, with what varies (pids) left out. */
function syncOutcome(fn) {
  try {
    const r = fn();
    if (Buffer.isBuffer(r)) return { returned: `Buffer ${r}` };
    if (r === null || typeof r !== 'object') return { returned: r === undefined ? '<undefined>' : String(r) };
    return {
      returned: {
        error: r.error && errorShape(r.error), status: r.status, signal: r.signal, pid: r.pid > 0 ? 'pid>0' : r.pid,
        output: r.output && r.output.map((b) => (b === null ? null : String(b))),
      },
    };
  } catch (err) {
    return { threw: { ...errorShape(err), status: err.status, signal: err.signal } };
  }
}

/**
 * Runs `body` once with `lib` = node:child_process and once with procdesc, in a process of its own
 * (an abort there must not take the test runner down), each filling out[name]; the process must
 * survive and both outcomes must be equal.
 */
async function compareInOwnProcess(tag, body) {
  const file = path.join(os.tmpdir(), `procdesc-${tag}-${process.pid}.js`);
  fs.writeFileSync(file, `
    const out = {};
    for (const [name, lib] of [['node', require('child_process')], ['procdesc', require(${JSON.stringify(path.resolve(__dirname, '../dist/integrations/child_process.js'))})]]) {
      ${body}
    }
    console.log(JSON.stringify(out));
  `);
  try {
    const r = await runNode(file, [], { timeout: 20000 });
    assert.equal(r.signal, null, `the process died: ${r.stderr.slice(0, 300)}`);
    assert.deepEqual(r.json.procdesc, r.json.node);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** With STRESS_REPORT=file (test/stress/run.js sets it), records figures for the runner to print. */
function report(key, value) {
  const file = process.env.STRESS_REPORT;
  if (!file) return;
  let all = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch { /* first entry */ }
  all[key] = value;
  fs.writeFileSync(file, JSON.stringify(all));
}

function needs(...programs) {
  return function () {
    for (const p of programs) if (!which(p)) this.skip();
  };
}

async function works(lib = ours) {
  const o = await observe(lib.spawn('echo', ['still works']));
  assert.deepEqual(o.events, ['spawn', ['exit', 0, null], ['close', 0, null]]);
  assert.equal(o.stdout, 'still works\n');
}

// --------------------------------------------------------------------------------------------
describe('reliability: load', function () {
  const SPAWNS = count(2000, 100000);
  const CONCURRENT = count(200, 2000);
  this.timeout(count(120000, 1800000));
  let r;

  before(async function () {
    const res = await runNode(script('load.js'), [`--spawns=${SPAWNS}`, `--concurrent=${CONCURRENT}`],
      { timeout: count(110000, 1700000) });
    assert.ok(res.json && !res.json.error, `load.js: ${res.json && res.json.error}\n${res.stderr.slice(-2000)}`);
    r = res.json;
    report('load', r);
  });

  it(`${SPAWNS} sequential spawns with piped output: every output and exit is right`, () => {
    assert.deepEqual(r.failures, []);
    assert.equal(r.sequential.spawns, SPAWNS);
  });

  it('after them the host\'s fd count is back where it was, no zombie is left, the helper holds no more fds', () => {
    const { before, after } = r.sequential;
    assert.equal(after.fds, before.fds, 'host fds');
    assert.equal(after.zombies, 0, 'zombies under the host or the helper');
    assert.equal(after.liveChildren, 0, 'children still alive');
    assert.equal(after.helperPid, before.helperPid, 'the same helper throughout');
    assert.equal(after.helperFds, before.helperFds, 'helper fds');
  });

  it('memory is bounded: the JS heap does not grow with the spawns, RSS grows by less than 64 MB', () => {
    const { before, after } = r.sequential;
    const perSpawn = ((after.heapUsedKb - before.heapUsedKb) * 1024) / SPAWNS;
    assert.ok(perSpawn < 512, `JS heap grew by ${perSpawn.toFixed(0)} bytes per spawn (${before.heapUsedKb} -> ${after.heapUsedKb} kB)`);
    assert.ok(after.rssKb - before.rssKb < 64 * 1024, `RSS ${before.rssKb} -> ${after.rssKb} kB`);
    assert.ok(after.helperRssKb - before.helperRssKb < 1024, `helper RSS ${before.helperRssKb} -> ${after.helperRssKb} kB`);
  });

  it(`${CONCURRENT} children alive at once, then all killed: every exit is reported`, () => {
    const c = r.concurrent;
    assert.equal(c.alive, CONCURRENT, 'all alive at once, children of the helper');
    assert.equal(c.killedTrue, CONCURRENT, 'kill() returned true for each');
    assert.deepEqual(c.exits, { SIGTERM: CONCURRENT });
    assert.equal(c.after.fds, c.before.fds, 'host fds');
    assert.equal(c.after.zombies, 0);
    assert.equal(c.after.liveChildren, 0);
  });
});

// --------------------------------------------------------------------------------------------
describe('reliability: faults', function () {
  this.timeout(120000);

  describe('RLIMIT_NOFILE too low', function () {
    // One fd-starved host per library, sweeping the number of free fds from 0 to 14.
    const runs = {};
    before(needs('prlimit'));
    before(async function () {
      for (const lib of ['node', 'procdesc']) {
        const res = await runCommand(['prlimit', '--nofile=200:200', process.execPath, script('fault-host.js'),
          '--case=emfile', `--lib=${lib}`, '--max-free=14']);
        assert.ok(res.json && !res.json.error, `${lib}: ${res.json && res.json.error}\n${res.stderr.slice(-2000)}`);
        runs[lib] = res.json.rows;
      }
      report('emfile', runs);
    });

    const nodeEmfile = () => runs.node.find((row) => row.outcome.events && row.outcome.events[0][0] === 'error').outcome.events;

    it('fewer free fds than the three stdio pipes need: Node\'s EMFILE error event, no child, then a spawn works', () => {
      // Node's own record: 'error' (spawn sleep EMFILE) then close(-24).
      assert.equal(nodeEmfile()[0][1].code, 'EMFILE');
      for (const row of runs.procdesc.filter((x) => x.free < 6)) {
        assert.deepEqual(row.outcome.events, nodeEmfile(), `with ${row.free} free fds`);
        assert.deepEqual(row.leaked, [], `with ${row.free} free fds, a child runs although the spawn failed`);
        assert.deepEqual(row.after, [['exit', 0, null], ['close', 0, null]], `the spawn after (${row.free})`);
      }
    });

    it('whatever the number of free fds: it works or it is Node\'s EMFILE, and no child is left behind', () => {
      for (const row of runs.procdesc) {
        const ok = row.outcome.events && row.outcome.events[0] === 'spawn';
        if (!ok) assert.deepEqual(row.outcome.events, nodeEmfile(), `with ${row.free} free fds`);
        assert.deepEqual(row.leaked, [], `with ${row.free} free fds`);
        assert.deepEqual(row.after, [['exit', 0, null], ['close', 0, null]]);
      }
    });

    it('spawnSync: it works or it is Node\'s EMFILE result, whatever the number of free fds; no child left behind', () => {
      const nodeError = runs.node.find((row) => row.sync.error).sync;
      assert.equal(nodeError.error.code, 'EMFILE');
      for (const row of runs.procdesc) {
        if (row.sync.status !== 0) assert.deepEqual(row.sync, nodeError, `with ${row.free} free fds`);
        assert.deepEqual(row.syncLeaked, [], `with ${row.free} free fds`);
      }
    });
  });

  describe('RLIMIT_NPROC reached', function () {
    before(needs('prlimit', 'setpriv'));
    before(function () {
      // As root the limit is not enforced: the host runs as nobody.
      if (!IS_ROOT) this.skip();
    });

    it('EAGAIN as Node reports it, the children are killed, then a spawn works', async () => {
      const res = {};
      for (const lib of ['node', 'procdesc']) {
        const r = await runCommand(['prlimit', '--nproc=40:40', 'setpriv', '--reuid=65534', '--regid=65534',
          '--clear-groups', process.execPath, script('fault-host.js'), '--case=nproc', `--lib=${lib}`]);
        assert.ok(r.json && !r.json.error, `${lib}: ${r.json && r.json.error}\n${r.stderr.slice(-2000)}`);
        res[lib] = r.json;
      }
      report('nproc', res);
      assert.equal(res.node.uid, 65534);
      assert.equal(res.node.failure.events[0][1].code, 'EAGAIN', 'node hit the limit');
      assert.ok(res.procdesc.spawned > 0 && res.procdesc.spawned < 40, `procdesc spawned ${res.procdesc.spawned}`);
      assert.deepEqual(res.procdesc.failure, res.node.failure);
      assert.equal(res.procdesc.allKilled, true);
      assert.deepEqual(res.procdesc.after, [['exit', 0, null], ['close', 0, null]]);
    });
  });

  describe('files that cannot be run, cwds that do not exist', function () {
    const dir = path.join(os.tmpdir(), `procdesc-rel-${process.pid}`);
    before(() => {
      fs.mkdirSync(dir, { recursive: true });
      const file = (name, content, mode) => {
        fs.writeFileSync(path.join(dir, name), content);
        fs.chmodSync(path.join(dir, name), mode);
      };
      file('noexec', 'echo x\n', 0o644); // EACCES
      file('noshebang', 'echo "script $0 $*"\n', 0o755); // ENOEXEC for the kernel: run by /bin/sh, as Node
      file('badelf', Buffer.from('\x7fELF\x02\x01\x01\x00garbage', 'latin1'), 0o755); // ENOEXEC: an ELF the kernel refuses
      file('badinterp', '#!/nonexistent/interpreter\necho x\n', 0o755); // ENOENT from the interpreter
      fs.mkdirSync(path.join(dir, 'adir')); // EACCES: a directory
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const cases = () => ({
      'ENOENT: a path that does not exist': [path.join(dir, 'nope'), []],
      'ENOENT: a name not on PATH': ['procdesc-no-such-command', []],
      'ENOENT: a name not on options.env.PATH': ['echo', [], { env: { PATH: dir } }],
      'EACCES: a file without x permission': [path.join(dir, 'noexec'), []],
      'EACCES: found on PATH but not executable': ['noexec', [], { env: { PATH: dir } }],
      'EACCES: a directory': [path.join(dir, 'adir'), []],
      'ENOEXEC: a script without #! (run by /bin/sh)': [path.join(dir, 'noshebang'), ['a', 'b']],
      'ENOEXEC: a corrupt ELF (given to /bin/sh)': [path.join(dir, 'badelf'), []],
      'ENOENT: a #! interpreter that does not exist': [path.join(dir, 'badinterp'), []],
      'ENOENT: a cwd that does not exist': ['echo', ['x'], { cwd: path.join(dir, 'nope') }],
      'ENOTDIR: a cwd that is a file': ['echo', ['x'], { cwd: path.join(dir, 'noexec') }],
      'ENOTDIR: a path through a file': [path.join(dir, 'noexec', 'x'), []],
    });

    for (const name of Object.keys(cases())) {
      it(`${name}: spawn, spawnSync and execFile as Node, then a spawn works`, async () => {
        const [file, args, opts] = cases()[name];
        const [n, o] = await both((lib) => outcome(() => lib.spawn(file, args, opts)));
        assert.deepEqual(o, n);
        const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync(file, args, opts)));
        assert.deepEqual(os_, ns);
        const [ne, oe] = await both((lib) => new Promise((resolve) => {
          try {
            lib.execFile(file, args, opts || {}, (err, stdout, stderr) => resolve({ err: err && { ...errorShape(err), cmd: err.cmd }, stdout, stderr }));
          } catch (err) {
            resolve({ threw: errorShape(err) });
          }
        }));
        assert.deepEqual(oe, ne);
        await works();
        report(`file: ${name}`, { tried: 3, error: (n.threw || (n.events.find((e) => e[0] === 'error') || [])[1] || {}).code || 'ran' });
      });
    }
  });

  describe('argv and env over ARG_MAX, requests larger than one socket message', function () {
    const ARG_MAX = 2 * 1024 * 1024;
    const cases = {
      'argv over ARG_MAX (E2BIG)': () => ['echo', Array(80000).fill('x'.repeat(30))],
      'one argument over MAX_ARG_STRLEN (E2BIG)': () => ['echo', ['x'.repeat(200000)]],
      'env over ARG_MAX (E2BIG)': () => ['echo', ['x'], { env: { BIG: 'y'.repeat(ARG_MAX + 1000) } }],
    };
    for (const [name, make] of Object.entries(cases)) {
      it(`${name}: spawn throws, spawnSync returns, exec calls back as Node; then a spawn works`, async () => {
        const [file, args, opts] = make();
        const [n, o] = await both((lib) => outcome(() => lib.spawn(file, args, opts)));
        assert.equal(n.threw.code, 'E2BIG');
        assert.deepEqual(o, n);
        const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync(file, args, opts)));
        assert.deepEqual(os_, ns);
        const [nx, ox] = await both((lib) => syncOutcome(() => lib.execFileSync(file, args, { ...opts, stdio: 'pipe' })));
        assert.deepEqual(ox, nx);
        await works();
        report(`e2big: ${name}`, { tried: 3, error: o.threw.code });
      });
    }

    it('argv + env just under ARG_MAX (far over one socket message) reach the child intact', async () => {
      const args = Array.from({ length: 600 }, (_, i) => `${i}:${'a'.repeat(800)}`);
      // One string may not pass MAX_ARG_STRLEN (128 kB): ten of 100 kB.
      const env = { PATH: process.env.PATH };
      for (let i = 0; i < 10; i++) env[`BIG${i}`] = String(i).repeat(100000);
      const sh = 'echo $#; printf %s "$*" | md5sum; env | sort | md5sum';
      const [n, o] = await both((lib) => outcome(() => lib.spawn('sh', ['-c', sh, 'sh', ...args], { env })));
      assert.equal(n.stdout && n.stdout.split('\n')[0], '600', JSON.stringify(n).slice(0, 300));
      assert.equal(o.stdout && o.stdout.split('\n')[0], '600', JSON.stringify(o).slice(0, 300));
      assert.deepEqual(o, n);
      const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync('sh', ['-c', sh, 'sh', ...args], { env })));
      assert.deepEqual(os_, ns);
    });

    it('stdio with 300 entries, all \'ignore\' above fd 2: the child runs, as under Node', async () => {
      // Counted: the shell's sockets (its pipes). Not all its fds: Node leaves an fd the test
      // process inherited without CLOEXEC open in the child where stdio says 'ignore'.
      const sockets = 'ls -l /proc/$$/fd | grep -c socket';
      const stdio = ['ignore', 'pipe', 'ignore', ...Array(297).fill('ignore')];
      const [n, o] = await both((lib) => outcome(() => lib.spawn('sh', ['-c', sockets], { stdio })));
      assert.equal(n.stdout, '1\n');
      assert.deepEqual(o, n);
    });

    // BUG (native/addon/addon.cc BuildSpawnMessage, native/protocol.h PD_MAX_FDS): a stdio array
    // that passes more than 252 distinct fds (one SCM_RIGHTS message holds at most 253) fails with
    // an EMFILE 'error' event; Node runs it. Reproduce: spawn('true', { stdio: Array(300).fill('pipe') })
    // -> 'spawn true EMFILE'. (Could travel in several messages, or the helper could receive them
    // in batches.)
    it.skip('stdio with 300 pipes: the child gets them all, as under Node', async () => {
      const sockets = 'ls -l /proc/$$/fd | grep -c socket';
      const stdio = ['ignore', 'pipe', 'ignore', ...Array(297).fill('pipe')];
      const [n, o] = await both((lib) => outcome(() => lib.spawn('sh', ['-c', sockets], { stdio })));
      assert.equal(n.stdout, '298\n');
      assert.deepEqual(o, n);
    });
  });

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
      assert.equal(res.json.terminatedWorkersChildrenAlive.length, 1, 'its sleep 5 runs on');
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

// --------------------------------------------------------------------------------------------
describe('reliability: races', function () {
  this.timeout(count(60000, 600000));
  const N = count(20, 300);

  const tally = (list) => {
    const t = {};
    for (const x of list) t[JSON.stringify(x)] = (t[JSON.stringify(x)] || 0) + 1;
    return t;
  };

  it('kill() right after spawn(), before \'spawn\' is emitted: Node\'s events, every time', async () => {
    const [n, o] = await both(async (lib) => {
      const seen = [];
      for (let i = 0; i < N; i++) {
        const c = lib.spawn('sleep', ['5']);
        const killed = c.kill();
        const r = await observe(c);
        seen.push([killed, r.events, r.killed]);
      }
      return tally(seen);
    });
    assert.deepEqual(o, n);
  });

  it('abort right after spawn(): Node\'s AbortError and events, every time', async () => {
    const [n, o] = await both(async (lib) => {
      const seen = [];
      for (let i = 0; i < N; i++) {
        const ac = new AbortController();
        const c = lib.spawn('sleep', ['5'], { signal: ac.signal });
        const seeing = observe(c); // the AbortError is emitted from within abort()
        ac.abort();
        seen.push((await seeing).events);
      }
      return tally(seen);
    });
    assert.deepEqual(o, n);
  });

  it('a signal aborted before spawn(): Node\'s AbortError and events, for spawn, execFile and exec', async () => {
    const [n, o] = await both(async (lib) => {
      const seen = [];
      for (let i = 0; i < N; i++) {
        seen.push((await observe(lib.spawn('sleep', ['5'], { signal: AbortSignal.abort() }))).events);
        seen.push(await new Promise((r) => lib.execFile('sleep', ['5'], { signal: AbortSignal.abort() },
          (err, stdout) => r([errorShape(err), stdout]))));
        seen.push(await new Promise((r) => lib.exec('sleep 5', { signal: AbortSignal.abort() },
          (err, stdout) => r([errorShape(err), stdout]))));
      }
      return tally(seen);
    });
    assert.deepEqual(o, n);
  });

  it('kill() and abort after the exit: false, no error, nobody signalled, as Node', async () => {
    const [n, o] = await both(async (lib) => {
      const ac = new AbortController();
      const c = lib.spawn('true', { signal: ac.signal });
      const r = await observe(c);
      const late = [];
      c.on('error', (e) => late.push(errorShape(e)));
      const k = [c.kill(), c.kill('SIGKILL'), c.kill(0)];
      ac.abort();
      await new Promise((res) => setTimeout(res, 20));
      return { events: r.events, k, killed: c.killed, late };
    });
    assert.deepEqual(o, n);
    assert.deepEqual(o.k, [false, false, false]);
  });

  it('kill() during a spawn that fails (before its \'error\'): false, and nobody is signalled', async function () {
    // Node 20 does worse here: its Process wrap keeps pid 0 after a failed uv_spawn, so kill() is
    // kill(0, SIGTERM), its own process group, and returns true (measured: 1 or 2 times in 5). So
    // this runs in a process group of its own (setsid), and only procdesc is checked.
    if (!which('setsid')) this.skip();
    const file = path.join(os.tmpdir(), `procdesc-kill-failed-${process.pid}.js`);
    fs.writeFileSync(file, `
      const fs = require('fs');
      let hit = 0;
      process.on('SIGTERM', () => { hit++; });
      const lib = require(${JSON.stringify(path.resolve(__dirname, '../dist/integrations/child_process.js'))});
      const out = [];
      for (let i = 0; i < 20; i++) {
        const c = lib.spawn('procdesc-no-such-command');
        const errors = [];
        c.on('error', (e) => errors.push(e.code));
        out.push({ k: c.kill(), killed: c.killed, errors });
      }
      setTimeout(() => fs.writeSync(1, JSON.stringify({ out, hit }) + '\\n'), 200);
    `);
    try {
      const r = await runCommand(['setsid', process.execPath, file], { timeout: 20000 });
      assert.ok(r.json, r.stderr);
      for (const x of r.json.out) assert.deepEqual(x, { k: false, killed: false, errors: ['ENOENT'] });
      assert.equal(r.json.hit, 0, 'the host\'s process group was signalled');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('kill() racing the exit of fast children: one \'exit\' and one \'close\' each, no \'error\', killed === kill()', async () => {
    const delays = [(f) => f(), (f) => process.nextTick(f), (f) => setImmediate(f), (f) => setTimeout(f, 0), (f) => setTimeout(f, 2)];
    const bad = [];
    const children = [];
    for (let i = 0; i < N * 5; i++) {
      children.push(new Promise((resolve) => {
        const c = ours.spawn('true', { stdio: 'ignore' });
        const ev = [];
        let k;
        c.on('exit', () => ev.push('exit'));
        c.on('error', (e) => ev.push(`error ${e.code}`));
        c.on('close', () => {
          ev.push('close');
          setImmediate(() => resolve({ ev, k, killed: c.killed }));
        });
        delays[i % delays.length](() => { k = c.kill('SIGKILL'); });
      }));
    }
    for (const r of await Promise.all(children)) {
      if (JSON.stringify(r.ev) !== '["exit","close"]' || (r.k !== undefined && r.killed !== r.k)) bad.push(r);
    }
    assert.deepEqual(bad, []);
  });

  it('kill() before \'exit\' is emitted returns true even if the child has already exited, as Node', async () => {
    const seen = [];
    for (let i = 0; i < count(300, 3000); i++) {
      const c = ours.spawn('true', { stdio: 'ignore' });
      procfs.sleepSync(i % 3); // sometimes it has exited (and been reaped) before kill()
      seen.push(c.kill());
      await observe(c);
    }
    assert.deepEqual(tally(seen), { true: seen.length });
  });

  it('a signal aborted before spawn() always gives an AbortError, even for a child that exits at once, as Node', async () => {
    // Same bug as above (ProcessHandle#kill and ESRCH before the exit record).
    const seen = [];
    for (let i = 0; i < count(300, 3000); i++) {
      const o = await observe(ours.spawn('true', { signal: AbortSignal.abort(), stdio: 'ignore' }));
      seen.push(o.events[1][0] === 'error' && o.events[1][1].code === 'ABORT_ERR');
    }
    assert.deepEqual(tally(seen), { true: seen.length });
  });

  it('a PID reused after reap is never signalled (a fresh PID namespace, the next PID chosen)', async function () {
    if (!IS_ROOT || !which('unshare')) this.skip();
    const rounds = count(10, 200);
    const r = await runCommand(['unshare', '--pid', '--fork', '--mount-proc', 'sh', '-c',
      `"${process.execPath}" "${script('pid-reuse.js')}" --rounds=${rounds}; exit $?`], { timeout: 60000 });
    if (r.json === null && /unshare failed|Operation not permitted/.test(r.stderr)) this.skip();
    assert.ok(r.json && !r.json.error, `${r.json && r.json.error} ${r.stderr.slice(-2000)}`);
    report('pidReuse', r.json);
    const done = r.json.rounds.filter((x) => !x.skipped);
    assert.ok(done.length >= rounds / 2, JSON.stringify(r.json.rounds.slice(0, 3)));
    assert.ok(done.filter((x) => x.reused).length >= rounds / 2, 'the old PID was given to the victim');
    for (const x of done) {
      assert.equal(x.victimAliveAfterKill, true, `old.kill() hit the process that reused pid ${x.pid}`);
      assert.deepEqual(x.oldExit, [0, null], 'old reports its own exit');
      assert.equal(x.afterExit, false);
      assert.equal(x.victimAliveAfterExit, true);
      assert.equal(x.victimSignal, 'SIGTERM');
    }
  });
});

// --------------------------------------------------------------------------------------------
describe('reliability: bad input (seeded fuzzer, compared with node:child_process)', function () {
  const fuzzer = require('./stress/fuzz');
  const SEED = Number(process.env.FUZZ_SEED || 20240601);
  const ITERATIONS = count(250, 3000);
  const BUDGET_MS = count(45000, 900000);
  this.timeout(BUDGET_MS + 120000);
  let result;

  before(async () => {
    result = await fuzzer.fuzz({ seed: SEED, iterations: ITERATIONS, budgetMs: BUDGET_MS });
    report('fuzz', { ...result, outcomes: Object.keys(result.outcomes).length });
  });

  const describeDiff = (list) => list.slice(0, 5).map((m) => `${m.call}\n  node: ${JSON.stringify(m.node).slice(0, 600)}` +
    `\n  ours: ${JSON.stringify(m.ours).slice(0, 600)}${m.stderr ? `\n  crash: ${m.signal} ${m.stderr}` : ''}`).join('\n');

  for (const fn of fuzzer.FUNCTIONS) {
    it(`${fn}(): random and hostile arguments throw, emit or succeed as Node's (seed ${SEED})`, () => {
      assert.ok(result.perFunction[fn] > 0, `no ${fn} case ran`);
      const mine = result.mismatches.filter((m) => m.fn === fn);
      assert.equal(mine.length, 0, `${mine.length} of ${result.perFunction[fn]} differ:\n${describeDiff(mine)}`);
      const crashes = result.crashes.filter((m) => m.fn === fn);
      assert.equal(crashes.length, 0, `the process died:\n${describeDiff(crashes)}`);
    });
  }

  it('ran enough cases, hit every kind of outcome, and left nothing uncaught', () => {
    assert.ok(result.cases >= Math.min(400, ITERATIONS * 2), `only ${result.cases} cases in ${result.ms} ms`);
    const kinds = Object.keys(result.outcomes).join('\n');
    for (const re of [/spawn: threw ERR_INVALID_ARG_TYPE/, /spawn: error ENOENT/, /spawn: exit 0/, /spawnSync: returned status 0/,
      /execSync: threw/, /exec: exit/, /fork: .*exit/, /kill: returned true/, /kill: threw ERR_UNKNOWN_SIGNAL/]) {
      assert.match(kinds, re);
    }
    assert.deepEqual(result.stray, []);
  });

  // Differences the fuzzer once found (now fixed), one call each.

  it('spawn/exec/execFile/fork with cwd \'\': run in the current directory, as Node', async () => {
    const [n, o] = await both((lib) => outcome(() => lib.spawn('pwd', { cwd: '' })));
    assert.deepEqual(o, n);
  });

  it('spawn with a Buffer cwd: as Node 20 (which ignores it)', async () => {
    const [n, o] = await both((lib) => outcome(() => lib.spawn('pwd', { cwd: Buffer.from('/') })));
    assert.deepEqual(o, n);
  });

  it('an argument that cannot become a string: the TypeError of Node, not an abort', async () => {
    await compareInOwnProcess('unconvertible', `
        out[name] = [];
        for (const bad of [Object.create(null), Symbol('s')]) {
          for (const call of [() => lib.spawn('echo', ['x', bad]), () => lib.spawnSync('echo', ['x', bad])]) {
            try { call(); out[name].push('returned'); } catch (e) { out[name].push(e.constructor.name + ': ' + e.message); }
          }
        }`);
  });

  it('a file name longer than NAME_MAX: Node\'s ENAMETOOLONG, thrown', async () => {
    const long = 'y'.repeat(300);
    const [n, o] = await both((lib) => outcome(() => lib.spawn(long)));
    assert.deepEqual(o, n);
    const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync(long)));
    assert.deepEqual(os_, ns);
  });

  it('fork() with a Buffer path: spawnargs as Node\'s', async () => {
    const mod = Buffer.from(path.join(__dirname, 'helpers', 'fuzz-fork-child.js'));
    const [n, o] = await both(async (lib) => {
      const c = lib.fork(mod, [], { silent: true });
      const spawnargs = c.spawnargs.map((a) => (Buffer.isBuffer(a) ? `Buffer ${a}` : a));
      await observe(c);
      return spawnargs;
    });
    assert.deepEqual(o, n);
  });

  it('spawnSync/execSync/execFileSync with maxBuffer undefined or null: as Node, not an abort', async () => {
    await compareInOwnProcess('maxbuffer', `
        out[name] = [undefined, null].map((maxBuffer) => [
          String(lib.spawnSync('echo', ['x'], { maxBuffer }).stdout),
          String(lib.execSync('echo y', { maxBuffer })),
          String(lib.execFileSync('echo', ['z'], { maxBuffer })),
        ]);`);
  });

  it('spawnSync with an input the child never reads: Node\'s EPIPE', async () => {
    const input = 'x'.repeat(1 << 20);
    const [n, o] = await both((lib) => syncOutcome(() => lib.spawnSync('true', { input })));
    assert.equal(n.returned.error.code, 'EPIPE');
    assert.deepEqual(o, n);
    const [nx, ox] = await both((lib) => syncOutcome(() => lib.execFileSync('true', { input })));
    assert.deepEqual(ox, nx);
  });

  // BUG (lib/stdio.ts getValidStdio): Node builds the stdio list with Array#reduce, which skips
  // the holes of a sparse array, and its sync functions drop string and Buffer entries: the
  // entries after them move down, so a pipe made for fd 1 or 2 can land on fd 0, and Node still
  // collects its output (it goes by the pipe's flags, not by the fd number). procdesc treats holes
  // as undefined ('pipe') and never collects fd 0. Reproduce: spawnSync('echo', ['x'],
  // { stdio: ['in', null] }) -> output[0] is '' under Node, null under procdesc;
  // spawn('echo', { stdio: new Array(3) }): Node gives the child no stdio at all.
  it.skip('stdio with holes or dropped entries: the fds (and sync outputs) of Node', async () => {
    const [ns, os_] = await both((lib) => syncOutcome(() => lib.spawnSync('echo', ['x'], { stdio: ['in', null] })));
    assert.deepEqual(os_, ns);
    const [n, o] = await both((lib) => outcome(() => lib.spawn('sh', ['-c', 'ls /proc/self/fd | wc -l'], { stdio: new Array(3) })));
    assert.deepEqual(o, n);
  });
});

// --------------------------------------------------------------------------------------------
describe('reliability: security', function () {
  this.timeout(60000);

  describe('fds', function () {
    let r;
    before(async () => {
      // fd 3 of the host is inherited without CLOEXEC, like anything a parent leaves open.
      const res = await runCommand([process.execPath, script('security-host.js'), '--case=fds'], { extraStdio: 1, timeout: 30000 });
      assert.ok(res.json && !res.json.error, `${res.json && res.json.error} ${res.stderr.slice(-2000)}`);
      r = res.json;
      report('fds', r);
    });

    it('children inherit no fd but their stdio and what the caller passed (spawn, spawnSync, exec, detached)', () => {
      assert.match(r.inherited, /^(pipe|socket):/, 'the host has an inherited fd 3');
      const keys = (c) => Object.keys(r.cases[c].fds).map(Number).sort((a, b) => a - b);
      assert.deepEqual(keys('default'), [0, 1, 2]);
      assert.deepEqual(keys('extra'), [0, 1, 2, 3, 5], "'ignore' at fd 4 leaves it closed");
      assert.deepEqual(keys('passed'), [0, 1, 2, 4]);
      assert.equal(r.cases.passed.fds[4], r.inherited, 'the fd the caller passed, and only it');
      assert.deepEqual(keys('detached'), [0, 1, 2]);
      assert.deepEqual(keys('spawnSync'), [0, 1, 2]);
      assert.deepEqual(keys('exec'), [0, 1, 2]);
      // Node's children, for the record, get whatever the host holds without CLOEXEC (above 2).
      assert.ok(!Object.values(r.cases.default.fds).includes(r.inherited));
    });

    it('the helper\'s channel never reaches a child, nor does anything else the host or the helper holds', () => {
      // Sockets and pipes are named by their inode: the same name is the same object.
      const held = new Set([...Object.values(r.helperFds), ...Object.values(r.hostFds)].filter((t) => /^(socket|pipe):\[\d+\]$/.test(t)));
      for (const [name, c] of Object.entries(r.cases)) {
        for (const [fd, target] of Object.entries(c.fds)) {
          if (name === 'passed' && fd === '4') continue; // passed on purpose
          assert.ok(!held.has(target), `${name}: child fd ${fd} is ${target}, which the host or the helper holds`);
        }
      }
    });

    it('the helper holds its two channels, its signalfd and /dev/null, nothing of the host\'s', () => {
      const targets = Object.entries(r.helperFds);
      const sockets = targets.filter(([, t]) => t.startsWith('socket:')).map(([fd]) => Number(fd));
      assert.deepEqual(sockets, [3, 4]);
      for (const [fd, t] of targets) {
        assert.ok(t === '/dev/null' || t.startsWith('socket:') || t === 'anon_inode:[signalfd]', `helper fd ${fd}: ${t}`);
      }
      const hostOwn = new Set(Object.values(r.hostFds));
      for (const [fd, t] of targets) if (t.startsWith('socket:')) assert.ok(!hostOwn.has(t), `helper fd ${fd} is the host's own ${t}`);
    });
  });

  it('the helper binary is the package\'s, never one found on PATH or in the cwd', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-decoy-'));
    const marker = path.join(dir, 'DECOY-RAN');
    const decoy = `#!/bin/sh\ntouch ${marker}\nexec ${path.resolve(__dirname, '..', 'build', 'Release', 'procdesc-helper')}\n`;
    try {
      for (const sub of ['.', 'bin', path.join('build', 'Release')]) {
        fs.mkdirSync(path.join(dir, sub), { recursive: true });
        fs.writeFileSync(path.join(dir, sub, 'procdesc-helper'), decoy, { mode: 0o755 });
      }
      const r = await runNode(script('security-host.js'), ['--case=helper-path'], {
        cwd: dir, env: { PATH: `${path.join(dir, 'bin')}:${dir}:${process.env.PATH}` }, timeout: 20000,
      });
      assert.ok(r.json, r.stderr);
      assert.equal(r.json.path, 'procdesc', r.json.reason);
      assert.equal(r.json.exe, path.resolve(__dirname, '..', 'build', 'Release', 'procdesc-helper'));
      assert.deepEqual(r.json.spawn, { code: 0, out: 'ok\n' });
      assert.equal(fs.existsSync(marker), false, 'a decoy ran');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uid/gid clear the supplementary groups as Node does (as root, with groups): spawn, spawnSync, exec', async function () {
    if (!IS_ROOT || !which('setpriv')) this.skip();
    const r = await runCommand(['setpriv', '--groups=4,20,27', process.execPath, script('security-host.js'), '--case=groups'], { timeout: 30000 });
    assert.ok(r.json && !r.json.error, `${r.json && r.json.error} ${r.stderr}`);
    assert.equal(r.json.hostGroups, '4 20 27');
    for (const v of ['none', 'uid', 'gid', 'both']) {
      assert.deepEqual(r.json[`${v}/procdesc`], r.json[`${v}/node`], v);
      const groups = /Groups:\s*(.*)/.exec(r.json[`${v}/procdesc`].spawn)[1].trim();
      assert.equal(groups, v === 'none' ? '4 20 27' : '', `${v}: Groups`);
    }
    assert.match(r.json['both/procdesc'].spawn, /Uid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t65534/);
  });
});

describe('reliability: nothing left behind', function () {
  it('no zombie under the test process or its helper after all of the above', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const helper = capabilities().helperPid;
    assert.deepEqual(procfs.zombiesOf([process.pid, helper]), []);
  });
});
