// procdesc/child_process: the drop-in. Same exports as node:child_process; spawn() and
// ChildProcess are procdesc's where the helper runs (capabilities() says), Node's otherwise.
// Not yet through the helper, and so still Node's own: exec, execFile, the sync family (the
// exec/sync issue), fork and stdio 'ipc' (the fork issue).
import * as nodeChildProcess from 'node:child_process';

import { usingProcdesc } from '../lib/capabilities';
import { ChildProcess } from '../lib/child_process';
import { spawn as procdescSpawn } from '../lib/spawn';

function wantsIpc(args: unknown, options: unknown): boolean {
  const opts = (Array.isArray(args) || args == null || typeof args !== 'object' ? options : args) as
    { stdio?: unknown } | undefined;
  const stdio = opts && typeof opts === 'object' ? opts.stdio : undefined;
  return Array.isArray(stdio) && stdio.includes('ipc');
}

export function spawn(file: string, args?: any, options?: any): any {
  if (!usingProcdesc() || wantsIpc(args, options)) return nodeChildProcess.spawn(file, args, options);
  return procdescSpawn(file, args, options);
}

export { ChildProcess };
export const {
  exec, execFile, execFileSync, execSync, fork, spawnSync, _forkChild,
} = nodeChildProcess as typeof nodeChildProcess & { _forkChild: unknown };
