// The addon's whole surface, as one interface (native/addon/addon.cc implements it). Everything
// returns -errno (and the syscall's name) rather than throwing: the Errors are built in TS, the
// way Node builds them from libuv's codes.
import * as path from 'node:path';

import { loadAddon, type LoadedAddon } from './load_addon';

/** [-errno, syscall] */
export type NativeError = [number, string];

export interface NativeSpawnRequest {
  id: number;
  file: string;
  args: string[];
  envPairs: string[];
  cwd?: string;
  detached: boolean;
  uid?: number;
  gid?: number;
  /** Per child fd: the host fd to place there, or -1 for 'ignore'. */
  stdio: number[];
  /** SIGKILL the child when the host goes away (the helper does it when its channel closes). */
  killOnClose?: boolean;
}

export interface NativeSyncResult {
  error: number;
  pid?: number;
  status?: number | null;
  signal?: number;
  output?: (Buffer | null)[];
}

/** One helper: each JS copy of the library in each environment makes its own. */
export interface NativeSession {
  /** Starts the helper if it is not running. */
  start(): 0 | NativeError;
  helperInfo(): { pid: number; features: number } | null;
  /** [0, pid, pidfd, generation] once the child has exec'd; generation names the helper that made
   * it (a session starts a new helper when one dies), as onLost reports it. */
  spawn(request: NativeSpawnRequest): [0, number, number, number] | NativeError;
  /** Spawns and waits on this thread. In request.stdio, -2 asks for a pipe made by the addon;
   * inputs[i] is written to pipe i. error is -errno: of the spawn (then no pid), or ETIMEDOUT /
   * ENOBUFS (the child was killed with killSignal), or the helper's loss. */
  spawnSync(request: NativeSpawnRequest, options: { timeout: number; maxBuffer: number; killSignal: number;
    inputs: (Buffer | undefined)[] }): NativeSyncResult;
  /** Whether exits still to come keep the event loop alive. */
  setRef(ref: boolean): void;
  /** Closes the channels: the helper exits, its children live on. */
  stop(): void;
  /** Calls onReadable(pidfd) once, when the process has exited (for children whose helper died). */
  watch(pidfd: number, ref: boolean): number;
  unwatch(pidfd: number): void;
}

export type ExitCallback = (id: number, pid: number, code: number, signal: number, utimeUs: number,
  stimeUs: number, maxRssKb: number) => void;

export interface NativeBinding {
  Session: new (onExit: ExitCallback, onLost: (errno: number, generation: number) => void,
    onReadable: (pidfd: number) => void) => NativeSession;
  /** The wait status of a reaped process, for any pidfd holder (6.15+): null while not yet reaped,
   * -errno where the kernel keeps no exit status for non-parents. */
  exitStatus(pidfd: number): number | null;
  /** Can this process use pidfds at all? */
  probe(): 0 | NativeError;
  /** pidfd_send_signal; group: to the process group the process leads (PIDFD_SIGNAL_PROCESS_GROUP, 6.9). */
  kill(pidfd: number, signal: number, group?: boolean): number;
  /** pidfd_open: a pidfd for any process, or -errno. */
  pidfdOpen(pid: number): number;
  close(fd: number): number;
  /** A CLOEXEC AF_UNIX stream pair: [hostEnd, childEnd], as libuv makes for 'pipe'. */
  socketpair(): [number, number] | number;
}

/**
 * The strings of a request as Node's C++ makes them (Utf8Value: ToString on each, so a Symbol or an
 * object with no primitive value throws V8's TypeError here, in JS, as under Node), and cwd as
 * Node's async Process wrap takes it: only a non-empty string (a Buffer or '' is ignored).
 */
export function nativeStrings(request: { file: unknown; args: unknown[]; envPairs: unknown[]; cwd?: unknown }):
  { file: string; args: string[]; envPairs: string[]; cwd?: string } {
  return {
    file: `${request.file}`,
    args: request.args.map((a) => `${a}`),
    envPairs: request.envPairs.map((e) => `${e}`),
    cwd: typeof request.cwd === 'string' && request.cwd.length > 0 ? request.cwd : undefined,
  };
}

export const packageRoot = path.resolve(__dirname, '..', '..');

let loaded: LoadedAddon<NativeBinding> | undefined;

/** The addon, or the reason it could not be loaded (then we fall back to node:child_process). */
export function loadNative(): LoadedAddon<NativeBinding> {
  loaded ??= loadAddon<NativeBinding>(packageRoot);
  return loaded;
}
