// procdesc/register: for apps. Replaces the functions of node:child_process in place with
// procdesc's drop-in, so that every library the app loads spawns through the helper without
// knowing it: `require('child_process').exec`, `import { spawn } from 'node:child_process'`
// (ESM named imports are live bindings, refreshed by module.syncBuiltinESMExports()) and
// util.promisify(exec) alike. Loaded with `node --require procdesc/register` or
// `node --import procdesc/register`, it registers before any library captures a function.
//
// The drop-in's functions are the running Node's own, called so that the child is ours; each
// carries the Node function it stands for (lib/node/originals.ts), so nothing ever calls through
// itself, and a copy of procdesc loaded later still finds Node's. ChildProcess stays Node's class.
import nodeChildProcess = require('node:child_process');
import { syncBuiltinESMExports } from 'node:module';

import * as dropIn from './child_process';

const replaced = ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync'] as const;
type Name = (typeof replaced)[number];

const target = nodeChildProcess as unknown as Record<Name, unknown>;
// What was there before register(): Node's functions, or whatever someone else had put there.
let previous: Record<Name, unknown> | null = null;

/** Whether node:child_process's functions are procdesc's now. */
export function isRegistered(): boolean {
  return replaced.every((name) => target[name] === dropIn[name]);
}

/** Replaces node:child_process's functions with procdesc's. Calling it again does nothing. */
export function register(): void {
  if (isRegistered()) return;
  const saved = {} as Record<Name, unknown>;
  for (const name of replaced) {
    saved[name] = target[name];
    target[name] = dropIn[name];
  }
  previous ??= saved;
  syncBuiltinESMExports();
}

/** Puts back what register() replaced (functions others have set since are left alone). */
export function unregister(): void {
  if (!previous) return;
  for (const name of replaced) {
    if (target[name] === dropIn[name]) target[name] = previous[name];
  }
  previous = null;
  syncBuiltinESMExports();
}

register();
