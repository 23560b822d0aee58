// A child of the helper with no Node ChildProcess behind it, for Bun and Deno: their ChildProcess
// keeps its handle in private fields that our ProcessHandle cannot replace (lib/node/claim.ts does
// that on Node). It has the few members of a ChildProcess that Subprocess uses (pid, stdio, kill,
// ref/unref, exitCode/signalCode, 'spawn'/'exit'/'close'/'error'), and runs spawn()'s `timeout`
// and `signal` options as Node's spawn does. Its stdio are streams over the socketpair ends we
// keep, of the kind that works in the runtime (measured with Bun 1.4.5 and Deno 2.9.6):
//   Bun:  net.Socket({ fd }) reads nothing from a socketpair; fs streams on the fd work.
//   Deno: fs streams on the fd fail with EBADF; net.Socket({ fd }) works (so does Node's).
import * as fs from 'node:fs';
import * as net from 'node:net';
import { type Readable, Writable } from 'node:stream';
import { EventEmitter } from 'node:events';

import { errnoException, signalNumber, uvErrno } from '../core/errno';
import { ProcessHandle } from '../core/process_handle';
import { otherRuntime } from '../core/runtime';
import type { Session } from '../core/session';
import { AbortError, ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_UNKNOWN_SIGNAL } from './errors';
import { normalizeSpawn, type RuntimeSpawn } from './runtime_options';

const UV_ESRCH = uvErrno('ESRCH');

type Stdio = Readable | Writable | null;

// Bun's fs.WriteStream on our fd sometimes never closes it after 'finish' (1.4.5; destroy() does
// not either), so a child reading stdin to EOF would wait for ever: on Bun the child's stdin is this
// small Writable, which writes with fs.write and closes the fd itself, once.
function fdWriter(fd: number): Writable {
  let open = true;
  const close = (cb: (err?: Error | null) => void) => {
    if (!open) return cb();
    open = false;
    // Synchronously: Bun 1.4.5's fs.close callback was seen never to come here.
    try {
      fs.closeSync(fd);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  };
  const writeAll = (chunk: Buffer, cb: (err?: Error | null) => void): void => {
    fs.write(fd, chunk, (err, written) => {
      // EAGAIN: a non-blocking socket that is full; try again shortly.
      if (err && (err as NodeJS.ErrnoException).code === 'EAGAIN') return void setTimeout(() => writeAll(chunk, cb), 1);
      if (err) return cb(err);
      if (written < chunk.length) return writeAll(chunk.subarray(written), cb);
      cb();
    });
  };
  return new Writable({
    write: (chunk: Buffer, _encoding, cb) => writeAll(chunk, cb),
    final: (cb) => close(cb),
    destroy: (err, cb) => close(() => cb(err)),
  });
}

function openStream(fd: number, childReads: boolean): Readable | Writable {
  if ((process.versions as Record<string, string | undefined>).bun) {
    return childReads ? fdWriter(fd) : fs.createReadStream('', { fd });
  }
  return new net.Socket({ fd, readable: !childReads, writable: childReads });
}

export interface RuntimeChildOptions {
  killSignal: number;
  killOnClose: boolean | 'tree';
  /** Track the child's whole tree (lib/descriptor/tree.ts). */
  tree: boolean;
  timeout?: number;
  signal?: AbortSignal;
}

export class RuntimeChild extends EventEmitter {
  pid: number | undefined = undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  killed = false;
  stdin: Writable | null = null;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  stdio: Stdio[] = [];
  readonly spawnfile: string;
  readonly spawnargs: string[];
  readonly handle: ProcessHandle;
  #closesNeeded = 1; // the exit, and each stream the child writes to
  #timer: NodeJS.Timeout | null = null;
  // 'spawn' comes first, as in Node. Deno may run a threadsafe function's call (the exit) before
  // the nextTick that emits 'spawn' (seen 1 in 5 runs of a child that exits at once).
  #spawnEmitted = false;
  #exitBeforeSpawn: (() => void) | null = null;
  readonly #options: RuntimeChildOptions;

  constructor(session: Session, spawn: RuntimeSpawn, options: RuntimeChildOptions) {
    super();
    this.spawnfile = spawn.spawnfile;
    this.spawnargs = spawn.spawnargs;
    this.#options = options;
    this.handle = new ProcessHandle(session);
    this.handle.onexit = (code, signal) => this.#onExit(code, signal);
  }

  /** 0, or -errno of the spawn (nothing is left open then). */
  start(spawn: RuntimeSpawn): number {
    const binding = this.handle.session.binding;
    const hostEnds: (number | null)[] = [];
    const childEnds: number[] = [];
    const stdio: number[] = [];
    const closeAll = (fds: (number | null)[]) => {
      for (const fd of fds) if (fd !== null) binding.close(fd);
    };
    for (const entry of spawn.stdio) {
      if (entry !== 'pipe') {
        stdio.push(entry);
        hostEnds.push(null);
        continue;
      }
      const pair = binding.socketpair();
      if (typeof pair === 'number') {
        closeAll(hostEnds);
        closeAll(childEnds);
        return pair;
      }
      hostEnds.push(pair[0]);
      childEnds.push(pair[1]);
      stdio.push(pair[1]);
    }
    const { killOnClose, tree } = this.#options;
    const err = this.handle.spawn({ ...spawn.request, stdio, killOnClose, tree });
    closeAll(childEnds);
    if (err !== 0) {
      closeAll(hostEnds);
      return err;
    }
    this.pid = this.handle.pid;
    this.stdio = hostEnds.map((fd, i) => {
      if (fd === null) return null;
      const stream = openStream(fd, i === 0);
      if (i > 0) {
        this.#closesNeeded++;
        stream.on('close', () => this.#maybeClose());
      }
      return stream;
    });
    [this.stdin, this.stdout, this.stderr] = this.stdio as [Writable | null, Readable | null, Readable | null];
    this.#armOptions();
    process.nextTick(() => {
      this.#spawnEmitted = true;
      this.emit('spawn');
      this.#exitBeforeSpawn?.();
    });
    return 0;
  }

  kill(signal?: NodeJS.Signals | number): boolean {
    const signo = signal === undefined ? 15 : signal === 0 ? 0 : signalNumber(signal) ?? 15;
    const err = this.handle.kill(signo);
    if (err === 0) {
      this.killed = true;
      return true;
    }
    if (err !== UV_ESRCH) this.emit('error', errnoException(err, 'kill'));
    return false;
  }

  ref(): void {
    this.handle.ref();
  }

  unref(): void {
    this.handle.unref();
  }

  // timeout and signal, as Node's spawn runs them: killSignal, and for the signal an AbortError.
  #armOptions(): void {
    const { timeout, signal, killSignal } = this.#options;
    if (timeout !== undefined && timeout > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.kill(killSignal);
      }, timeout);
    }
    if (!signal) return;
    const onAbort = () => {
      if (this.exitCode === null && this.signalCode === null && this.kill(killSignal)) {
        this.emit('error', new AbortError(undefined, { cause: signal.reason }));
      }
    };
    if (signal.aborted) {
      process.nextTick(onAbort);
    } else {
      signal.addEventListener('abort', onAbort, { once: true });
      this.once('exit', () => signal.removeEventListener('abort', onAbort));
    }
  }

  #onExit(code: number | null, signal: string): void {
    if (!this.#spawnEmitted) {
      this.#exitBeforeSpawn = () => this.#onExit(code, signal);
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.exitCode = code;
    this.signalCode = signal ? (signal as NodeJS.Signals) : null;
    // As Node: the child is gone, nothing more can be written to it. Node's streams emit no
    // 'error' once destroyed (a late write only fails its callback); Bun's fs.WriteStream does
    // (an end() still in flight: "Cannot call write after a stream was destroyed", uncaught).
    if (this.stdin && !this.stdin.destroyed) {
      this.stdin.on('error', () => {});
      this.stdin.destroy();
    }
    this.emit('exit', this.exitCode, this.signalCode);
    this.#maybeClose();
  }

  #maybeClose(): void {
    if (--this.#closesNeeded === 0) {
      this.handle.close();
      this.emit('close', this.exitCode, this.signalCode);
    }
  }
}

/** Whether the descriptor API makes its children here rather than through Node's ChildProcess:
 * on Bun and Deno, and on Node when PROCDESC_RUNTIME_CHILD=1 (so that Node's suite covers it). */
export function useRuntimeChild(): boolean {
  return otherRuntime() !== null || process.env.PROCDESC_RUNTIME_CHILD === '1';
}

interface DenoPermissions {
  querySync(d: { name: 'run'; command?: string }): { state: string };
  requestSync(d: { name: 'run'; command?: string }): { state: string };
}

// Deno runs a child only with --allow-run (for that command). The helper is not Deno's to check,
// so we ask as Deno's own spawn does (a prompt on a terminal, else denied) and fail as it fails.
function checkDenoRun(file: string): void {
  const permissions = (globalThis as { Deno?: { permissions?: DenoPermissions } }).Deno?.permissions;
  if (!permissions) return;
  const desc = { name: 'run' as const, command: file };
  let state = permissions.querySync(desc).state;
  if (state === 'prompt') state = permissions.requestSync(desc).state;
  if (state === 'granted') return;
  throw Object.assign(new Error(`Requires run access to "${file}", run again with the --allow-run flag`),
    { name: 'NotCapable', code: 'ERR_ACCESS_DENIED' });
}

/** spawn() for the descriptor API without Node's ChildProcess; the shape of lib/node/drop_in.ts's
 * spawnChild. Argument errors throw; spawn errors come back as spawnResult (-errno). */
export function spawnRuntimeChild(session: Session, args: [unknown, unknown, unknown],
  { killOnClose, tree }: { killOnClose: boolean | 'tree'; tree: boolean }):
  { child: RuntimeChild; spawnResult: number } {
  const spawn = normalizeSpawn(...args);
  checkDenoRun(spawn.spawnfile);
  const o = spawn.options;
  const killSignal = signalNumber(o.killSignal ?? 'SIGTERM');
  if (killSignal === undefined) throw new ERR_UNKNOWN_SIGNAL(o.killSignal);
  const timeout = o.timeout;
  if (timeout != null && !(Number.isInteger(timeout) && (timeout as number) >= 0)) {
    throw new ERR_OUT_OF_RANGE('timeout', 'an unsigned integer', timeout); // as Node's validateTimeout
  }
  const signal = o.signal as AbortSignal | undefined;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
    const error = new ERR_INVALID_ARG_TYPE('options.signal', 'AbortSignal', signal); // as validateAbortSignal
    error.message = error.message.replace('be of type', 'be an instance of');
    throw error;
  }
  const child = new RuntimeChild(session, spawn, { killSignal, killOnClose, tree, timeout: timeout as number | undefined, signal });
  return { child, spawnResult: child.start(spawn) };
}
