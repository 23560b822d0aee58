'use strict';
// The descriptor API (procdesc's `.` export): how a Subprocess ends: forceKillAfterDelay, timeout and
// signal, killGroup(), `await using`, and killOnClose (a host of its own, run in a child node process
// started with node:child_process: the runner is not under test).
const assert = require('node:assert/strict');
const events = require('node:events');
const path = require('node:path');
const ts = require('typescript');

const { runNode } = require('../helpers/run-node');
const { procdesc, DIST, FIXTURES, EXIT_INFO, GROUP_SIGNALS, stubborn, firstLine } = require('./common');

const { spawn, open, capabilities } = procdesc;

describe('descriptor API: spawn() -> Subprocess', function () {
  this.timeout(20000);

  it('forceKillAfterDelay: SIGKILL follows killSignal when the child ignores it', async () => {
    const sub = stubborn({ forceKillAfterDelay: 200 });
    assert.equal(await firstLine(sub), 'ready');
    const t0 = Date.now();
    assert.equal(sub.kill(), true);
    const exit = await sub.exited;
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(Date.now() - t0 >= 150, 'not before the delay');
  });

  it('forceKillAfterDelay: false never escalates; other signals than killSignal do not either', async () => {
    const sub = stubborn({ forceKillAfterDelay: false });
    assert.equal(await firstLine(sub), 'ready');
    sub.kill();
    const other = stubborn({ forceKillAfterDelay: 50 });
    assert.equal(await firstLine(other), 'ready');
    other.kill('SIGWINCH'); // ignored by default
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sub.kill(0), true, 'still running');
    assert.equal(other.kill(0), true, 'still running');
    sub.kill('SIGKILL');
    other.kill('SIGKILL');
    assert.equal((await sub.exited).signal, 'SIGKILL');
    assert.equal((await other.exited).signal, 'SIGKILL');
  });

  it('timeout and signal kill with killSignal (and then SIGKILL)', async () => {
    const timed = spawn('sleep', ['30'], { stdio: 'ignore', timeout: 100 });
    assert.equal((await timed.exited).signal, 'SIGTERM');

    const ac = new AbortController();
    const aborted = spawn('sleep', ['30'], { stdio: 'ignore', signal: ac.signal, killSignal: 'SIGHUP' });
    const error = events.once(aborted, 'error');
    ac.abort('enough');
    const [err] = await error;
    assert.equal(err.name, 'AbortError');
    assert.equal(err.cause, 'enough');
    assert.equal((await aborted.exited).signal, 'SIGHUP');

    // The timer starts at spawn: a shell ignores SIGTERM within a few ms of it (a Node child would
    // need hundreds on a loaded machine), and `exec` keeps the trap's SIG_IGN in sleep.
    const stubbornTimed = spawn('sh', ['-c', "trap '' TERM; echo ready; exec sleep 30"],
      { stdio: ['ignore', 'pipe', 'inherit'], timeout: 3000, forceKillAfterDelay: 100 });
    assert.equal(await firstLine(stubbornTimed), 'ready');
    assert.equal((await stubbornTimed.exited).signal, 'SIGKILL');
  });

  it('killGroup() reaches a grandchild in a detached child\'s process group', async function () {
    // The leader ignores SIGTERM and reports its own child's death (it reaps it: libuv).
    const leader = "process.on('SIGTERM', () => {});" +
      "const c = require('node:child_process').spawn('sleep', ['30'], { stdio: 'ignore' });" +
      "console.log(c.pid); c.on('exit', (code, sig) => { console.log('grandchild ' + sig); process.exit(0); });";
    const sub = spawn(process.execPath, ['-e', leader], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const it = sub.lines();
    const grandchild = Number((await it.next()).value);
    const handle = open(grandchild);
    assert.equal(sub.killGroup(), true);
    assert.equal((await it.next()).value, 'grandchild SIGTERM');
    const exit = await handle.exited;
    if (EXIT_INFO) assert.deepEqual(exit, { code: null, signal: 'SIGTERM' });
    assert.equal((await sub.exited).code, 0, 'the leader ignored it');
    assert.equal(sub.killGroup(), false, 'false once the leader has exited');
    assert.equal(capabilities().groupSignals, GROUP_SIGNALS);

    const attached = spawn('true', [], { stdio: 'ignore' });
    assert.throws(() => attached.killGroup(), { code: 'ERR_INVALID_STATE' });
    await attached.exited;
  });

  it('await using: disposal kills gracefully, then forcefully, and waits', async () => {
    // Node 20 cannot parse `await using`; TypeScript compiles it to Symbol.asyncDispose calls.
    const source = `
      const { spawn } = require(${JSON.stringify(DIST)});
      export async function graceful() {
        let sub;
        {
          await using child = spawn('sleep', ['30'], { stdio: 'ignore' });
          sub = child;
        }
        return { fd: sub.fd, exit: await sub.exited };
      }
      export async function forceful() {
        let sub;
        const t0 = Date.now();
        {
          await using child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
            { stdio: ['ignore', 'pipe', 'inherit'], forceKillAfterDelay: 200 });
          sub = child;
          for await (const line of child) break;
        }
        return { fd: sub.fd, exit: await sub.exited, ms: Date.now() - t0 };
      }`;
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, lib: ['lib.esnext.d.ts'] },
    });
    assert.match(outputText, /__disposeResources|Symbol\.asyncDispose/);
    const mod = new module.constructor(path.join(__dirname, 'await-using.js'));
    mod.paths = module.paths;
    mod._compile(outputText, mod.id);

    const graceful = await mod.exports.graceful();
    assert.equal(graceful.fd, -1, 'exited before the block was left');
    assert.equal(graceful.exit.signal, 'SIGTERM');
    const forceful = await mod.exports.forceful();
    assert.equal(forceful.fd, -1);
    assert.equal(forceful.exit.signal, 'SIGKILL');
  });

  it('killOnClose: the child dies with the host (exit or SIGKILL); others outlive it', async function () {
    this.timeout(30000);
    const host = path.join(FIXTURES, 'kill-on-close-host.js');
    // Both ways at once: the orphaned children are reaped by PID 1, here about 2 s later.
    await Promise.all(['exit', 'crash'].map(async (how) => {
      const res = await runNode(host, [how], { timeout: 20000 });
      assert.ok(res.json, `no JSON from the host: ${res.stdout} ${res.stderr}`);
      if (how === 'crash') assert.equal(res.signal, 'SIGKILL');
      else assert.equal(res.code, 0);
      const { doomed, survivor } = res.json;
      const handle = open(survivor);
      assert.equal(handle.kill(0), true, `${how}: the child without killOnClose lives on`);
      handle.kill('SIGKILL');
      handle.close();
      // `sleep 30` exits long before 30 s only if it is killed. Its status comes once PID 1 has
      // reaped it (within 5 s, or it stays unknown: null, null).
      let doomedExit = null;
      try {
        doomedExit = await open(doomed).exited;
      } catch (err) {
        assert.equal(err.code, 'ESRCH', 'gone and reaped already');
      }
      if (doomedExit?.signal) assert.deepEqual(doomedExit, { code: null, signal: 'SIGKILL' }, how);
      else if (doomedExit) assert.deepEqual(doomedExit, { code: null, signal: null }, how);
    }));
  });
});
