// spawn(): Node's argument handling (child_process.js normalizeSpawnArguments and spawn), and Node's
// ChildProcess class (lib/node_child.ts), with the child made by our helper. IPC included.
import { addAbortListener } from 'node:events';

import type { ChildProcess } from 'node:child_process';

import { newChildProcess } from './node_child';
import { getSession } from './session';
import { AbortError, ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE } from './errors';
import {
  getValidatedPath, isInt32, sanitizeKillSignal, validateAbortSignal, validateArgumentNullCheck,
  validateArgumentsNullCheck, validateBoolean, validateObject, validateString, validateTimeout,
} from './validators';

export interface NormalizedSpawnOptions {
  file: string;
  args: string[];
  envPairs: string[];
  cwd?: string | Uint8Array;
  detached: boolean;
  windowsHide: boolean;
  windowsVerbatimArguments: boolean;
  [key: string]: any;
}

// process.env.NODE_V8_COVERAGE always reaches children (Node does this, into the caller's env).
function copyProcessEnvToEnv(env: Record<string, unknown>, name: string, optionEnv: unknown): void {
  if (process.env[name] && (!optionEnv || !Object.prototype.hasOwnProperty.call(optionEnv, name))) {
    env[name] = process.env[name];
  }
}

export function normalizeSpawnArguments(file: unknown, args?: unknown, options?: unknown): NormalizedSpawnOptions {
  validateString(file, 'file');
  validateArgumentNullCheck(file, 'file');
  if (file.length === 0) throw new ERR_INVALID_ARG_VALUE('file', file, 'cannot be empty');

  let argv: any[];
  if (Array.isArray(args)) {
    argv = args.slice();
  } else if (args == null) {
    argv = [];
  } else if (typeof args !== 'object') {
    throw new ERR_INVALID_ARG_TYPE('args', 'object', args);
  } else {
    options = args;
    argv = [];
  }
  validateArgumentsNullCheck(argv, 'args');

  if (options === undefined) options = {};
  else validateObject(options, 'options');
  const opts: Record<string, any> = { __proto__: null, ...(options as object) };

  let cwd = opts.cwd;
  // A Buffer stays one: Node's async spawn ignores it, its spawnSync takes it (lib/native.ts).
  if (cwd != null) cwd = getValidatedPath(cwd, 'options.cwd');
  if (opts.detached != null) validateBoolean(opts.detached, 'options.detached');
  if (opts.uid != null && !isInt32(opts.uid)) throw new ERR_INVALID_ARG_TYPE('options.uid', 'int32', opts.uid);
  if (opts.gid != null && !isInt32(opts.gid)) throw new ERR_INVALID_ARG_TYPE('options.gid', 'int32', opts.gid);
  if (opts.shell != null && typeof opts.shell !== 'boolean' && typeof opts.shell !== 'string') {
    throw new ERR_INVALID_ARG_TYPE('options.shell', ['boolean', 'string'], opts.shell);
  }
  if (opts.argv0 != null) {
    validateString(opts.argv0, 'options.argv0');
    validateArgumentNullCheck(opts.argv0, 'options.argv0');
  }
  if (opts.windowsHide != null) validateBoolean(opts.windowsHide, 'options.windowsHide');
  const windowsVerbatimArguments = opts.windowsVerbatimArguments;
  if (windowsVerbatimArguments != null) {
    validateBoolean(windowsVerbatimArguments, 'options.windowsVerbatimArguments');
  }

  let spawnFile: string = file;
  if (opts.shell) {
    validateArgumentNullCheck(opts.shell, 'options.shell');
    const command = [file, ...argv].join(' ');
    spawnFile = typeof opts.shell === 'string' ? opts.shell : process.platform === 'android' ? '/system/bin/sh' : '/bin/sh';
    argv = ['-c', command];
  }
  argv.unshift(typeof opts.argv0 === 'string' ? opts.argv0 : spawnFile);

  const env = opts.env || process.env;
  copyProcessEnvToEnv(env, 'NODE_V8_COVERAGE', opts.env);
  const envPairs: string[] = [];
  // Prototype values are included, as in Node.
  for (const key in env) {
    const value = env[key];
    if (value !== undefined) {
      validateArgumentNullCheck(key, `options.env['${key}']`);
      validateArgumentNullCheck(value, `options.env['${key}']`);
      envPairs.push(`${key}=${value}`);
    }
  }

  return {
    ...opts,
    args: argv,
    cwd,
    detached: !!opts.detached,
    envPairs,
    file: spawnFile,
    windowsHide: !!opts.windowsHide,
    windowsVerbatimArguments: !!windowsVerbatimArguments,
  } as NormalizedSpawnOptions;
}

/** What the timeout and AbortSignal need of a child (Subprocess uses them too). */
export interface KillableChild {
  kill(signal?: number): boolean;
  emit(event: string, ...args: unknown[]): boolean;
  once(event: string, listener: (...args: any[]) => void): unknown;
}

function abortChildProcess(child: KillableChild, killSignal: number | undefined, reason: unknown): void {
  try {
    if (child.kill(killSignal)) child.emit('error', new AbortError(undefined, { cause: reason }));
  } catch (err) {
    child.emit('error', err);
  }
}

/** What spawn() does after the child exists: the timeout and the AbortSignal, as Node. */
export function watchTimeoutAndSignal(child: KillableChild, opts: NormalizedSpawnOptions, killSignal: number | undefined): void {
  if (opts.timeout > 0) {
    let timeoutId: NodeJS.Timeout | null = setTimeout(() => {
      if (timeoutId) {
        try {
          child.kill(killSignal);
        } catch (err) {
          child.emit('error', err);
        }
        timeoutId = null;
      }
    }, opts.timeout);
    child.once('exit', () => {
      if (timeoutId) {
        clearTimeout(timeoutId);
        timeoutId = null;
      }
    });
  }

  if (opts.signal) {
    const signal: AbortSignal = opts.signal;
    const onAbort = () => abortChildProcess(child, killSignal, signal.reason);
    if (signal.aborted) {
      process.nextTick(onAbort);
    } else {
      const disposable = addAbortListener(signal, onAbort);
      child.once('exit', () => disposable[Symbol.dispose]());
    }
  }
}

export function spawn(file: string, args?: readonly string[] | object, options?: object): ChildProcess {
  const opts = normalizeSpawnArguments(file, args, options);
  validateTimeout(opts.timeout);
  validateAbortSignal(opts.signal, 'options.signal');
  const killSignal = sanitizeKillSignal(opts.killSignal);
  const child = newChildProcess(getSession()!);
  (child as unknown as { spawn(options: object): number }).spawn(opts);
  watchTimeoutAndSignal(child, opts, killSignal);
  return child;
}
