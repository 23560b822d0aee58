'use strict';
// The descriptor API (procdesc's `.` export): spawn() -> Subprocess, what it gives and reports while
// the child runs and once it exits (test/descriptor/kill.test.js: how a Subprocess ends).
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const events = require('node:events');
const fs = require('node:fs');

const { procdesc, thrownBy, firstLine } = require('./common');

const { spawn, Subprocess } = procdesc;

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
});
