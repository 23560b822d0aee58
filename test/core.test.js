'use strict';
// The core's logic against a fake binding (no addon, no helper, no process): the Session's routing
// of exit records and lost helpers, its loop refs, and the process state machine's transitions,
// as tokio tests its reaper with mock queues.
const assert = require('node:assert');

const { Session } = require('../dist/lib/core/session.js');
const { ProcessHandle } = require('../dist/lib/core/process_handle.js');

const ESRCH = -3;
const SIGKILL_STATUS = 9; // a wait status: killed by signal 9
const exitStatus = (code) => code << 8;

/** A binding that records what the core asks of it; `native` is the fake session's side. */
function fakeBinding() {
  const calls = { spawn: [], kill: [], close: [], watch: [], unwatch: [], setRef: [], reap: [] };
  const binding = {
    calls,
    nextPid: 100,
    nextFd: 30,
    exitStatuses: new Map(), // pidfd -> status for exitStatus()
    reapable: new Map(), // pidfd -> [status, utime, stime, maxrss] for reap(): the host is the parent
    constants: {
      SPAWN_SETSID: 1, SPAWN_SETUID: 2, SPAWN_SETGID: 4, SPAWN_HAS_CWD: 8, SPAWN_KILL_ON_CLOSE: 64,
      FEATURE_CLONE_PIDFD: 1, STDIO_IGNORE: -1, STDIO_PIPE_IN: -2, STDIO_PIPE_OUT: -3, STDIO_PIPE_BOTH: -4, MAX_STDIO: 1024,
    },
    generation: 1,
    killResult: 0,
    Session: class {
      constructor(onExit, onLost, onReadable) {
        binding.native = this;
        this.onExit = onExit;
        this.onLost = onLost;
        this.onReadable = onReadable;
      }

      spawn(...args) {
        const out = args.pop();
        calls.spawn.push(args);
        out[0] = binding.nextPid++;
        out[1] = binding.nextFd++;
        out[2] = binding.generation;
        return 0;
      }

      setRef(ref) { calls.setRef.push(ref); }
      watch(pidfd, ref) { calls.watch.push([pidfd, ref]); return 0; }
      unwatch(pidfd) { calls.unwatch.push(pidfd); }
    },
    kill: (pidfd, signal, group) => { calls.kill.push([pidfd, signal, !!group]); return binding.killResult; },
    close: (fd) => { calls.close.push(fd); return 0; },
    exitStatus: (pidfd) => (binding.exitStatuses.has(pidfd) ? binding.exitStatuses.get(pidfd) : null),
    reap: (pidfd) => { calls.reap.push(pidfd); return binding.reapable.get(pidfd) ?? -10; /* ECHILD */ },
  };
  return binding;
}

function spawned(session, request = {}) {
  const handle = new ProcessHandle(session);
  const exits = [];
  handle.onexit = (code, signal) => exits.push([code, signal]);
  const err = handle.spawn({ file: 'f', args: ['f'], envPairs: [], detached: false, stdio: [-1, -1, -1], ...request });
  assert.strictEqual(err, 0);
  return { handle, exits };
}

describe('core: the session and the process state machine, against a fake binding', () => {
  it('spawn -> running -> exit record -> exited: onexit once, with the decoded status; the pidfd closed', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const { handle, exits } = spawned(session);
    assert.strictEqual(handle.state, 'running');
    assert.strictEqual(handle.pid, 100);
    assert.strictEqual(handle.fd, 30);
    const [id] = b.calls.spawn[0];
    b.native.onExit(id, 100, exitStatus(3), 10, 20, 30);
    assert.deepStrictEqual(exits, [[3, '']]);
    assert.strictEqual(handle.state, 'exited');
    assert.strictEqual(handle.fd, -1);
    assert.deepStrictEqual(b.calls.close, [30]);
    assert.deepStrictEqual({ u: handle.usage.userCPUTime, s: handle.usage.systemCPUTime, m: handle.usage.maxRSS }, { u: 10, s: 20, m: 30 });
    b.native.onExit(id, 100, exitStatus(4), 0, 0, 0); // a stray record: nobody listens any more
    assert.strictEqual(exits.length, 1);
  });

  it('a signal death is reported by name, with no code', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const { exits } = spawned(session);
    b.native.onExit(b.calls.spawn[0][0], 100, SIGKILL_STATUS, 0, 0, 0);
    assert.deepStrictEqual(exits, [[null, 'SIGKILL']]);
  });

  it('records reach the child they name, whatever their order', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const a = spawned(session);
    const c = spawned(session);
    b.native.onExit(b.calls.spawn[1][0], 101, exitStatus(2), 0, 0, 0);
    b.native.onExit(b.calls.spawn[0][0], 100, exitStatus(1), 0, 0, 0);
    assert.deepStrictEqual([a.exits, c.exits], [[[1, '']], [[2, '']]]);
  });

  it('kill goes through the pidfd while running; after the exit it is ESRCH and nothing is sent', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const { handle } = spawned(session);
    assert.strictEqual(handle.kill(15), 0);
    assert.deepStrictEqual(b.calls.kill, [[30, 15, false]]);
    b.killResult = ESRCH; // exited, its record not read yet: Node reports success then
    assert.strictEqual(handle.kill(15, true), 0);
    b.native.onExit(b.calls.spawn[0][0], 100, 0, 0, 0, 0);
    assert.strictEqual(handle.kill(9), ESRCH);
    assert.strictEqual(b.calls.kill.length, 2, 'no signal after the exit');
  });

  it('the loop is ref\'d exactly while a ref\'d child runs', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const a = spawned(session);
    const c = spawned(session);
    assert.deepStrictEqual(b.calls.setRef, [true]);
    a.handle.unref();
    c.handle.unref();
    assert.deepStrictEqual(b.calls.setRef, [true, false]);
    c.handle.ref();
    b.native.onExit(b.calls.spawn[1][0], 101, 0, 0, 0, 0);
    assert.deepStrictEqual(b.calls.setRef, [true, false, true, false]);
    a.handle.ref();
    a.handle.close();
    assert.deepStrictEqual(b.calls.setRef, [true, false, true, false, true, false]);
  });

  it('a lost helper orphans only its own generation; orphans are watched, then exit with the kernel\'s status', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const old = spawned(session);
    b.generation = 2;
    const young = spawned(session);
    b.native.onLost(-32, 1);
    assert.strictEqual(old.handle.state, 'watched');
    assert.strictEqual(young.handle.state, 'running');
    assert.deepStrictEqual(b.calls.watch, [[30, true]]);
    b.exitStatuses.set(30, exitStatus(7));
    b.native.onReadable(30);
    assert.deepStrictEqual(old.exits, [[7, '']]);
    assert.strictEqual(old.handle.state, 'exited');
    assert.strictEqual(old.handle.usage, null, 'no usage for an orphan');
  });

  it('an orphan whose status is not known yet is asked again, and ref/unref while asking watches nothing new', async () => {
    const b = fakeBinding();
    const session = new Session(b);
    const { handle, exits } = spawned(session);
    b.native.onLost(-32, 1);
    b.native.onReadable(30);
    handle.unref();
    assert.deepStrictEqual(b.calls.watch.length, 1, 'no second watch once the pidfd has fired');
    await new Promise((r) => setTimeout(r, 5));
    assert.deepStrictEqual(exits, []);
    b.exitStatuses.set(30, exitStatus(5));
    await new Promise((r) => setTimeout(r, 100)); // the retries are at most 16 ms apart
    assert.deepStrictEqual(exits, [[5, '']]);
  });

  it('an orphan that came to the host (PID 1, subreaper) is reaped through its pidfd, with its usage', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const { handle, exits } = spawned(session);
    b.native.onLost(-32, 1);
    b.reapable.set(30, [9, 11, 22, 33]); // killed by SIGKILL
    b.native.onReadable(30);
    assert.deepStrictEqual(exits, [[null, 'SIGKILL']]);
    assert.deepStrictEqual(handle.usage, { pid: 100, status: 9, userCPUTime: 11, systemCPUTime: 22, maxRSS: 33 });
    assert.deepStrictEqual(b.calls.close, [30]);
  });

  it('a process opened by PID is never reaped by us (it may be the host\'s own child)', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const handle = ProcessHandle.adopt(session, 4242, 55);
    const exits = [];
    handle.onexit = (code, signal) => exits.push([code, signal]);
    b.reapable.set(55, [0, 0, 0, 0]);
    b.exitStatuses.set(55, exitStatus(3));
    b.native.onReadable(55);
    assert.deepStrictEqual(b.calls.reap, []);
    assert.deepStrictEqual(exits, [[3, '']]);
  });

  it('adopt() (open(pid)) starts watched; its ESRCH is reported as it is', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const handle = ProcessHandle.adopt(session, 4242, 55);
    assert.strictEqual(handle.state, 'watched');
    assert.deepStrictEqual(b.calls.watch, [[55, true]]);
    b.killResult = ESRCH;
    assert.strictEqual(handle.kill(15), ESRCH);
    handle.close();
    assert.deepStrictEqual(b.calls.unwatch, [55]);
    assert.deepStrictEqual(b.calls.close, [55]);
  });

  it('the machine rejects the impossible: a second spawn, and nothing happens after close()', () => {
    const b = fakeBinding();
    const session = new Session(b);
    const { handle, exits } = spawned(session);
    assert.throws(() => handle.spawn({ file: 'f', args: [], envPairs: [], detached: false, stdio: [] }), /spawns once/);
    handle.close();
    handle.close();
    assert.strictEqual(handle.state, 'closed');
    b.native.onExit(b.calls.spawn[0][0], 100, 0, 0, 0, 0);
    handle.helperLost();
    handle.pidfdReadable();
    assert.deepStrictEqual(exits, []);
    assert.deepStrictEqual(b.calls.close, [30], 'the pidfd closed once');
  });

  it('a request carries its flags and strings as the wire lays them out', () => {
    const b = fakeBinding();
    const session = new Session(b);
    spawned(session, { file: 'sh', args: ['sh', '-c', 'x\u0000y'], envPairs: ['A=1'], cwd: '/tmp', detached: true, uid: 5, killOnClose: true });
    const [id, flags, uid, gid, argc, envc, blob, stdio] = b.calls.spawn[0];
    assert.strictEqual(id, 1);
    assert.strictEqual(flags, 1 | 2 | 8 | 64);
    assert.deepStrictEqual([uid, gid, argc, envc], [5, 0, 3, 1]);
    assert.strictEqual(blob.toString(), 'sh\0/tmp\0sh\0-c\0x\0A=1\0', 'a string ends at its first NUL, as in C');
    assert.deepStrictEqual([...stdio], [-1, -1, -1]);
  });
});
