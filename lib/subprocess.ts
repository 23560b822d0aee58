// The descriptor API's child: a Subprocess owns one ChildProcess (procdesc's, or Node's on the
// fallback path) and gives it a promise-and-descriptor face: `exited`, the pidfd, kill() through
// the pidfd with an optional escalation to SIGKILL, killGroup(), async disposal and iteration over
// stdout lines. Spawn failures throw here, synchronously (as Bun.spawn and Deno do), so a
// Subprocess always has a pid.
import * as nodeChildProcess from 'node:child_process';
import type { SpawnOptions } from 'node:child_process';
import type * as net from 'node:net';
import { constants as osConstants } from 'node:os';
import { addAbortListener } from 'node:events';
import { EventEmitter } from 'eventemitter3';

import { usingProcdesc } from './capabilities';
import { newChildProcess, processHandleOf, resourceUsageOf } from './node_child';
import { getSession } from './session';
import { AbortError, ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, errnoException } from './errors';
import { lines } from './lines';
import { normalizeSpawnArguments } from './spawn';
import {
  convertToValidSignal, sanitizeKillSignal, validateAbortSignal, validateBoolean, validateInteger, validateTimeout,
} from './validators';

const signals = osConstants.signals;
const errno = osConstants.errno as Record<string, number>;
const UV_ESRCH = -errno.ESRCH, UV_EINVAL = -errno.EINVAL;

/** execa's default: a child that ignores killSignal is SIGKILLed this long after it. */
export const DEFAULT_FORCE_KILL_AFTER_DELAY = 5000;

export interface SubprocessOptions extends SpawnOptions {
  /** ms from killSignal (sent by kill(), killGroup(), timeout, signal or disposal) to SIGKILL;
   * false never escalates. Default 5000. */
  forceKillAfterDelay?: number | boolean;
  /** SIGKILL the child when the host process goes away (exits, crashes, is killed), like
   * FreeBSD's pdfork without PD_DAEMON. Default false: children outlive the host, as in Node. */
  killOnClose?: boolean;
}

export interface ResourceUsage {
  /** CPU time in user mode, microseconds (as process.resourceUsage()). */
  userCPUTime: number;
  systemCPUTime: number;
  /** Peak resident set size, kilobytes. */
  maxRSS: number;
}

export interface SubprocessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** null when it cannot be known: on the node:child_process fallback, or if the helper died. */
  resourceUsage: ResourceUsage | null;
}

export interface SubprocessEvents {
  spawn: [];
  exit: [code: number | null, signal: NodeJS.Signals | null];
  close: [code: number | null, signal: NodeJS.Signals | null];
  error: [err: Error];
}

type AnyChild = nodeChildProcess.ChildProcess;

// On the fallback path no helper outlives us to do killOnClose: do what we can at exit.
const fallbackKillOnClose = new Set<nodeChildProcess.ChildProcess>();
let exitHookInstalled = false;
function killOnHostExit(child: nodeChildProcess.ChildProcess): void {
  fallbackKillOnClose.add(child);
  child.once('exit', () => fallbackKillOnClose.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of fallbackKillOnClose) c.kill('SIGKILL');
  });
}

export class Subprocess extends EventEmitter<SubprocessEvents> {
  readonly pid: number;
  readonly stdin: net.Socket | null;
  readonly stdout: net.Socket | null;
  readonly stderr: net.Socket | null;
  readonly stdio: (net.Socket | null)[];
  /** Resolves once the child has exited (stdio may still be draining); never rejects. */
  readonly exited: Promise<SubprocessExit>;

  readonly #child: AnyChild;
  readonly #killSignal: number;
  readonly #forceKillAfterDelay: number | false;
  readonly #detached: boolean;
  #forceKill: NodeJS.Timeout | null = null;
  #exit: SubprocessExit | null = null;

  /** Use spawn(). */
  constructor(child: AnyChild, opts: { killSignal: number; forceKillAfterDelay: number | false; detached: boolean }) {
    super();
    this.#child = child;
    this.#killSignal = opts.killSignal;
    this.#forceKillAfterDelay = opts.forceKillAfterDelay;
    this.#detached = opts.detached;
    this.pid = child.pid!;
    this.stdin = child.stdin as net.Socket | null;
    this.stdout = child.stdout as net.Socket | null;
    this.stderr = child.stderr as net.Socket | null;
    this.stdio = child.stdio as (net.Socket | null)[];
    this.exited = new Promise((resolve) => {
      child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.#forceKill) clearTimeout(this.#forceKill);
        this.#forceKill = null;
        const usage = resourceUsageOf(child);
        this.#exit = { code, signal, resourceUsage: usage ? { ...usage } : null };
        resolve(this.#exit);
      });
    });
    child.on('spawn', () => this.emit('spawn'));
    child.on('exit', (code: number | null, signal: NodeJS.Signals | null) => this.emit('exit', code, signal));
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => this.emit('close', code, signal));
  }

  /** The pidfd in this process while the child runs; -1 after its exit (and on the fallback path). */
  get fd(): number {
    return processHandleOf(this.#child)?.fd ?? -1;
  }

  /** Sends `signal` (default: the killSignal option, else SIGTERM) through the pidfd: true if
   * sent, false once the child has exited. killSignal arms the forceKillAfterDelay escalation. */
  kill(signal?: NodeJS.Signals | number): boolean {
    const signo = this.#signalNumber(signal);
    const sent = this.#child.kill(signo);
    if (sent) this.#armForceKill(signo, () => this.#child.kill(signals.SIGKILL));
    return sent;
  }

  /** Signals the child's whole process group (it needs `detached: true`, which makes it a group
   * leader), through the pidfd where the kernel has PIDFD_SIGNAL_PROCESS_GROUP (6.9+), by PID
   * otherwise. True if sent, false once the child has exited. */
  killGroup(signal?: NodeJS.Signals | number): boolean {
    if (!this.#detached) {
      throw Object.assign(new Error('Invalid state: killGroup() needs a child spawned with detached: true'),
        { code: 'ERR_INVALID_STATE' });
    }
    const signo = this.#signalNumber(signal);
    const sent = this.#signalGroup(signo);
    if (sent) this.#armForceKill(signo, () => this.#signalGroup(signals.SIGKILL));
    return sent;
  }

  #signalGroup(signo: number): boolean {
    const child = this.#child;
    const handle = processHandleOf(child);
    if (handle) {
      const err = handle.kill(signo, true);
      if (err === 0) return true;
      if (err === UV_ESRCH) return false;
      if (err !== UV_EINVAL) throw errnoException(err, 'kill');
      // A kernel before 6.9: by PID, while the leader is still ours (not yet reaped).
    } else if (child.exitCode !== null || child.signalCode !== null) {
      return false;
    }
    try {
      process.kill(-this.pid, signo);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw err;
    }
  }

  /** Keeps the event loop alive until the child exits (the default). */
  ref(): void {
    this.#child.ref();
  }

  unref(): void {
    this.#child.unref();
  }

  /** stdout as text lines, as they come (stdout must be a pipe). */
  lines(): AsyncGenerator<string, void> {
    if (!this.stdout) {
      throw new ERR_INVALID_ARG_VALUE('options.stdio', 'not a pipe at fd 1', 'must make stdout a pipe to read lines');
    }
    return lines(this.stdout);
  }

  [Symbol.asyncIterator](): AsyncGenerator<string, void> {
    return this.lines();
  }

  /** `await using`: killSignal, SIGKILL after forceKillAfterDelay if it is still running, then
   * waits for the exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#exit === null) this.kill();
    await this.exited;
  }

  #signalNumber(signal: NodeJS.Signals | number | undefined): number {
    if (signal === undefined) return this.#killSignal;
    return signal === 0 ? 0 : convertToValidSignal(signal);
  }

  #armForceKill(signo: number, forceKill: () => void): void {
    if (signo !== this.#killSignal || signo === signals.SIGKILL || this.#forceKillAfterDelay === false) return;
    if (this.#forceKill || this.#exit) return;
    this.#forceKill = setTimeout(() => {
      this.#forceKill = null;
      try {
        forceKill();
      } catch (err) {
        this.emit('error', err as Error);
      }
    }, this.#forceKillAfterDelay);
    // The child itself keeps the loop alive while it runs; the timer need not.
    this.#forceKill.unref();
  }
}

function validateForceKillAfterDelay(value: unknown): number | false {
  if (value === undefined || value === true) return DEFAULT_FORCE_KILL_AFTER_DELAY;
  if (value === false) return false;
  if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE('options.forceKillAfterDelay', ['number', 'boolean'], value);
  validateInteger(value, 'options.forceKillAfterDelay', 0);
  return value;
}

/**
 * Starts `file` with `args` as child_process.spawn does (same options, same validation errors),
 * plus forceKillAfterDelay and killOnClose. Throws the spawn error (e.g. `spawn nope ENOENT`).
 */
export function spawn(file: string, args?: readonly string[], options?: SubprocessOptions): Subprocess;
export function spawn(file: string, options?: SubprocessOptions): Subprocess;
export function spawn(file: string, args?: readonly string[] | SubprocessOptions, options?: SubprocessOptions): Subprocess {
  const opts = normalizeSpawnArguments(file, args, options);
  validateTimeout(opts.timeout);
  validateAbortSignal(opts.signal, 'options.signal');
  const killSignal = sanitizeKillSignal(opts.killSignal) ?? signals.SIGTERM;
  const forceKillAfterDelay = validateForceKillAfterDelay(opts.forceKillAfterDelay);
  if (opts.killOnClose != null) validateBoolean(opts.killOnClose, 'options.killOnClose');
  if (Array.isArray(opts.stdio) && opts.stdio.includes('ipc')) {
    throw new ERR_INVALID_ARG_VALUE('options.stdio', opts.stdio, "cannot have 'ipc' here (use fork())");
  }

  const procdesc = usingProcdesc();
  const child: AnyChild = procdesc ? newChildProcess(getSession()!) : new nodeChildProcess.ChildProcess();
  // A failed spawn is thrown below; the same error, emitted on the next tick, must go nowhere.
  let spawned = false;
  child.on('error', (err: Error) => {
    if (spawned) subprocess.emit('error', err);
  });
  const err = (child as unknown as { spawn(o: object): number }).spawn(opts);
  if (err !== 0) {
    const error: NodeJS.ErrnoException & { spawnargs?: string[] } = errnoException(err, `spawn ${opts.file}`);
    error.path = opts.file;
    error.spawnargs = opts.args.slice(1);
    throw error;
  }
  const subprocess = new Subprocess(child, { killSignal, forceKillAfterDelay, detached: opts.detached });
  spawned = true;
  if (!procdesc && opts.killOnClose) killOnHostExit(child as nodeChildProcess.ChildProcess);

  if (opts.timeout > 0) {
    const timer = setTimeout(() => subprocess.kill(), opts.timeout);
    child.once('exit', () => clearTimeout(timer));
  }
  if (opts.signal) {
    const signal: AbortSignal = opts.signal;
    const onAbort = () => {
      if (subprocess.kill()) subprocess.emit('error', new AbortError(undefined, { cause: signal.reason }));
    };
    if (signal.aborted) {
      process.nextTick(onAbort);
    } else {
      const disposable = addAbortListener(signal, onAbort);
      child.once('exit', () => disposable[Symbol.dispose]());
    }
  }
  return subprocess;
}
