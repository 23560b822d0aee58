'use strict';
// Reliability: races (see common.js for how the reliability tests work).
const {
  assert, fs, os, path, node, ours, capabilities, observe, errorShape, runNode, runCommand, which, procfs,
  STRESS, count, script, IS_ROOT, both, outcome, syncOutcome, compareInOwnProcess, report, needs, works,
} = require('./common');

describe('reliability: races', function () {
  this.timeout(count(60000, 600000));
  const N = count(20, 300);

  const tally = (list) => {
    const t = {};
    for (const x of list) t[JSON.stringify(x)] = (t[JSON.stringify(x)] || 0) + 1;
    return t;
  };

  it('children that exit at the same moment are each reported (their SIGCHLDs merge in the helper)', async () => {
    // A standard signal is pending at most once: the helper reaps the child a SIGCHLD names, then
    // sweeps with wait4(-1) for the ones whose signal merged into it (native/helper/main.c).
    const n = 64;
    for (let round = 0; round < count(3, 20); round++) {
      const children = [];
      for (let i = 0; i < n; i++) {
        const c = ours.spawn('sh', ['-c', `read _; exit ${i % 7}`], { stdio: ['pipe', 'ignore', 'ignore'] });
        children.push([c, new Promise((resolve) => c.once('exit', (code, signal) => resolve([code, signal])))]);
        await new Promise((resolve) => c.once('spawn', resolve));
      }
      for (const [c] of children) c.stdin.end('\n'); // all of them exit within microseconds
      const exits = await Promise.race([
        Promise.all(children.map(([, exited]) => exited)),
        new Promise((resolve) => setTimeout(resolve, 20000, 'some exits never came')),
      ]);
      assert.deepEqual(exits, children.map((_, i) => [i % 7, null]));
    }
  });

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
      const lib = require(${JSON.stringify(path.resolve(__dirname, '../../dist/integrations/child_process.js'))});
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
