// procdesc/child_process: the drop-in. Same exports as node:child_process. Where the helper runs
// (capabilities() says), children are procdesc's; otherwise every call hands over to Node.
// Children with an IPC channel (fork(), 'ipc' in stdio) are Node's ChildProcess class over our
// process handle (lib/ipc_spawn.ts), so the channel is Node's own code.
import * as nodeModule from 'node:child_process';

import { usingProcdesc } from '../lib/capabilities';
import { ChildProcess } from '../lib/child_process';
import { makeExecFile } from '../lib/exec';
import { fork as procdescFork } from '../lib/fork';
import { spawnWithChannel } from '../lib/ipc_spawn';
import { spawn as procdescSpawn } from '../lib/spawn';
import * as sync from '../lib/spawn_sync';

// Node's own functions, taken once at load: procdesc/register replaces the module's exports in
// place, and the fallback must still reach Node's.
const nodeChildProcess = { ...nodeModule } as typeof nodeModule & { _forkChild: unknown };

function wantsIpc(args: unknown, options: unknown): boolean {
  const opts = (Array.isArray(args) || args == null || typeof args !== 'object' ? options : args) as
    { stdio?: unknown } | undefined;
  const stdio = opts && typeof opts === 'object' ? opts.stdio : undefined;
  return Array.isArray(stdio) && stdio.includes('ipc');
}

export function spawn(file: string, args?: any, options?: any): any {
  if (!usingProcdesc()) return nodeChildProcess.spawn(file, args, options);
  return wantsIpc(args, options) ? spawnWithChannel(file, args, options) : procdescSpawn(file, args, options);
}

// exec and execFile are Node's logic over the spawn above, so they follow it to either path.
export const { exec, execFile } = makeExecFile(spawn);

export function spawnSync(file: string, args?: any, options?: any): any {
  return usingProcdesc() ? sync.spawnSync(file, args, options) : nodeChildProcess.spawnSync(file, args, options);
}

export function execFileSync(file: string, args?: any, options?: any): any {
  return usingProcdesc() ? sync.execFileSync(file, args, options) : nodeChildProcess.execFileSync(file, args, options);
}

export function execSync(command: string, options?: any): any {
  return usingProcdesc() ? sync.execSync(command, options) : nodeChildProcess.execSync(command, options);
}

export { ChildProcess };
export function fork(modulePath: any, args?: any, options?: any): any {
  return usingProcdesc() ? procdescFork(modulePath, args, options) : nodeChildProcess.fork(modulePath, args, options);
}

// The child side of a channel is Node's, whoever the parent is.
export const { _forkChild } = nodeChildProcess;
