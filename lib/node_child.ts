// Every async child is an instance of Node's own ChildProcess class, whose Process wrap is swapped
// for our ProcessHandle before it spawns.
//
// Why: Node's class is the spec (its events and their order, its stdio sockets, its IPC channel:
// newline JSON or V8 serialization, NODE_HANDLE messages with SCM_RIGHTS and their ACK/NACK flow,
// 'disconnect', back-pressure), and code checks `instanceof ChildProcess`. Its spawn() needs from
// its handle exactly the Process wrap's interface, which ProcessHandle has (spawn, pid, kill, ref,
// unref, close, onexit), and from each 'pipe' entry a libuv Pipe it can open on an fd. So Node's
// class does all it does, and we make the child: for each 'pipe'/'ipc' entry we create the
// socketpair, open Node's Pipe on our end (for the channel an IPC pipe: libuv then passes fds
// with SCM_RIGHTS), and hand the other end to the helper. What this relies on beyond the public
// API: ChildProcess#spawn(normalizedOptions) calling this._handle.spawn(options) and the
// handle's onexit, and Pipe#open(fd); both unchanged since Node 0.x.
import { ChildProcess } from 'node:child_process';
import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';

import { errnoException } from './errors';

import { ProcessHandle, type HandleSpawnOptions } from './process_handle';
import type { Session } from './session';

/** One entry of the stdio list Node's ChildProcess#spawn hands to its Process wrap. */
interface NodeStdioEntry {
  type: 'pipe' | 'overlapped' | 'ignore' | 'fd' | 'inherit' | 'wrap';
  handle?: { open(fd: number): number; close(): void; fd?: number };
  fd?: number;
}

const childProcessChannel = channel('child_process');

const UV_EMFILE = -24;
const UV_ENFILE = -23;

export interface ResourceUsage {
  userCPUTime: number; // microseconds
  systemCPUTime: number;
  maxRSS: number; // kilobytes
}

const usages = new WeakMap<ChildProcess, ResourceUsage | null>();
const handles = new WeakMap<ChildProcess, ProcessHandle>();

/** CPU time and peak RSS of a child of ours once it has exited; null before, for an orphan, or
 * for a child that is not ours. */
export function resourceUsageOf(child: ChildProcess): ResourceUsage | null {
  return usages.get(child) ?? null;
}

/** Our handle of a child of ours (kill with group, its pidfd), while it has one. */
export function processHandleOf(child: ChildProcess): ProcessHandle | null {
  const handle = handles.get(child);
  return handle && (child as unknown as { _handle: unknown })._handle === handle ? handle : null;
}

/** The Process-wrap face of a ProcessHandle, for Node's ChildProcess. */
class NodeProcessHandle extends ProcessHandle {
  override spawn(options: Omit<HandleSpawnOptions, 'stdio'> & { stdio: unknown }): number {
    const binding = this.session.binding;
    const entries = options.stdio as NodeStdioEntry[];
    const fds: number[] = [];
    const childEnds: number[] = [];
    const closeChildEnds = () => {
      for (const fd of childEnds) binding.close(fd);
    };
    for (const entry of entries) {
      if (entry.type === 'pipe' || entry.type === 'overlapped') {
        const pair = binding.socketpair();
        if (typeof pair === 'number') {
          closeChildEnds();
          return pair;
        }
        const err = entry.handle!.open(pair[0]);
        if (err) {
          binding.close(pair[0]);
          binding.close(pair[1]);
          closeChildEnds();
          return err;
        }
        childEnds.push(pair[1]);
        fds.push(pair[1]);
      } else if (entry.type === 'fd' || entry.type === 'inherit') {
        fds.push(entry.fd!);
      } else if (entry.type === 'wrap') {
        fds.push(entry.handle!.fd ?? -1);
      } else {
        fds.push(-1);
      }
    }
    const err = super.spawn({ ...options, stdio: fds });
    // The child has its ends (or never will); ours would only keep the pipes from ending.
    closeChildEnds();
    if (err === UV_EMFILE || err === UV_ENFILE) {
      // Node returns early here without touching the pipes (under libuv they were never opened).
      for (const entry of entries) if (entry.type === 'pipe' || entry.type === 'overlapped') entry.handle!.close();
    }
    return err;
  }
}

/**
 * A Node ChildProcess whose child the helper will make. Built without Node's constructor: that
 * would make a libuv Process wrap which, never spawned, can never be closed and would keep the
 * child object alive forever (measured: +131 MB of heap after 30,000 spawns). So we do what the
 * constructor does, with our handle and the same onexit (internal/child_process ChildProcess).
 */
export function newChildProcess(session: Session): ChildProcess {
  const child = Object.create(ChildProcess.prototype) as ChildProcess & Internals;
  EventEmitter.call(child);
  child._closesNeeded = 1;
  child._closesGot = 0;
  (child as { connected: boolean }).connected = false;
  (child as { signalCode: NodeJS.Signals | null }).signalCode = null;
  (child as { exitCode: number | null }).exitCode = null;
  (child as { killed: boolean }).killed = false;
  (child as { spawnfile: string | null }).spawnfile = null;

  const handle = new NodeProcessHandle(session);
  handle.onexit = (exitCode, signalCode) => {
    usages.set(child, handle.usage ? { userCPUTime: handle.usage.userCPUTime,
      systemCPUTime: handle.usage.systemCPUTime, maxRSS: handle.usage.maxRSS } : null);
    if (signalCode) (child as { signalCode: string }).signalCode = signalCode;
    else (child as { exitCode: number | null }).exitCode = exitCode;
    if (child.stdin) child.stdin.destroy();
    handle.close();
    child._handle = null;
    if (exitCode !== null && exitCode < 0) {
      const syscall = child.spawnfile ? 'spawn ' + child.spawnfile : 'spawn';
      const err: NodeJS.ErrnoException & { spawnargs?: string[] } = errnoException(exitCode, syscall);
      if (child.spawnfile) err.path = child.spawnfile;
      err.spawnargs = child.spawnargs.slice(1);
      child.emit('error', err);
    } else {
      child.emit('exit', child.exitCode, child.signalCode);
    }
    // Streams nobody touched are drained on the next tick, so that they end and 'close' can come.
    process.nextTick(flushStdio, child);
    maybeClose(child);
  };
  child._handle = handle;
  handles.set(child, handle);
  if (childProcessChannel.hasSubscribers) childProcessChannel.publish({ process: child });
  return child;
}

interface Internals {
  _handle: ProcessHandle | null;
  _closesNeeded: number;
  _closesGot: number;
}

// Node's own 'close' accounting: its stdio sockets and channel call the same on their 'close'.
function maybeClose(child: ChildProcess & Internals): void {
  child._closesGot++;
  if (child._closesGot === child._closesNeeded) child.emit('close', child.exitCode, child.signalCode);
}

function usedAsStdio(stream: object): boolean {
  // ChildProcess#spawn marks streams it handed to the child ('wrap') with a private symbol.
  return Object.getOwnPropertySymbols(stream).some((s) => s.description === 'kIsUsedAsStdio' &&
    (stream as Record<symbol, unknown>)[s] === true);
}

function flushStdio(child: ChildProcess): void {
  for (const stream of child.stdio ?? []) {
    if (!stream || !(stream as { readable?: boolean }).readable || usedAsStdio(stream)) continue;
    (stream as { resume(): void }).resume();
  }
}
