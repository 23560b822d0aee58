// The descriptor API's child: a Subprocess owns one ChildProcess (made by Node's own spawn with
// procdesc's helper behind it, or Node's alone on the fallback path) and gives it a
// promise-and-descriptor face: `exited`, the pidfd, kill() through the pidfd with an optional
// escalation to SIGKILL, killGroup(), async disposal and iteration over stdout lines. Spawn
// failures throw here, synchronously (as Bun.spawn and Deno do), so a Subprocess always has a pid.
// Node validates spawn()'s own options and runs `timeout` and `signal`; the options added here
// (forceKillAfterDelay, killOnClose, killTree) are validated in options.ts. The child's whole tree
// (every descendant, however far it ran: tree.ts) is killTree()'s and descendants()'.
import type * as nodeChildProcess from 'node:child_process';
import type * as net from 'node:net';
import { constants as osConstants } from 'node:os';
import { EventEmitter } from 'eventemitter3';

import { errnoException, signalNumber, uvErrno } from '../core/errno';
import { corePath } from '../core/path';
import { spawnChild } from '../node/drop_in';
import type { NodeChild } from '../node/internals';
import { ERR_INVALID_ARG_VALUE, ERR_INVALID_STATE, ERR_UNKNOWN_SIGNAL } from './errors';
import { lines } from './lines';
import { type Child, handleOf, usageOf } from './child';
import { spawnRuntimeChild, useRuntimeChild } from './runtime_child';

import { ownOption, validateBoolean, validateForceKillAfterDelay, validateKillOnClose } from './options';
import { ProcessTree, treeCgroupOf } from './tree';

const signals = osConstants.signals;
const UV_ESRCH = uvErrno('ESRCH'), UV_EINVAL = uvErrno('EINVAL');

export { DEFAULT_FORCE_KILL_AFTER_DELAY } from './options';

export interface SubprocessOptions extends nodeChildProcess.SpawnOptions {
  /** ms from killSignal (sent by kill(), killGroup(), timeout, signal or disposal) to SIGKILL;
   * false never escalates. Default 5000. */
  forceKillAfterDelay?: number | boolean;
  /** SIGKILL the child when the host process goes away (exits, crashes, is killed), like
   * FreeBSD's pdfork without PD_DAEMON; 'tree': the child and every descendant. Default false:
   * children outlive the host, as in Node. */
  killOnClose?: boolean | 'tree';
  /** kill(), timeout, signal, disposal and the forceKillAfterDelay escalation signal the whole
   * tree (as killTree()), not only the child. Default false. */
  killTree?: boolean;
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

/** A signal argument as a number (0 included), with Node's error for anything else. */
function toSignal(signal: NodeJS.Signals | number): number {
  if (signal === 0) return 0;
  const signo = signalNumber(signal);
  if (signo === undefined) throw new ERR_UNKNOWN_SIGNAL(signal);
  return signo;
}

export class Subprocess extends EventEmitter<SubprocessEvents> {
  readonly pid: number;
  readonly stdin: net.Socket | null;
  readonly stdout: net.Socket | null;
  readonly stderr: net.Socket | null;
  readonly stdio: (net.Socket | null)[];
  /** Resolves once the child has exited (stdio may still be draining); never rejects. */
  readonly exited: Promise<SubprocessExit>;

  readonly #child: Child;
  readonly #killSignal: number;
  readonly #forceKillAfterDelay: number | false;
  readonly #detached: boolean;
  readonly #tree: ProcessTree | null;
  #forceKill: NodeJS.Timeout | null = null;
  #exit: SubprocessExit | null = null;

  /** Use spawn(). */
  constructor(child: Child, opts: { killSignal: number; forceKillAfterDelay: number | false; detached: boolean;
    tree: ProcessTree | null; killTree: boolean }) {
    super();
    this.#child = child;
    this.#killSignal = opts.killSignal;
    this.#forceKillAfterDelay = opts.forceKillAfterDelay;
    this.#detached = opts.detached;
    this.#tree = opts.tree;
    this.pid = child.pid!;
    this.stdin = child.stdin as net.Socket | null;
    this.stdout = child.stdout as net.Socket | null;
    this.stderr = child.stderr as net.Socket | null;
    this.stdio = child.stdio as (net.Socket | null)[];
    this.exited = new Promise((resolve) => {
      child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.#forceKill) clearTimeout(this.#forceKill);
        this.#forceKill = null;
        const usage = usageOf(child);
        this.#exit = { code, signal, resourceUsage: usage ? { ...usage } : null };
        resolve(this.#exit);
      });
    });
    // Node's timeout and AbortSignal handling kill the child through child.kill(killSignal): it
    // arms the escalation as our own kill() does.
    const childKill = child.kill;
    const nodeKill = !opts.killTree ? childKill : (signal?: NodeJS.Signals | number): boolean => {
      const signo = signal === undefined ? signals.SIGTERM : signalNumber(signal);
      if (this.#exit === null && signo !== undefined && signo !== 0) {
        this.killTree(signo).catch((err: Error) => this.emit('error', err));
        return true;
      }
      return childKill.call(child, signal);
    };
    child.kill = (signal?: NodeJS.Signals | number): boolean => {
      const sent = nodeKill.call(child, signal);
      const signo = signal === undefined ? signals.SIGTERM : signalNumber(signal);
      if (sent && signo !== undefined) this.#armForceKill(signo, () => nodeKill.call(child, 'SIGKILL'));
      return sent;
    };
    child.on('spawn', () => this.emit('spawn'));
    child.on('exit', (code: number | null, signal: NodeJS.Signals | null) => this.emit('exit', code, signal));
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => this.emit('close', code, signal));
  }

  /** The pidfd in this process while the child runs; -1 after its exit (and on the fallback path). */
  get fd(): number {
    return handleOf(this.#child)?.fd ?? -1;
  }

  /** Sends `signal` (default: the killSignal option, else SIGTERM) through the pidfd: true if
   * sent, false once the child has exited. killSignal arms the forceKillAfterDelay escalation. */
  kill(signal?: NodeJS.Signals | number): boolean {
    return this.#child.kill(signal === undefined ? this.#killSignal : toSignal(signal));
  }

  /** Signals the child's whole process group (it needs `detached: true`, which makes it a group
   * leader), through the pidfd where the kernel has PIDFD_SIGNAL_PROCESS_GROUP (6.9+), by PID
   * otherwise. True if sent, false once the child has exited. */
  killGroup(signal?: NodeJS.Signals | number): boolean {
    if (!this.#detached) throw new ERR_INVALID_STATE('killGroup() needs a child spawned with detached: true');
    const signo = signal === undefined ? this.#killSignal : toSignal(signal);
    const sent = this.#signalGroup(signo);
    if (sent) this.#armForceKill(signo, () => this.#signalGroup(signals.SIGKILL));
    return sent;
  }

  #signalGroup(signo: number): boolean {
    const child = this.#child;
    const handle = handleOf(child);
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

  /** Signals the child and every descendant it started, including those that double-forked or
   * called setsid, never through a recycled PID (tree.ts). Default signal: killSignal. With
   * SIGKILL it resolves once every one of them has exited. Works after the child's own exit too,
   * while descendants live (where the tree has a cgroup: capabilities().tree). */
  async killTree(signal?: NodeJS.Signals | number): Promise<void> {
    const signo = signal === undefined ? this.#killSignal : toSignal(signal);
    if (!this.#tree) {
      this.#child.kill(signo); // node:child_process fallback: only the child can be reached
      return;
    }
    await this.#tree.kill(signo);
  }

  /** The PIDs of the child's live descendants (itself excluded), for tools that show them. */
  descendants(): number[] {
    return this.#tree ? this.#tree.descendants() : [];
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

/**
 * Starts `file` with `args` as child_process.spawn does (same options, same validation errors),
 * plus forceKillAfterDelay and killOnClose. Throws the spawn error (e.g. `spawn nope ENOENT`).
 */
export function spawn(file: string, args?: readonly string[], options?: SubprocessOptions): Subprocess;
export function spawn(file: string, options?: SubprocessOptions): Subprocess;
export function spawn(file: string, args?: readonly string[] | SubprocessOptions, options?: SubprocessOptions): Subprocess {
  const opts = Array.isArray(args) || args == null || typeof args !== 'object' ? options : args;
  const forceKillAfterDelay = validateForceKillAfterDelay(ownOption(opts, 'forceKillAfterDelay'));
  const killOnClose = validateKillOnClose(ownOption(opts, 'killOnClose'));
  const killTree = validateBoolean('killTree', ownOption(opts, 'killTree'));
  const stdio = ownOption(opts, 'stdio');
  if (Array.isArray(stdio) && stdio.includes('ipc')) {
    throw new ERR_INVALID_ARG_VALUE('options.stdio', stdio, "cannot have 'ipc' here (use fork())");
  }

  const core = useRuntimeChild() ? corePath() : null;
  const { child, spawnResult, ours }: { child: Child; spawnResult: number | undefined; ours: boolean } = core?.ok
    ? { ...spawnRuntimeChild(core.session!, [file, args, options], { killOnClose, tree: true }), ours: true }
    : spawnChild([file, args, options], { killOnClose, tree: true });
  if (spawnResult !== 0) {
    // Node emits it on the next tick: it must go nowhere, we throw it now.
    child?.on('error', () => {});
    const error: NodeJS.ErrnoException & { spawnargs?: string[] } = spawnResult === undefined
      ? Object.assign(new Error(`spawn ${child?.spawnfile ?? file}: the child did not start`), { code: 'ERR_SPAWN' })
      : errnoException(spawnResult, `spawn ${child.spawnfile}`);
    if (child) {
      error.path = child.spawnfile;
      error.spawnargs = child.spawnargs.slice(1);
    }
    throw error;
  }
  const killSignal = signalNumber(ownOption(opts, 'killSignal') ?? 'SIGTERM') ?? signals.SIGTERM;
  const handle = handleOf(child);
  const tree = ours && handle ? new ProcessTree(child.pid!, () => handleOf(child)?.fd ?? -1, treeCgroupOf(child.pid!)) : null;
  const subprocess = new Subprocess(child, { killSignal, forceKillAfterDelay, detached: ownOption(opts, 'detached') === true,
    tree, killTree });
  // Errors after the spawn (a failed kill, an AbortSignal's AbortError) are the Subprocess's.
  child.on('error', (err: Error) => subprocess.emit('error', err));
  if (!ours && killOnClose !== false) killOnHostExit(child as NodeChild);
  return subprocess;
}
