// How a ChildProcess made by Node's own code becomes ours: while procdesc calls one of Node's
// functions (spawn, exec, execFile, fork), the first ChildProcess that Node constructs is claimed
// from the 'child_process' diagnostics channel, and its Process wrap swapped for our handle before
// Node's ChildProcess#spawn calls it. Everything else (arguments, validation, errors, events,
// streams, IPC, exec's buffering, timeouts, AbortSignal) is the running Node's own code.
//
// A claim is synchronous and scoped to one call (claiming()). Each copy of procdesc listens with
// its own claim: another copy's children, or Node's own made by anyone else, are left alone.
import * as diagnosticsChannel from 'node:diagnostics_channel';

import type { Session } from '../core/session';
import { withEnvSnapshot } from './env_snapshot';
import { CHILD_PROCESS_CHANNEL, type NodeChild, type NodeInternals, type NodeProcessWrap } from './internals';
import { NodeProcessHandle, type SpawnExtras } from './node_handle';

/** One call of Node's in which procdesc makes the child. */
export interface Claim {
  readonly session: Session;
  readonly internals: NodeInternals;
  readonly extras: SpawnExtras;
  /** Set once Node has constructed the child. */
  child?: NodeChild;
  handle?: NodeProcessHandle;
}

let pending: Claim | null = null;
let listening = false;
const handles = new WeakMap<object, NodeProcessHandle>();

function onChildConstructed(message: unknown): void {
  const claim = pending;
  if (!claim) return;
  pending = null;
  const child = (message as { process: NodeChild }).process;
  const handle = new NodeProcessHandle(claim.session, claim.internals, child._handle as NodeProcessWrap, claim.extras);
  child._handle = handle;
  handles.set(child, handle);
  claim.child = child;
  claim.handle = handle;
}

/** Runs fn (a call of Node's child_process) so that the child it constructs is made by our helper. */
export function claiming<T>(claim: Claim, fn: () => T): T {
  if (!listening) {
    // For good: subscribing and unsubscribing around every call would reshape Node's channel object
    // each time. A listener with no claim pending returns at once.
    diagnosticsChannel.subscribe(CHILD_PROCESS_CHANNEL, onChildConstructed);
    listening = true;
  }
  const outer = pending;
  pending = claim;
  try {
    return withEnvSnapshot(claim.session.binding, fn);
  } finally {
    // A call that threw before spawning (bad stdio...) never used Node's wrap: free it anyway
    // (Node's own spawn would leave it behind).
    if (claim.handle?.spawnResult === undefined) {
      try {
        claim.handle?.disposeWrap();
      } catch { /* the permission model: Node's spawn would have thrown the same already */ }
    }
    pending = outer;
  }
}

/** Our handle of a child made through a claim, while it still is the child's handle. */
export function processHandleOf(child: object): NodeProcessHandle | null {
  const handle = handles.get(child);
  return handle && (child as { _handle?: unknown })._handle === handle ? handle : null;
}

/** CPU time and peak RSS of a child of ours once it has exited; null before, for an orphan, or for
 * a child that is not ours. */
export function resourceUsageOf(child: object): { userCPUTime: number; systemCPUTime: number; maxRSS: number } | null {
  const usage = handles.get(child)?.usage;
  return usage ? { userCPUTime: usage.userCPUTime, systemCPUTime: usage.systemCPUTime, maxRSS: usage.maxRSS } : null;
}
