'use strict';
// Whole process trees (lib/descriptor/tree.ts, native/helper/tree.c): killTree() leaves no
// descendant alive, whatever shape the tree has, with both mechanisms: a cgroup per child where the
// helper can make one (capabilities().tree === 'cgroup', as on this machine when root) and the
// /proc walk (forced with PROCDESC_TREE=walk). Liveness is read from /proc/<pid>/stat with the
// process's start time, so a reused PID is never taken for the old process.
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { spawn: spawnTracked, capabilities, open } = require('../dist/lib/index.js');
const { runNode } = require('./helpers/run-node');

const FIXTURES = path.join(__dirname, 'fixtures');
const CGROUP = capabilities().tree === 'cgroup';

/** [state, start time] of a process, or null once it is gone. */
function stat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return [f[0], f[19]];
  } catch {
    return null;
  }
}

/** A process is alive while its PID names the same start time and it is not a zombie. */
function tracker(pids) {
  const starts = new Map(pids.map((p) => [p, stat(p)?.[1]]));
  return () => [...starts].filter(([p, start]) => {
    const s = stat(p);
    return s !== null && s[1] === start && s[0] !== 'Z';
  }).map(([p]) => p);
}

/** Reads `n` lines (pids) from the child's stdout. */
function pids(sub, n) {
  return new Promise((resolve, reject) => {
    let out = '';
    sub.stdout.on('data', (d) => {
      out += d;
      const got = out.split('\n').filter(Boolean).map(Number);
      if (got.length >= n) resolve(got.slice(0, n));
    });
    sub.stdout.on('end', () => reject(new Error(`stdout ended with ${JSON.stringify(out)}`)));
  });
}

async function waitFor(cond, what) {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(cond(), what);
}

for (const mechanism of ['cgroup', 'walk']) {
  describe(`killTree() (${mechanism})`, function () {
    this.timeout(30000);
    before(function () {
      if (mechanism === 'cgroup' && !CGROUP) this.skip();
      if (mechanism === 'walk') process.env.PROCDESC_TREE = 'walk';
    });
    after(() => { delete process.env.PROCDESC_TREE; });
    // Whatever a failing test left: no sleep 300 may outlive the run (it would hold mocha's stderr).
    const started = [];
    const spawn = (...args) => { const sub = spawnTracked(...args); started.push(sub); return sub; };
    afterEach(async () => { for (const sub of started.splice(0)) await sub.killTree('SIGKILL'); });

    it('a setsid daemon and a grandchild in a new process group: none alive after killTree()', async () => {
      const sub = spawn('sh', ['-c', 'setsid sleep 300 & echo $!; (set -m; sleep 301 & echo $!; wait) & wait'],
        { stdio: ['ignore', 'pipe', 'inherit'] });
      const alive = tracker([sub.pid, ...await pids(sub, 2)]);
      assert.equal(alive().length, 3);
      await sub.killTree('SIGKILL');
      assert.deepEqual(alive(), []);
      assert.equal((await sub.exited).signal, 'SIGKILL');
    });

    it('killTree(\'SIGKILL\') resolves once the child itself has exited, not only its descendants', async () => {
      // The walk stops the child, then SIGKILLs it: it is still 'R' until it next runs, so the walk
      // must wait for it too. The cgroup's 'populated 0' comes from the kernel's cgroup_exit(), a
      // moment before the child turns zombie in exit_notify(): there 'exited' may lag a little.
      for (let i = 0; i < 10; i++) {
        const sub = spawn('sleep', ['300'], { stdio: 'ignore' });
        const alive = tracker([sub.pid]);
        await sub.killTree('SIGKILL');
        if (mechanism === 'cgroup') await waitFor(() => alive().length === 0, `try ${i}: the child had exited`);
        else assert.deepEqual(alive(), [], `try ${i}: the child had exited`);
        assert.equal((await sub.exited).signal, 'SIGKILL');
      }
    });

    it('a daemon that double-forked away from the child', async function () {
      // The walk cannot see it once it re-parented to the helper: the cgroup's case (README).
      if (mechanism === 'walk') this.skip();
      const sub = spawn('sh', ['-c', '(sleep 300 & echo $!); (setsid sh -c "sleep 301 & echo \\$!" &); exec sleep 302'],
        { stdio: ['ignore', 'pipe', 'inherit'] });
      const daemons = await pids(sub, 2);
      const alive = tracker([sub.pid, ...daemons]);
      // The shells in between may not have exited yet: the daemons are among them.
      const why = () => `${sub.descendants()}; the child's cgroup: ${fs.readFileSync(`/proc/${sub.pid}/cgroup`, 'utf8')}`;
      for (const d of daemons) assert.ok(sub.descendants().includes(d), `${d} in ${why()}`);
      await sub.killTree('SIGKILL');
      assert.deepEqual(alive(), []);
      assert.deepEqual(sub.descendants(), []);
    });

    it("a grandchild holding the stdout pipe: 'close' comes once the tree is killed", async () => {
      const sub = spawn('sh', ['-c', 'sleep 300 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [grandchild] = await pids(sub, 1);
      const alive = tracker([grandchild]);
      const closed = new Promise((resolve) => sub.once('close', resolve));
      await sub.killTree('SIGKILL');
      assert.deepEqual(alive(), []);
      await closed;
    });

    it('another signal reaches every descendant, and they handle it', async () => {
      const script = 'trap "echo got; exit 0" TERM; echo ready; while :; do sleep 0.05; done';
      const sub = spawn('sh', ['-c', `sh -c '${script}' & sh -c '${script}' & wait`], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      sub.stdout.on('data', (d) => { out += d; });
      await waitFor(() => out.split('ready').length === 3, 'both ready');
      await sub.killTree('SIGTERM');
      await sub.exited;
      await waitFor(() => out.split('got').length === 3, `both got SIGTERM: ${out}`);
    });

    it('killTree: true makes kill() and timeout reach the tree', async () => {
      const sub = spawn('sh', ['-c', 'setsid sleep 300 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'inherit'], killTree: true, timeout: 2000 });
      const alive = tracker(await pids(sub, 1));
      assert.equal((await sub.exited).signal, 'SIGTERM');
      await waitFor(() => alive().length === 0, 'the setsid daemon went with the timeout');
    });
  });
}

describe('process trees', function () {
  this.timeout(30000);

  it("killOnClose: 'tree': the whole tree dies with the host, also when the host is SIGKILLed; true: the child only", async function () {
    if (!CGROUP) this.skip();
    const res = await runNode(path.join(FIXTURES, 'tree-host.js'), [], { timeout: 20000 });
    assert.ok(res.json, `no JSON from the host: ${res.stdout} ${res.stderr}`);
    assert.equal(res.signal, 'SIGKILL');
    const alive = tracker([res.json.child, ...res.json.daemons, res.json.onlyChild]);
    const survivor = tracker([res.json.survivor]);
    await waitFor(() => alive().length === 0, `still alive: ${alive()}`);
    // killOnClose: true is the child's alone: what it started lives on, as it would under Node.
    assert.deepEqual(survivor(), [res.json.survivor]);
    const handle = open(res.json.survivor);
    handle.kill('SIGKILL');
    handle.close();
  });

  it('orphaned descendants re-parent to the helper (subreaper), which reaps them: no zombie is left', async () => {
    // The orphan lives until it is killed here, however late this runs after the shell's exit.
    const sub = spawnTracked('sh', ['-c', '(sleep 30 & echo $!)'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [orphan] = await pids(sub, 1);
    await sub.exited;
    const helper = capabilities().helperPid;
    assert.equal(stat(orphan) && fs.readFileSync(`/proc/${orphan}/stat`, 'utf8').split(') ')[1].split(' ')[1], String(helper),
      'the orphan\'s parent is the helper');
    const handle = open(orphan);
    handle.kill('SIGKILL');
    handle.close();
    await waitFor(() => stat(orphan) === null, 'the orphan was reaped (not left a zombie)');
  });

  it('a PID reused by an unrelated process is never signalled (fresh PID namespace)', async function () {
    const unshare = cp.spawnSync('unshare', ['--fork', '--pid', '--mount-proc', 'true']);
    if (unshare.status !== 0) this.skip(); // not root, or no unshare
    const res = cp.spawnSync('unshare', ['--fork', '--pid', '--mount-proc', process.execPath,
      path.join(FIXTURES, 'tree-pid-reuse.js')], { encoding: 'utf8', timeout: 20000 });
    const json = JSON.parse(res.stdout.trim().split('\n').pop() || '{}');
    assert.equal(json.reused, true, `the PID was not reused as planned: ${res.stdout} ${res.stderr}`);
    assert.equal(json.victimAlive, true, 'killTree() signalled the process that took a dead descendant\'s PID');
    assert.deepEqual(json.left, []);
  });
});
