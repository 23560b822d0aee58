// Children with an IPC channel ('ipc' in stdio, fork()): Node's own ChildProcess class, whose
// Process wrap is swapped for our ProcessHandle before it spawns.
//
// Why: the parent side of Node's IPC protocol (newline JSON or length-prefixed V8 serialization,
// NODE_HANDLE messages with SCM_RIGHTS and their ACK/NACK flow, 'disconnect', back-pressure) lives
// in internal/child_process setupChannel, which only Node's ChildProcess#spawn reaches. That code
// needs from its handle exactly what ProcessHandle offers (spawn, pid, kill, ref, unref, close,
// onexit), and from each stdio pipe a libuv Pipe it can open on an fd. So we let Node's class do
// everything it does, and make the child ourselves: for each 'pipe'/'ipc' entry we create the
// socketpair, open Node's Pipe (an IPC pipe for the channel: libuv then passes fds with
// SCM_RIGHTS) on our end, and hand the other end to the helper. The child side is Node's as always.
import { ChildProcess as NodeChildProcess } from 'node:child_process';

import { errnoException } from './errors';
import { ProcessHandle, type HandleSpawnOptions } from './process_handle';
import { getSession, type Session } from './session';
import { normalizeSpawnArguments, watchTimeoutAndSignal } from './spawn';
import { sanitizeKillSignal, validateAbortSignal, validateTimeout } from './validators';

/** One entry of the stdio list Node's ChildProcess#spawn hands to its Process wrap. */
interface NodeStdioEntry {
  type: 'pipe' | 'overlapped' | 'ignore' | 'fd' | 'inherit' | 'wrap';
  handle?: { open(fd: number): number; fd?: number };
  fd?: number;
  ipc?: boolean;
}

/** The Process-wrap face of a ProcessHandle, for Node's ChildProcess. */
class NodeProcessHandle extends ProcessHandle {
  override spawn(options: HandleSpawnOptions & { stdio: unknown }): number {
    const binding = this.session.binding;
    const entries = options.stdio as unknown as NodeStdioEntry[];
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
    return err;
  }
}

type NodeChild = NodeChildProcess & { _handle: any; spawn(options: object): number };

/** A Node ChildProcess whose child is made by our helper. */
export function newNodeChildProcess(session: Session): NodeChild {
  const child = new NodeChildProcess() as NodeChild;
  const original = child._handle;
  const handle = new NodeProcessHandle(session);
  handle.onexit = original.onexit; // Node's closure: it works on child._handle, which is ours now
  original.close(); // never spawned: nothing to undo
  child._handle = handle;
  return child;
}

/** spawn() for options whose stdio has an 'ipc' entry (and fork()). */
export function spawnWithChannel(file: string, args?: unknown, options?: unknown): NodeChildProcess {
  const opts = normalizeSpawnArguments(file, args, options);
  validateTimeout(opts.timeout);
  validateAbortSignal(opts.signal, 'options.signal');
  const killSignal = sanitizeKillSignal(opts.killSignal);
  const session = getSession();
  if (!session) throw errnoException(-38 /* ENOSYS */, 'spawn');
  const child = newNodeChildProcess(session);
  child.spawn(opts);
  watchTimeoutAndSignal(child, opts, killSignal);
  return child;
}
