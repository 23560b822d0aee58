// procdesc/child_process: the drop-in. Same exports as node:child_process. Where the helper runs
// (capabilities() says), children are procdesc's; otherwise every call hands over to Node.
// Async children are instances of Node's own ChildProcess class over our process handle
// (lib/node_child.ts): the events, streams and IPC channel are Node's own code.
import * as nodeModule from 'node:child_process';

import { usingProcdesc } from '../lib/capabilities';
import { makeExecFile } from '../lib/exec';
import { fork as procdescFork } from '../lib/fork';
import { spawn as procdescSpawn } from '../lib/spawn';
import * as sync from '../lib/spawn_sync';

// Node's own functions, taken once at load: procdesc/register replaces the module's exports in
// place, and the fallback must still reach Node's.
const nodeChildProcess = { ...nodeModule } as typeof nodeModule & { _forkChild: unknown };

export function spawn(file: string, args?: any, options?: any): any {
  return usingProcdesc() ? procdescSpawn(file, args, options) : nodeChildProcess.spawn(file, args, options);
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

// Node's class itself: our children are its instances, so `instanceof` holds either way.
export const { ChildProcess } = nodeChildProcess;
export function fork(modulePath: any, args?: any, options?: any): any {
  return usingProcdesc() ? procdescFork(modulePath, args, options) : nodeChildProcess.fork(modulePath, args, options);
}

// The child side of a channel is Node's, whoever the parent is.
export const { _forkChild } = nodeChildProcess;
