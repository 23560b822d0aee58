// Every Node internal procdesc relies on, in one place, each with the versions it was checked on
// and a probe that runs once, before the first child. The drop-in lets the running Node do all of
// child_process's own work (arguments, validation, errors, events, streams, IPC, exec's buffering,
// spawnSync's results) and replaces only the making and reaping of the child. To do that it needs:
//
// 1. The 'child_process' diagnostics channel (public API) publishes every new ChildProcess from its
//    constructor, with the libuv Process wrap already in `_handle` and its `onexit` set.
//    Checked: 20.20, 22.23, 24.22, 26.12.
// 2. ChildProcess#spawn(options) calls `this._handle.spawn(...)` once, then reads `_handle.pid`:
//    with the options object up to 24.18 / 26.3, with positional arguments
//    (file, args, cwd, envPairs, stdio, flags, uid, gid) from 24.19 / 26.4 (nodejs/node#63930),
//    `detached` being a bit of `flags`. The stdio entries are {type: 'pipe'|'overlapped', handle}
//    (an unopened libuv Pipe: we open it on our end with handle.open(fd)), {type: 'ignore'},
//    {type: 'fd'|'inherit', fd}, {type: 'wrap', handle} (a libuv stream with an fd).
//    Afterwards the handle is driven through kill(signal), ref(), unref(), close(), and its
//    onexit(exitCode, signalCode) ends the child's life in JS. Checked: 20.20, 22.23, 24.22, 26.12.
// 3. The Process wrap that the constructor made and we do not use cannot be freed before libuv has
//    initialised it (HandleWrap stays strong: +131 MB after 30,000 children, measured). A spawn
//    that libuv rejects before it forks does that: stdio [{type: 'fd', fd: -1}] makes
//    uv__process_init_stdio return UV_EINVAL before any fork or SIGCHLD handler, and Node's
//    ProcessWrap marks the wrap initialised whatever uv_spawn returned; close() then frees it.
//    libuv 1.52+ (Node 24, 26) unlinks a failed handle from the loop, so that closing it would
//    corrupt the loop: the addon relinks it right after close() (native/addon/uv_repair.cc).
//    Under the permission model that same call throws Node's own ERR_ACCESS_DENIED, as Node would.
//    Checked: 20.20 (libuv 1.46), 22.23 (1.51), 24.22, 26.12 (1.52.1); strace: no clone, no
//    sigaction; 300 children with pipes, 16 in flight, with glibc's heap checks: no abort.
// 4. Node's internal spawnSync calls `spawn_sync.spawn(options)` on the object that
//    process.binding('spawn_sync') returns, looking the method up at each call; its options and
//    its result ({error?, status, signal, output, pid}) are SyncProcessRunner's. The drop-in puts
//    its own method there for the length of one synchronous call. Checked: 20.20, 22.23, 24.22, 26.12.
//
// If a probe fails (a Node we have not seen), the drop-in hands over to node:child_process and
// capabilities() names the internal that failed.
import type { ChildProcess as ChildProcessType } from 'node:child_process';
import * as diagnosticsChannel from 'node:diagnostics_channel';

import type { NativeBinding } from '../core/native';
import { node } from './originals';
import type { Unconvertible } from './strings';

const { ChildProcess } = node;

/** Node's Process wrap, as ChildProcess uses it (libuv's uv_process_t behind it). */
export interface NodeProcessWrap {
  spawn(...args: unknown[]): number;
  close(): void;
  onexit: (exitCode: number | null, signalCode: string) => void;
  pid?: number;
  hasRef?(): boolean;
}

/** A ChildProcess as Node's own code sees it. */
export type NodeChild = ChildProcessType & { _handle: NodeProcessWrap | object | null };

/** One entry of the stdio list ChildProcess#spawn hands to its handle. */
export interface NodeStdioEntry {
  type: 'pipe' | 'overlapped' | 'ignore' | 'fd' | 'inherit' | 'wrap';
  handle?: { open(fd: number): number; close(): void; fd?: number };
  fd?: number;
}

/** What ChildProcess#spawn asks of its handle, whichever call shape the running Node uses. */
export interface HandleSpawnCall {
  file: unknown;
  args: unknown;
  cwd: unknown;
  envPairs: unknown;
  stdio: NodeStdioEntry[];
  detached: boolean;
  uid: unknown;
  gid: unknown;
}

/** Node's spawn_sync binding: one method, SyncProcessRunner::Spawn. */
export interface SpawnSyncBinding {
  spawn(options: Record<string, unknown>): Record<string, unknown>;
}

export interface NodeInternals {
  /** Turns the arguments of `_handle.spawn(...)` into one shape (internal 2). */
  decodeHandleSpawn(args: unknown[]): HandleSpawnCall;
  /** Frees the Process wrap a ChildProcess made for itself (internal 3). */
  disposeWrap(wrap: NodeProcessWrap): void;
  /** Node's spawn_sync binding object, or the reason the sync family cannot go through it (4). */
  spawnSync: SpawnSyncBinding | string;
  /** What the Process wrap does with an argument that cannot become a string (lib/node/strings.ts):
   * Node 20's throws V8's TypeError, Node 22+'s passes ''. Probed with the wrap we free (3). */
  unconvertibleStrings: Unconvertible;
}

export const CHILD_PROCESS_CHANNEL = 'child_process';

let probed: NodeInternals | string | undefined;

/** The internals, probed on the first call; a string says which one failed and how. */
export function nodeInternals(binding: NativeBinding): NodeInternals | string {
  probed ??= probe(binding);
  return probed;
}

function probe(binding: NativeBinding): NodeInternals | string {
  const decode = probeHandleCall();
  if (typeof decode === 'string') return `ChildProcess#spawn's call to its process handle: ${decode}`;
  const wrap = probeChannel();
  if (typeof wrap === 'string') return `the 'child_process' diagnostics channel: ${wrap}`;
  const disposed = probeDispose(binding, wrap, decode.shape);
  if (typeof disposed === 'string') return `freeing an unused Process wrap: ${disposed}`;
  return {
    decodeHandleSpawn: decode.decode,
    disposeWrap: (w) => { disposeWrap(binding, w, decode.shape); },
    spawnSync: probeSpawnSync(),
    unconvertibleStrings: disposed.unconvertible,
  };
}

type CallShape = { kind: 'object' } | { kind: 'positional'; detachedFlag: number };

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function decoderFor(shape: CallShape): (args: unknown[]) => HandleSpawnCall {
  if (shape.kind === 'object') {
    return (args) => {
      // Only own properties: Node hands over a null-prototype object; a polluted
      // Object.prototype must never reach a child.
      const o = args[0] as Record<string, unknown>;
      return {
        file: own(o, 'file'), args: own(o, 'args'), cwd: own(o, 'cwd'), envPairs: own(o, 'envPairs'),
        stdio: own(o, 'stdio') as NodeStdioEntry[], detached: own(o, 'detached') === true,
        uid: own(o, 'uid'), gid: own(o, 'gid'),
      };
    };
  }
  const { detachedFlag } = shape;
  return (args) => ({
    file: args[0], args: args[1], cwd: args[2], envPairs: args[3], stdio: args[4] as NodeStdioEntry[],
    detached: ((args[5] as number) & detachedFlag) !== 0, uid: args[6], gid: args[7],
  });
}

// A request no real spawn would make, so that the probes can recognise it.
const PROBE = {
  file: '/procdesc-probe', args: ['procdesc-probe', 'a'], cwd: '/procdesc-probe-cwd',
  envPairs: ['PROCDESC_PROBE=1'], uid: 4242, gid: 4343,
};

/**
 * Runs Node's ChildProcess#spawn on a child of ours whose handle only records its arguments and
 * fails with EINVAL (Node then closes the handle and throws, touching nothing else).
 */
function recordHandleCall(detached: boolean): { args: unknown[]; stdio: unknown[] } | string {
  const child = Object.create(ChildProcess.prototype) as NodeChild;
  let recorded: unknown[] | undefined;
  child._handle = {
    spawn: (...args: unknown[]) => { recorded = args; return -22; },
    close: () => {},
  };
  const options = { ...PROBE, stdio: ['pipe', 'ignore', 'ignore'], detached, windowsHide: false,
    windowsVerbatimArguments: false, envPairs: PROBE.envPairs.slice() };
  try {
    (child as unknown as { spawn(o: object): number }).spawn(options);
  } catch { /* the EINVAL we returned */ }
  // Node 20 leaves the Pipe it made for 'pipe' open on a failed spawn; 26 closes it (twice is fine).
  const pipe = (options.stdio as unknown as NodeStdioEntry[])[0];
  if (pipe && typeof pipe === 'object' && typeof pipe.handle?.close === 'function') pipe.handle.close();
  if (!recorded) return 'it was not called';
  return { args: recorded, stdio: options.stdio };
}

function probeHandleCall(): { shape: CallShape; decode: (args: unknown[]) => HandleSpawnCall } | string {
  const first = recordHandleCall(true);
  if (typeof first === 'string') return first;
  let shape: CallShape;
  if (first.args.length === 1 && typeof first.args[0] === 'object' && first.args[0] !== null) {
    shape = { kind: 'object' };
  } else if (first.args.length >= 8 && typeof first.args[5] === 'number') {
    const second = recordHandleCall(false);
    if (typeof second === 'string') return second;
    const flag = (first.args[5] as number) & ~(second.args[5] as number);
    if (flag === 0 || (flag & (flag - 1)) !== 0) return `no single flag bit for 'detached' (${first.args[5]}, ${second.args[5]})`;
    shape = { kind: 'positional', detachedFlag: flag };
  } else {
    return `an unknown call shape (${first.args.length} arguments)`;
  }
  const decode = decoderFor(shape);
  const call = decode(first.args);
  const stdio = call.stdio;
  const ok = call.file === PROBE.file && JSON.stringify(call.args) === JSON.stringify(PROBE.args) &&
    call.cwd === PROBE.cwd && Array.isArray(call.envPairs) && call.envPairs[0] === PROBE.envPairs[0] &&
    call.detached && call.uid === PROBE.uid && call.gid === PROBE.gid && Array.isArray(stdio) &&
    stdio[0]?.type === 'pipe' && typeof stdio[0].handle?.open === 'function' && stdio[1]?.type === 'ignore';
  if (!ok) return `the arguments did not decode as expected (${shape.kind})`;
  return { shape, decode };
}

/** A ChildProcess constructed while we listen: its `_handle` must be a Process wrap with onexit. */
function probeChannel(): NodeProcessWrap | string {
  let published: unknown;
  const listener = (message: unknown) => { published = (message as { process?: unknown }).process; };
  diagnosticsChannel.subscribe(CHILD_PROCESS_CHANNEL, listener);
  let child: NodeChild;
  try {
    child = new ChildProcess() as NodeChild;
  } finally {
    diagnosticsChannel.unsubscribe(CHILD_PROCESS_CHANNEL, listener);
  }
  if (published !== child) return 'the constructor did not publish the new child';
  const wrap = child._handle as NodeProcessWrap | null;
  if (!wrap || typeof wrap.spawn !== 'function' || typeof wrap.close !== 'function' ||
      typeof wrap.onexit !== 'function') {
    return 'the child has no Process wrap with spawn, close and onexit in _handle';
  }
  return wrap;
}

/** [what spawn returned, what the relink did]: see internal 3 and native/addon/uv_repair.cc.
 * args: the probe passes one that cannot become a string, to learn what this Node does with it. */
function disposeWrap(binding: NativeBinding, wrap: NodeProcessWrap, shape: CallShape, args: unknown[] = []):
  { err: number; relinked: number; threw: unknown } {
  const stdio = [{ type: 'fd', fd: -1 }];
  let err = -1;
  let threw: unknown;
  try {
    err = shape.kind === 'object'
      ? wrap.spawn({ file: '/', args, envPairs: [], stdio })
      : wrap.spawn('/', args, undefined, [], stdio, 0, undefined, undefined);
  } catch (e) {
    threw = e; // Node 20 throws for such an argument, after libuv has refused the spawn
  }
  if (err === 0) return { err, relinked: -1, threw }; // never closed: a child of ours (the probe says no)
  wrap.close();
  return { err, relinked: binding.relinkClosingProcess(), threw };
}

/** The wrap of the probe's child: freed the way every unused wrap will be. */
function probeDispose(binding: NativeBinding, wrap: NodeProcessWrap, shape: CallShape):
  { unconvertible: Unconvertible } | string {
  const { err, relinked, threw } = disposeWrap(binding, wrap, shape, [Object.create(null)]);
  if (threw !== undefined && !(threw instanceof TypeError)) return `it threw ${(threw as Error)?.message}`;
  if (err === 0) return 'libuv started a process (it must refuse before forking)';
  if (threw === undefined && !(err < 0)) return `spawn returned ${err}`;
  if (relinked < 0) return 'closing it did not queue its libuv handle for closing';
  return { unconvertible: threw === undefined ? 'empty' : 'throw' };
}

/**
 * process.binding('spawn_sync') must be the very object Node's spawnSync calls: we put a recorder
 * there, call spawnSync, and look for our own result coming back. (process.binding is deprecated
 * as a whole, DEP0111, with a warning only under --pending-deprecation: we silence that one call.)
 */
function probeSpawnSync(): SpawnSyncBinding | string {
  let binding: SpawnSyncBinding | undefined;
  const noDeprecation = process.noDeprecation;
  try {
    process.noDeprecation = true;
    binding = (process as unknown as { binding(name: string): SpawnSyncBinding }).binding('spawn_sync');
  } catch (e) {
    return `process.binding('spawn_sync') threw ${(e as Error).message}`;
  } finally {
    process.noDeprecation = noDeprecation;
  }
  if (!binding || typeof binding.spawn !== 'function') return "process.binding('spawn_sync') has no spawn()";
  const original = binding.spawn;
  let seen: Record<string, unknown> | undefined;
  binding.spawn = (options) => {
    seen = options;
    return { status: 0, signal: null, output: [null, Buffer.from('procdesc-probe'), Buffer.alloc(0)], pid: 4242 };
  };
  let result: { stdout?: unknown; pid?: number } | undefined;
  try {
    result = node.spawnSync(PROBE.file, PROBE.args.slice(1), { input: 'x', encoding: 'utf8' });
  } catch (e) {
    return `spawnSync threw ${(e as Error).message}`;
  } finally {
    binding.spawn = original;
  }
  const stdio = seen?.stdio as { type?: string; input?: unknown }[] | undefined;
  if (!seen || seen.file !== PROBE.file || !Array.isArray(stdio) || stdio[0]?.type !== 'pipe' ||
      !Buffer.isBuffer(stdio[0].input)) {
    return 'Node\'s spawnSync did not call it with the options it should';
  }
  if (result?.stdout !== 'procdesc-probe' || result.pid !== 4242) return 'its result did not come back from spawnSync';
  return binding;
}
