// ChildProcess: Node's class, event for event (internal/child_process), over a ProcessHandle
// instead of libuv's Process wrap. Like Node's it is an EventEmitter of node:events, so code that
// checks instanceof, calls setMaxListeners or awaits events.once(child, 'exit') keeps working.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { constants as osConstants } from 'node:os';

import { errnoException } from './errors';
import { ProcessHandle } from './process_handle';
import { getSession, type Session } from './session';
import { loadNative } from './native';
import { childFdsOf, closePipes, getValidStdio, type StdioEntry } from './stdio';
import { convertToValidSignal, validateArray, validateObject, validateOneOf, validateString } from './validators';

const errno = osConstants.errno as Record<string, number>;
const UV_EACCES = -errno.EACCES, UV_EAGAIN = -errno.EAGAIN, UV_EMFILE = -errno.EMFILE;
const UV_ENFILE = -errno.ENFILE, UV_ENOENT = -errno.ENOENT, UV_ESRCH = -errno.ESRCH;
const UV_EINVAL = -errno.EINVAL, UV_ENOSYS = -errno.ENOSYS;

/** Streams handed to the child as 'wrap': flushStdio must not resume them. */
const usedAsStdio = new WeakSet<object>();

/** The normalized options ChildProcess#spawn takes (what normalizeSpawnArguments returns). */
export interface ChildSpawnOptions {
  file: string;
  args?: string[];
  envPairs: string[];
  cwd?: string;
  detached?: boolean;
  uid?: number;
  gid?: number;
  stdio?: unknown;
  serialization?: string;
  [key: string]: unknown;
}

type Stdio = net.Socket | null;

export class ChildProcess extends EventEmitter {
  pid: number | undefined = undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  killed = false;
  connected = false;
  spawnfile: string | null = null;
  spawnargs: string[] = [];
  stdin: net.Socket | null = null;
  stdout: net.Socket | null = null;
  stderr: net.Socket | null = null;
  stdio: Stdio[] = [];
  _handle: ProcessHandle | null;
  _closesNeeded = 1;
  _closesGot = 0;

  constructor(session: Session | null = getSession()) {
    super();
    if (!session) throw new Error(`procdesc: the native addon is unavailable (${loadNative().error?.message})`);
    this._handle = new ProcessHandle(session);
    this._handle.onexit = (exitCode, signalCode) => this.#onExit(exitCode, signalCode);
  }

  /** CPU time (µs) and peak RSS (kB) of the child, once it has exited. */
  get resourceUsage(): { userCPUTime: number; systemCPUTime: number; maxRSS: number } | null {
    return this.#usage;
  }
  #usage: { userCPUTime: number; systemCPUTime: number; maxRSS: number } | null = null;

  #onExit(exitCode: number | null, signalCode?: string): void {
    const handle = this._handle!;
    if (handle.usage) {
      const { userCPUTime, systemCPUTime, maxRSS } = handle.usage;
      this.#usage = { userCPUTime, systemCPUTime, maxRSS };
    }
    if (signalCode) this.signalCode = signalCode as NodeJS.Signals;
    else this.exitCode = exitCode;

    if (this.stdin) this.stdin.destroy();

    handle.close();
    this._handle = null;

    if (exitCode !== null && exitCode < 0) {
      const syscall = this.spawnfile ? 'spawn ' + this.spawnfile : 'spawn';
      const err: NodeJS.ErrnoException & { spawnargs?: string[] } = errnoException(exitCode, syscall);
      if (this.spawnfile) err.path = this.spawnfile;
      err.spawnargs = this.spawnargs.slice(1);
      this.emit('error', err);
    } else {
      this.emit('exit', this.exitCode, this.signalCode);
    }

    // Streams nobody touched are drained so that they end and 'close' can come; on the next tick,
    // which gives the user one last chance to read them.
    process.nextTick(flushStdio, this);
    maybeClose(this);
  }

  spawn(options: ChildSpawnOptions): number {
    validateObject(options, 'options');
    const handle = this._handle!;
    const binding = handle.session.binding;
    const stdio: StdioEntry[] = getValidStdio(options.stdio || 'pipe', false, binding);
    options.stdio = stdio;

    validateOneOf(options.serialization, 'options.serialization', [undefined, 'json', 'advanced']);
    validateString(options.file, 'options.file');
    this.spawnfile = options.file;
    if (options.args === undefined) {
      this.spawnargs = [];
    } else {
      validateArray(options.args, 'options.args');
      this.spawnargs = options.args;
    }

    const err = handle.spawn({
      file: options.file,
      args: this.spawnargs,
      envPairs: options.envPairs ?? [],
      cwd: typeof options.cwd === 'string' ? options.cwd : undefined,
      detached: !!options.detached,
      uid: typeof options.uid === 'number' ? options.uid : undefined,
      gid: typeof options.gid === 'number' ? options.gid : undefined,
      stdio: childFdsOf(stdio),
      killOnClose: options.killOnClose === true,
    });

    if (err === UV_EACCES || err === UV_EAGAIN || err === UV_EMFILE || err === UV_ENFILE || err === UV_ENOENT) {
      // Run-time errors are emitted, not thrown, as in Node.
      process.nextTick(onErrorNT, this, err);
      if (err === UV_EMFILE || err === UV_ENFILE) {
        closePipes(stdio, binding);
        return err;
      }
    } else if (err) {
      closePipes(stdio, binding);
      handle.close();
      this._handle = null;
      throw errnoException(err, 'spawn');
    } else {
      process.nextTick(onSpawnNT, this);
    }

    this.pid = handle.pid;
    // The child has its ends now (or never will): ours would only keep the pipes from ending.
    closePipes(stdio, binding, false);

    for (let i = 0; i < stdio.length; i++) {
      const entry = stdio[i];
      if (entry.type === 'wrap') {
        // The child reads from it now; we must not read at the same time.
        const h = entry.handle;
        h.reading = false;
        h.readStop?.();
        const stream = entry.stdio;
        if (stream && typeof stream.pause === 'function') {
          stream.pause();
          stream.readableFlowing = false;
          if (stream._readableState) stream._readableState.reading = false;
          usedAsStdio.add(stream);
        }
        continue;
      }
      if (entry.type !== 'pipe' && entry.type !== 'overlapped') continue;
      const socket = new net.Socket({ fd: entry.hostFd, readable: i > 0 } as net.SocketConstructorOpts);
      entry.hostFd = -1; // the socket owns it
      this.stdio[i] = socket;
      if (i > 0) {
        this._closesNeeded++;
        socket.on('close', () => maybeClose(this));
      }
    }
    for (let i = 0; i < stdio.length; i++) this.stdio[i] ??= null;
    this.stdin = this.stdio[0] ?? null;
    this.stdout = this.stdio[1] ?? null;
    this.stderr = this.stdio[2] ?? null;
    return err;
  }

  kill(sig?: NodeJS.Signals | number): boolean {
    const signal = sig === 0 ? sig : convertToValidSignal(sig === undefined ? 'SIGTERM' : sig);
    if (this._handle) {
      const err = this._handle.kill(signal);
      if (err === 0) {
        this.killed = true;
        return true;
      }
      if (err === UV_ESRCH) {
        // Already gone.
      } else if (err === UV_EINVAL || err === UV_ENOSYS) {
        throw errnoException(err, 'kill');
      } else {
        this.emit('error', errnoException(err, 'kill'));
      }
    }
    return false;
  }

  [Symbol.dispose](): void {
    if (!this.killed) this.kill();
  }

  ref(): void {
    this._handle?.ref();
  }

  unref(): void {
    this._handle?.unref();
  }
}

function onErrorNT(child: ChildProcess, err: number): void {
  child._handle!.onexit(err);
}

function onSpawnNT(child: ChildProcess): void {
  child.emit('spawn');
}

function flushStdio(child: ChildProcess): void {
  for (const stream of child.stdio ?? []) {
    if (!stream || !stream.readable || usedAsStdio.has(stream)) continue;
    stream.resume();
  }
}

function maybeClose(child: ChildProcess): void {
  child._closesGot++;
  if (child._closesGot === child._closesNeeded) child.emit('close', child.exitCode, child.signalCode);
}
