// The drop-in's functions: each is the running Node's own, called so that the child it makes is
// procdesc's (async: claiming(); sync: withSyncBinding()). On the fallback path each is Node's own,
// called as it is. Every function carries the Node function it stands for under ORIGINAL, so that
// procdesc/register can replace node:child_process's exports and other copies still find Node's.
import { promisify } from 'node:util';

import { claiming, type Claim } from './claim';
import type { NodeChild } from './internals';
import type { SpawnExtras } from './node_handle';
import { node, ORIGINAL, type NodeFunctionName } from './originals';
import { dropInPath } from './path';
import { withSyncBinding } from './sync_binding';

type AnyFunction = (...args: any[]) => any;

function newClaim(extras: SpawnExtras = {}): Claim | null {
  const path = dropInPath();
  return path ? { session: path.session, internals: path.internals, extras } : null;
}

/** An async function of Node's whose child is made by the helper. */
function claimed<F extends AnyFunction>(name: NodeFunctionName, nodeFn: F): F {
  const fn = {
    [name](this: unknown, ...args: unknown[]) {
      const claim = newClaim();
      return claim ? claiming(claim, () => nodeFn.apply(this, args)) : nodeFn.apply(this, args);
    },
  }[name] as F;
  // exec and execFile have util.promisify forms of their own ({ stdout, stderr }, `.child`).
  const custom = (nodeFn as { [promisify.custom]?: AnyFunction })[promisify.custom];
  if (custom) {
    Object.defineProperty(fn, promisify.custom, {
      enumerable: false, configurable: true, writable: true,
      value: (...args: unknown[]) => {
        const claim = newClaim();
        return claim ? claiming(claim, () => custom(...args)) : custom(...args);
      },
    });
  }
  return mark(fn, nodeFn);
}

/** A sync function of Node's whose child is made by the helper and waited for on this thread. */
function throughHelperSync<F extends AnyFunction>(name: NodeFunctionName, nodeFn: F): F {
  const fn = {
    [name](this: unknown, ...args: unknown[]) {
      const path = dropInPath();
      const binding = path?.internals.spawnSync;
      if (!path || !binding || typeof binding === 'string') return nodeFn.apply(this, args);
      return withSyncBinding(path.session, binding, () => nodeFn.apply(this, args));
    },
  }[name] as F;
  return mark(fn, nodeFn);
}

function mark<F extends AnyFunction>(fn: F, nodeFn: F): F {
  Object.defineProperty(fn, ORIGINAL, { value: nodeFn });
  Object.defineProperty(fn, 'length', { value: nodeFn.length });
  return fn;
}

export const spawn = claimed('spawn', node.spawn);
export const exec = claimed('exec', node.exec);
export const execFile = claimed('execFile', node.execFile);
export const fork = claimed('fork', node.fork);
export const spawnSync = throughHelperSync('spawnSync', node.spawnSync);
export const execSync = throughHelperSync('execSync', node.execSync);
export const execFileSync = throughHelperSync('execFileSync', node.execFileSync);
// Node's class itself: our children are its instances, so `instanceof` holds either way.
export const ChildProcess = node.ChildProcess;
// The child side of a channel is Node's, whoever the parent is.
export const _forkChild = node._forkChild;

/**
 * Node's spawn(), for the descriptor API: the child and what its handle made of the spawn
 * (spawnResult -errno: Node emits it as the child's 'error' on the next tick). On the fallback
 * path the child is Node's own and spawnResult is what its wrap returned, when we can tell.
 */
export function spawnChild(args: unknown[], extras: SpawnExtras):
  { child: NodeChild; spawnResult: number | undefined; ours: boolean } {
  const claim = newClaim(extras);
  if (!claim) {
    const child = node.spawn(...(args as Parameters<typeof node.spawn>)) as NodeChild;
    return { child, spawnResult: child.pid === undefined ? undefined : 0, ours: false };
  }
  let child: NodeChild;
  try {
    child = claiming(claim, () => node.spawn(...(args as Parameters<typeof node.spawn>))) as NodeChild;
  } catch (err) {
    // Node throws for spawn errors other than the "runtime" ones (EACCES, EAGAIN, EMFILE, ENFILE,
    // ENOENT); the caller reports them all alike.
    if (claim.handle?.spawnResult) return { child: claim.child!, spawnResult: claim.handle.spawnResult, ours: true };
    throw err;
  }
  return { child, spawnResult: claim.handle?.spawnResult, ours: true };
}

/** Node's spawn() through the helper, with the child's whole tree tracked (a cgroup of its own
 * where the helper makes them: lib/descriptor/tree.ts); Node's own on the fallback path. */
export function spawnTracked(...args: Parameters<typeof node.spawn>): NodeChild {
  const claim = newClaim({ tree: true });
  return (claim ? claiming(claim, () => node.spawn(...args)) : node.spawn(...args)) as NodeChild;
}
