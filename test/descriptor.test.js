'use strict';
// The descriptor API (procdesc's `.` export): spawn() -> Subprocess, open(pid), capabilities().
// Entry points that need a host of their own (killOnClose at host exit, the fallback path, unref)
// run in child node processes, started with node:child_process (the runner is not under test).
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const events = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const ts = require('typescript');

const procdesc = require('../dist/lib/index.js');
const { runNode } = require('./helpers/run-node');

const { spawn, open, capabilities, Subprocess, ProcessDescriptor } = procdesc;
const DIST = path.resolve(__dirname, '../dist/lib/index.js');
const FIXTURES = path.join(__dirname, 'fixtures');

function kernelAtLeast(major, minor) {
  const [a, b] = os.release().split('.').map(Number);
  return a > major || (a === major && b >= minor);
}
const EXIT_INFO = kernelAtLeast(6, 15);
const GROUP_SIGNALS = kernelAtLeast(6, 9);

/** The error a function throws (assert.throws gives no access to it). */
function thrownBy(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

/** A node child that ignores SIGTERM and says 'ready' once it does. */
function stubborn(options = {}) {
  const sub = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
    { stdio: ['ignore', 'pipe', 'inherit'], ...options });
  return sub;
}

async function firstLine(sub) {
  for await (const line of sub) return line;
  return undefined;
}

/** A third party: a node process (not ours) that spawns `commands` itself, prints their pids and
 * reaps them (libuv), then stays until its stdin closes. */
function thirdParty(commands) {
  const src = `
    const { spawn } = require('node:child_process');
    const pids = ${JSON.stringify(commands)}.map((c) => spawn('sh', ['-c', c], { stdio: 'ignore' }).pid);
    console.log(JSON.stringify(pids));
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`;
  const host = cp.spawn(process.execPath, ['-e', src], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    host.stdout.once('data', (d) => resolve({ host, pids: JSON.parse(d.toString()) }));
    host.once('error', reject);
  });
}

describe('descriptor API: spawn() -> Subprocess', function () {
  this.timeout(20000);

  it('has a pid, a pidfd while it runs, stdio streams, and `exited`', async () => {
    const sub = spawn('sh', ['-c', 'read x; echo "got $x"; echo err >&2; exit 3']);
    assert.ok(sub instanceof Subprocess);
    assert.ok(Number.isInteger(sub.pid) && sub.pid > 0);
    assert.ok(sub.fd >= 0, 'a pidfd in this process');
    assert.ok(fs.readlinkSync(`/proc/self/fd/${sub.fd}`).includes('pidfd'));
    assert.equal(sub.stdio.length, 3);
    assert.equal(sub.stdio[0], sub.stdin);
    let stderr = '';
    sub.stderr.on('data', (d) => { stderr += d; });
    const spawned = events.once(sub, 'spawn');
    const closed = events.once(sub, 'close');
    sub.stdin.end('hello\n');
    const [line] = await Promise.all([firstLine(sub), spawned]);
    assert.equal(line, 'got hello');
    const exit = await sub.exited;
    assert.equal(exit.code, 3);
    assert.equal(exit.signal, null);
    assert.deepEqual(Object.keys(exit.resourceUsage).sort(), ['maxRSS', 'systemCPUTime', 'userCPUTime']);
    assert.equal(sub.fd, -1, 'the pidfd is closed once the child is reaped');
    assert.equal(sub.kill(), false, 'no signal after the exit');
    await closed;
    assert.equal(stderr, 'err\n');
  });

  it("emits Node's events: 'spawn', 'exit' and 'close' with (code, signal)", async () => {
    const sub = spawn('sh', ['-c', 'exit 4'], { stdio: 'ignore' });
    const seen = [];
    sub.on('spawn', () => seen.push('spawn'));
    sub.on('exit', (code, signal) => seen.push(['exit', code, signal]));
    await events.once(sub, 'close');
    assert.deepEqual(seen, ['spawn', ['exit', 4, null]]);
  });

  it('throws spawn errors synchronously, with the shape of Node\'s', () => {
    const err = thrownBy(() => spawn('procdesc-no-such-command', ['a', 'b']));
    assert.equal(err.code, 'ENOENT');
    assert.equal(err.syscall, 'spawn procdesc-no-such-command');
    assert.equal(err.path, 'procdesc-no-such-command');
    assert.deepEqual(err.spawnargs, ['a', 'b']);
    assert.equal(err.message, 'spawn procdesc-no-such-command ENOENT');
  });

  it("validates its arguments with node:child_process's errors", () => {
    for (const args of [[1], [''], ['ls', 'x'], ['ls', [], { cwd: 1 }], ['ls', [], { killSignal: 'SIGNOPE' }],
      ['ls', [], { timeout: -1 }], ['ls', [], { signal: 'x' }], ['ls', [], { stdio: 'bogus' }]]) {
      const ours = thrownBy(() => spawn(...args));
      const node = thrownBy(() => cp.spawn(...args));
      assert.equal(ours.code, node.code, `spawn(${args.map((a) => JSON.stringify(a))})`);
      assert.equal(ours.message, node.message);
      assert.equal(ours.constructor, node.constructor);
    }
    const type = thrownBy(() => spawn('true', [], { forceKillAfterDelay: 'soon' }));
    assert.equal(type.code, 'ERR_INVALID_ARG_TYPE');
    assert.match(type.message, /"options\.forceKillAfterDelay" property must be one of type number or boolean/);
    assert.equal(thrownBy(() => spawn('true', [], { forceKillAfterDelay: -1 })).code, 'ERR_OUT_OF_RANGE');
    assert.equal(thrownBy(() => spawn('true', [], { killOnClose: 1 })).code, 'ERR_INVALID_ARG_TYPE');
    assert.equal(thrownBy(() => spawn('true', [], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] })).code,
      'ERR_INVALID_ARG_VALUE');
    const signal = thrownBy(() => spawn('true', [], { stdio: 'ignore' }).kill('SIGNOPE'));
    assert.equal(signal.code, 'ERR_UNKNOWN_SIGNAL');
  });

  it('kill() goes through the pidfd, with killSignal as its default', async () => {
    const sub = spawn('sleep', ['30'], { stdio: 'ignore', killSignal: 'SIGINT' });
    assert.equal(sub.kill(0), true, 'signal 0 checks that it is alive');
    assert.equal(sub.kill(), true);
    const exit = await sub.exited;
    assert.equal(exit.signal, 'SIGINT');
    assert.equal(sub.kill('SIGKILL'), false);
  });

  it('iterates stdout lines: CRLF, a last line without newline, characters split across writes', async () => {
    const script = "process.stdout.write('one\\r\\ntw'); setTimeout(() => process.stdout.write(Buffer.from([0xc3])), 50);" +
      "setTimeout(() => process.stdout.write(Buffer.concat([Buffer.from([0xa9]), Buffer.from('\\n\\nlast')])), 100);";
    const sub = spawn(process.execPath, ['-e', script]);
    const seen = [];
    for await (const line of sub) seen.push(line);
    assert.deepEqual(seen, ['one', 'twé', '', 'last']);
    assert.equal((await sub.exited).code, 0);
    assert.throws(() => spawn('true', [], { stdio: 'ignore' }).lines(), { code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('reports the resourceUsage of a CPU-burning child', async () => {
    // Burns 300 ms of its own CPU time, whatever the machine's load.
    const burn = "const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300000); console.log('done')";
    const sub = spawn(process.execPath, ['-e', burn], { stdio: 'ignore' });
    const { code, resourceUsage } = await sub.exited;
    assert.equal(code, 0);
    assert.ok(resourceUsage.userCPUTime >= 300000, `userCPUTime ${resourceUsage.userCPUTime} µs`);
    assert.ok(resourceUsage.userCPUTime < 20e6);
    assert.ok(resourceUsage.systemCPUTime >= 0);
    assert.ok(resourceUsage.maxRSS > 10000, `a node process has more than 10 MB: ${resourceUsage.maxRSS} kB`);
  });

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
      { stdio: ['ignore', 'pipe', 'inherit'], timeout: 1000, forceKillAfterDelay: 100 });
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

describe('descriptor API: open(pid)', function () {
  this.timeout(20000);

  it('opens a process the host did not spawn: its exit status, and kill through the pidfd', async function () {
    const { host, pids: [sleeper, exiter] } = await thirdParty(['exec sleep 30', 'sleep 0.3; exit 7']);
    try {
      const a = open(sleeper);
      const b = open(exiter);
      assert.ok(a instanceof ProcessDescriptor);
      assert.equal(a.pid, sleeper);
      assert.ok(a.fd >= 0);
      const exitEvent = events.once(b, 'exit');
      assert.equal(a.kill('SIGTERM'), true);
      const [ea, eb] = await Promise.all([a.exited, b.exited]);
      assert.deepEqual(await exitEvent, [eb.code, eb.signal]);
      assert.equal(a.fd, -1);
      assert.equal(a.kill(), false, 'no signal after the exit');
      if (EXIT_INFO) {
        assert.deepEqual(ea, { code: null, signal: 'SIGTERM' });
        assert.deepEqual(eb, { code: 7, signal: null });
      } else {
        assert.deepEqual(eb, { code: null, signal: null }, 'only that it exited');
      }
      assert.equal(capabilities().exitInfoForNonParents, EXIT_INFO);
    } finally {
      host.stdin.end();
    }
  });

  it('opens a Subprocess\'s child by pid too (the helper is its parent)', async () => {
    const sub = spawn('sh', ['-c', 'sleep 0.2; exit 5'], { stdio: 'ignore' });
    const handle = open(sub.pid);
    const [mine, theirs] = await Promise.all([sub.exited, handle.exited]);
    assert.equal(mine.code, 5);
    if (EXIT_INFO) assert.deepEqual(theirs, { code: 5, signal: null });
  });

  it('close() stops watching: exited rejects with an AbortError, the pidfd is closed', async () => {
    const sub = spawn('sleep', ['30'], { stdio: 'ignore' });
    const handle = open(sub.pid);
    const fd = handle.fd;
    handle.close();
    assert.equal(handle.fd, -1);
    assert.throws(() => fs.readlinkSync(`/proc/self/fd/${fd}`), { code: 'ENOENT' });
    await assert.rejects(handle.exited, { name: 'AbortError' });
    assert.equal(handle.kill(), false);
    handle.close(); // again: nothing
    sub.kill();
    await sub.exited;
  });

  it('throws for a process that does not exist, and validates pid as Node does', () => {
    assert.throws(() => open(4194305), { code: 'ESRCH', syscall: 'pidfd_open' }); // above PID_MAX_LIMIT
    assert.throws(() => open('1'), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => open(0), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => open(1.5), { code: 'ERR_OUT_OF_RANGE' });
  });

  it('unref() lets the host exit while the process lives on', async () => {
    const src = `const h = require(${JSON.stringify(DIST)}).open(process.ppid).unref(); console.log(JSON.stringify({ fd: h.fd }))`;
    const file = path.join(os.tmpdir(), `procdesc-unref-${process.pid}.js`);
    fs.writeFileSync(file, src);
    try {
      const res = await runNode(file, [], { timeout: 10000 });
      assert.equal(res.timedOut, false);
      assert.equal(res.code, 0);
      assert.ok(res.json.fd >= 0);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});

describe('descriptor API: capabilities()', function () {
  this.timeout(20000);

  it('says which of pidfd, helper, exit info for non-parents, group signals, open(pid) and reaping orphans are in use', () => {
    const caps = capabilities();
    for (const key of ['pidfd', 'helper', 'exitInfoForNonParents', 'groupSignals', 'openByPid', 'hostReapsOrphans']) {
      assert.equal(typeof caps[key], 'boolean', key);
      assert.equal(caps[key], !(key in caps.whyNot), `${key}: a reason exactly when it is not in use`);
    }
    assert.equal(caps.path, 'procdesc');
    assert.equal(caps.exitInfoForNonParents, EXIT_INFO);
    assert.equal(caps.groupSignals, GROUP_SIGNALS);
    assert.equal(caps.openByPid, true);
    // The test runner is neither PID 1 nor a subreaper (test/hosts.test.js has those shapes).
    assert.equal(caps.hostReapsOrphans, false);
  });

  it('on the node:child_process fallback: reasons, and spawn() still works (no pidfd, no usage)', async () => {
    const src = `
      const { capabilities, spawn } = require(${JSON.stringify(DIST)});
      (async () => {
        const sub = spawn('sh', ['-c', 'echo hi; exit 2']);
        const lines = [];
        for await (const line of sub) lines.push(line);
        const exit = await sub.exited;
        const killed = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
        const group = killed.killGroup('SIGKILL');
        const killedExit = await killed.exited;
        console.log(JSON.stringify({ caps: capabilities(), fd: sub.fd, lines, exit, group, killedExit }));
      })();`;
    const file = path.join(os.tmpdir(), `procdesc-fallback-${process.pid}.js`);
    fs.writeFileSync(file, src);
    try {
      const res = await runNode(file, [], { env: { PROCDESC_FORCE_FALLBACK: '1' }, timeout: 10000 });
      assert.ok(res.json, res.stderr);
      const { caps, fd, lines, exit, group, killedExit } = res.json;
      assert.equal(caps.path, 'node');
      assert.deepEqual([caps.pidfd, caps.helper, caps.exitInfoForNonParents, caps.groupSignals, caps.openByPid,
        caps.hostReapsOrphans], [false, false, false, false, false, false]);
      assert.deepEqual(Object.keys(caps.whyNot).sort(),
        ['exitInfoForNonParents', 'groupSignals', 'helper', 'hostReapsOrphans', 'openByPid', 'pidfd']);
      assert.match(caps.whyNot.pidfd, /PROCDESC_FORCE_FALLBACK/);
      assert.equal(fd, -1);
      assert.deepEqual(lines, ['hi']);
      assert.deepEqual(exit, { code: 2, signal: null, resourceUsage: null });
      assert.equal(group, true);
      assert.equal(killedExit.signal, 'SIGKILL');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
