// node:child_process's own functions, as the running Node made them. procdesc/register replaces
// the module's exports in place, so they are taken here once, at load, and every function procdesc
// puts there carries the one it stands for under ORIGINAL: a copy of procdesc loaded after another
// copy registered still finds Node's own (and never calls through the other copy's).
import * as nodeChildProcess from 'node:child_process';

/** Marks a drop-in function with the Node function it stands for. */
export const ORIGINAL = Symbol.for('procdesc.node_child_process.original');

type Module = typeof nodeChildProcess;
export type NodeFunctionName = 'spawn' | 'exec' | 'execFile' | 'fork' | 'spawnSync' | 'execSync' | 'execFileSync';

function unwrap<T>(fn: T): T {
  let f = fn as unknown as { [ORIGINAL]?: unknown };
  while (typeof f === 'function' && f[ORIGINAL]) f = f[ORIGINAL] as typeof f;
  return f as unknown as T;
}

export const node = {
  spawn: unwrap(nodeChildProcess.spawn),
  exec: unwrap(nodeChildProcess.exec),
  execFile: unwrap(nodeChildProcess.execFile),
  fork: unwrap(nodeChildProcess.fork),
  spawnSync: unwrap(nodeChildProcess.spawnSync),
  execSync: unwrap(nodeChildProcess.execSync),
  execFileSync: unwrap(nodeChildProcess.execFileSync),
  ChildProcess: nodeChildProcess.ChildProcess,
  _forkChild: (nodeChildProcess as Module & { _forkChild: unknown })._forkChild,
} satisfies Record<NodeFunctionName, unknown> & Record<string, unknown>;
