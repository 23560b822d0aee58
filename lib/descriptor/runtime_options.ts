// spawn()'s options made into a helper request without Node's child_process behind us (Bun and Deno:
// their ChildProcess cannot take our handle, lib/node/path.ts). On Node, Node's own spawn
// normalizes them (lib/node/drop_in.ts); here we do the part of its normalizeSpawnArguments the
// descriptor API needs, with Node's error codes: file, args, shell, argv0, cwd, env, detached,
// uid/gid and stdio. What each stdio entry becomes is decided here; runtime_child.ts opens it.
import type * as nodeChildProcess from 'node:child_process';

import type { SpawnRequest } from '../core/request';
import { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, validateInt32 } from './errors';

/** Per child fd: 'pipe' (a socketpair made at spawn), or a host fd placed as is (-1: ignore). */
export type StdioPlan = ('pipe' | number)[];

export interface RuntimeSpawn {
  /** The options' own properties only (a null-prototype copy), for the caller's options too. */
  options: nodeChildProcess.SpawnOptions & { killSignal?: unknown; timeout?: unknown; signal?: unknown };
  request: Omit<SpawnRequest, 'stdio'>;
  stdio: StdioPlan;
  spawnfile: string;
  spawnargs: string[];
}

function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new ERR_INVALID_ARG_TYPE(name, 'string', value);
}

function stdioEntry(entry: unknown, fd: number): 'pipe' | number {
  if (entry === undefined || entry === null) return fd <= 2 ? 'pipe' : -1;
  if (entry === 'pipe' || entry === 'overlapped') return 'pipe';
  if (entry === 'ignore') return -1;
  if (entry === 'inherit') return fd;
  if (typeof entry === 'number' && Number.isInteger(entry) && entry >= 0) return entry;
  // A stream with an fd (process.stdout, an fs stream, a socket): the child gets that fd.
  const own = (entry as { fd?: unknown; _handle?: { fd?: unknown } } | null);
  const streamFd = typeof own?.fd === 'number' ? own.fd : own?._handle?.fd;
  if (typeof streamFd === 'number' && streamFd >= 0) return streamFd;
  throw new ERR_INVALID_ARG_VALUE('stdio', entry);
}

function stdioPlan(stdio: unknown): StdioPlan {
  if (stdio === undefined || stdio === null) return ['pipe', 'pipe', 'pipe'];
  if (typeof stdio === 'string') {
    if (stdio === 'pipe' || stdio === 'overlapped' || stdio === 'ignore' || stdio === 'inherit') {
      return [0, 1, 2].map((fd) => stdioEntry(stdio, fd));
    }
    throw new ERR_INVALID_ARG_VALUE('stdio', stdio);
  }
  if (!Array.isArray(stdio)) throw new ERR_INVALID_ARG_VALUE('stdio', stdio);
  const plan = stdio.map(stdioEntry);
  while (plan.length < 3) plan.push(stdioEntry(undefined, plan.length));
  return plan;
}

function envPairs(env: NodeJS.ProcessEnv): string[] {
  const pairs: string[] = [];
  for (const key of Object.keys(env)) {
    const value = env[key];
    if (value !== undefined) pairs.push(`${key}=${value}`);
  }
  return pairs;
}

/** spawn(file, args?, options?) as the request and stdio plan; throws Node's argument errors. */
export function normalizeSpawn(file: unknown, args: unknown, options: unknown): RuntimeSpawn {
  validateString(file, 'file');
  if (file.length === 0) throw new ERR_INVALID_ARG_VALUE('file', file, 'cannot be empty');
  let argList: string[] = [];
  let opts = options;
  if (Array.isArray(args)) {
    argList = args.map((a, i) => {
      validateString(a, `args[${i}]`);
      return a;
    });
  } else if (args !== undefined && args !== null && typeof args === 'object') {
    opts = args;
  } else if (args !== undefined && args !== null) {
    throw new ERR_INVALID_ARG_TYPE('args', 'object', args);
  }
  if (typeof (opts ?? {}) !== 'object') throw new ERR_INVALID_ARG_TYPE('options', 'object', opts);
  // Own properties only, as Node's normalizeSpawnArguments copies them ({ __proto__: null,
  // ...options }): a polluted Object.prototype (uid, cwd, env, shell...) reaches no child.
  const o: RuntimeSpawn['options'] = Object.assign(Object.create(null), opts);
  if (o.cwd != null && typeof o.cwd !== 'string' && !(o.cwd instanceof URL) && !Buffer.isBuffer(o.cwd)) {
    const error = new ERR_INVALID_ARG_TYPE('options.cwd', 'string', o.cwd);
    // Node's wording for a list of a type and classes.
    error.message = error.message.replace('of type string', 'of type string or an instance of Buffer or URL');
    throw error;
  }
  const rawCwd = o.cwd as string | URL | Buffer | undefined | null;
  const cwd = rawCwd instanceof URL ? decodeURIComponent(rawCwd.pathname)
    : Buffer.isBuffer(rawCwd) ? rawCwd.toString() : (rawCwd ?? undefined);
  if (o.uid != null) validateInt32(o.uid, 'options.uid');
  if (o.gid != null) validateInt32(o.gid, 'options.gid');
  if (o.argv0 != null) validateString(o.argv0, 'options.argv0');

  let spawnfile = file;
  let spawnargs = [file, ...argList];
  if (o.shell) {
    // As Node on POSIX: the command line joined by spaces, given to `sh -c` (or the named shell).
    const command = [file, ...argList].join(' ');
    spawnfile = typeof o.shell === 'string' ? o.shell : '/bin/sh';
    spawnargs = [spawnfile, '-c', command];
  }
  const argv = o.argv0 != null ? [o.argv0, ...spawnargs.slice(1)] : spawnargs;
  return {
    options: o,
    request: {
      file: spawnfile, args: argv, envPairs: envPairs(o.env ?? process.env), cwd,
      detached: o.detached === true, uid: o.uid ?? undefined, gid: o.gid ?? undefined,
    },
    stdio: stdioPlan(o.stdio),
    spawnfile,
    spawnargs,
  };
}
