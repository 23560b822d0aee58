// The addon's whole surface, as one interface (native/addon/ implements it). Everything
// returns -errno (and the syscall's name) rather than throwing: the Errors are built in TS, the
// way Node builds them from libuv's codes.
import * as path from 'node:path';

import { loadAddon, type LoadedAddon } from './load_addon';

/** [-errno, syscall] */
export type NativeError = [number, string];

/** The wire constants (native/protocol.h), exported by the addon so they are written down once. */
export interface NativeConstants {
  SPAWN_SETSID: number;
  SPAWN_SETUID: number;
  SPAWN_SETGID: number;
  SPAWN_HAS_CWD: number;
  SPAWN_KILL_ON_CLOSE: number;
  SPAWN_TREE: number;
  SPAWN_KILL_TREE_ON_CLOSE: number;
  FEATURE_CLONE_PIDFD: number;
  /** The helper makes a cgroup v2 per SPAWN_TREE child (native/helper/tree.c). */
  FEATURE_TREE_CGROUP: number;
  /** A child fd set to /dev/null (0-2) or left closed (above). */
  STDIO_IGNORE: number;
  /** spawnSync: a pipe made by the addon that the child reads, writes, or both. */
  STDIO_PIPE_IN: number;
  STDIO_PIPE_OUT: number;
  STDIO_PIPE_BOTH: number;
  MAX_STDIO: number;
}

/**
 * A spawn request, as lib/core/request.ts lays it out for the wire: blob holds file, cwd (when
 * flags has SPAWN_HAS_CWD), argv and envp, each NUL-terminated; stdio has, per child fd, a host fd
 * to place there or a STDIO_* code.
 */
export type NativeRequest = [id: number, flags: number, uid: number, gid: number, argc: number, envc: number,
  blob: Buffer, stdio: Int32Array];

/** spawnSync's result: error 0 or -errno (of the spawn, then pid 0; ETIMEDOUT / ENOBUFS: the child
 * was killed; EPIPE...); status the wait status, or -1 if unknown; output per child fd. */
export type NativeSyncResult = [error: number, pid: number, status: number, output: (Buffer | null)[]];

/** One helper: each JS copy of the library in each environment makes its own. */
export interface NativeSession {
  /** Starts the helper if it is not running. */
  start(): 0 | NativeError;
  helperInfo(): { pid: number; features: number } | null;
  /** 0 once the child has exec'd, with out = [pid, pidfd, generation] (generation names the helper
   * that made it: a session starts a new helper when one dies, and onLost reports it), or -errno. */
  spawn(...args: [...NativeRequest, out: Int32Array]): number;
  /** Spawns and waits on this thread: inputs[fd] is written to a pipe the child reads; maxBuffer
   * counts all pipes' output together (0: none). */
  spawnSync(...args: [...NativeRequest, timeoutMs: number, maxBuffer: number, killSignal: number,
    inputs: (Buffer | undefined)[]]): NativeSyncResult;
  /** Whether exits still to come keep the event loop alive. */
  setRef(ref: boolean): void;
  /** Closes the channels: the helper exits, its children live on. */
  stop(): void;
  /** Calls onReadable(pidfd) once, when the process has exited (for children whose helper died). */
  watch(pidfd: number, ref: boolean): number;
  unwatch(pidfd: number): void;
}

/** status: the wait status, as from wait4 (exit_status.ts decodes it). */
export type ExitCallback = (id: number, pid: number, status: number, utimeUs: number,
  stimeUs: number, maxRssKb: number) => void;

export interface NativeBinding {
  constants: NativeConstants;
  /** exitThread: exits come through a reader thread and a threadsafe function instead of libuv's
   * uv_poll (Bun and Deno, whose uv_poll is missing or broken). */
  Session: new (onExit: ExitCallback, onLost: (errno: number, generation: number) => void,
    onReadable: (pidfd: number) => void, exitThread: boolean) => NativeSession;
  /** The wait status of a reaped process, for any pidfd holder (6.15+): null while not yet reaped,
   * -errno where the kernel keeps no exit status for non-parents. */
  exitStatus(pidfd: number): number | null;
  /** waitid(P_PIDFD, WEXITED|WNOHANG) (5.4): reaps the process if we are its parent, which happens
   * only where the host is PID 1 or a subreaper (native/addon/orphan_reap.cc). [status, utimeUs,
   * stimeUs, maxRssKb] once reaped, null while it runs, -errno (ECHILD: we are not its parent). Only
   * ever called with pidfds of children procdesc started: never reaps the host's own children. */
  reap(pidfd: number): [number, number, number, number] | null | number;
  /** Whether orphaned descendants come to this process: it is PID 1 of a namespace or a subreaper. */
  hostAdoptsOrphans(): boolean;
  /** Can this process use pidfds at all? */
  probe(): 0 | NativeError;
  /** pidfd_send_signal; group: to the process group the process leads (PIDFD_SIGNAL_PROCESS_GROUP, 6.9). */
  kill(pidfd: number, signal: number, group?: boolean): number;
  /** pidfd_open: a pidfd for any process, or -errno. */
  pidfdOpen(pid: number): number;
  close(fd: number): number;
  /** A count that goes up whenever the environment block has changed, byte for byte, since this
   * environment's previous call: lib/node/env_snapshot.ts. */
  environGeneration(): number;
  /** After closing a Node Process wrap whose spawn failed: puts its handle back into the loop's
   * handle queue if libuv 1.52+ took it out (native/addon/uv_repair.cc). 1 relinked, 0 nothing to
   * do, -1 the handle closed last is not a process handle. */
  relinkClosingProcess(): number;
  /** A CLOEXEC AF_UNIX stream pair: [hostEnd, childEnd], as libuv makes for 'pipe'. */
  socketpair(): [number, number] | number;
  /** pipe2(O_CLOEXEC): [readEnd, writeEnd] | -errno, for a pipeline between two children. */
  pipe(): [number, number] | number;
}

export const packageRoot = path.resolve(__dirname, '..', '..', '..');

let loaded: LoadedAddon<NativeBinding> | undefined;

/** The addon, or the reason it could not be loaded (then we fall back to node:child_process). */
export function loadNative(): LoadedAddon<NativeBinding> {
  loaded ??= loadAddon<NativeBinding>(packageRoot);
  return loaded;
}
