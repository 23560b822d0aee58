// The `stdio` option, read as Node reads it (internal/child_process getValidStdio): every form
// turned into one entry per child fd. For 'pipe' the host makes the socketpair itself (as libuv
// does: an AF_UNIX stream pair, CLOEXEC); the child's end travels to the helper with SCM_RIGHTS.
import { isArrayBufferView } from 'node:util/types';
import { inspect } from 'node:util';

import { ERR_INVALID_ARG_VALUE, ERR_INVALID_SYNC_FORK_INPUT, ERR_IPC_ONE_PIPE, ERR_IPC_SYNC_FORK,
  errnoException } from './errors';
import type { NativeBinding } from './native';

/** A libuv stream or UDP handle of Node's (Pipe, TTY, TCP, UDP): it has an fd and is closable. */
export interface NodeHandle {
  fd: number;
  close(cb?: () => void): void;
  readStop?(): number;
  reading?: boolean;
}

export type StdioEntry =
  | { type: 'ignore' }
  | { type: 'pipe' | 'overlapped'; readable: boolean; writable: boolean; hostFd: number; childFd: number }
  | { type: 'inherit' | 'fd'; fd: number }
  | { type: 'wrap'; handle: NodeHandle; stdio: any };

export type StdioOption = string | unknown[] | undefined | null;

export function stdioStringToArray(stdio: string, channel?: string): unknown[] {
  switch (stdio) {
    case 'ignore':
    case 'overlapped':
    case 'pipe': return channel ? [stdio, stdio, stdio, channel] : [stdio, stdio, stdio];
    case 'inherit': return channel ? [0, 1, 2, channel] : [0, 1, 2];
    default: throw new ERR_INVALID_ARG_VALUE('stdio', stdio);
  }
}

function isHandle(value: any): value is NodeHandle {
  return value !== null && typeof value === 'object' && typeof value.fd === 'number' &&
    typeof value.close === 'function' && typeof value.getAsyncId === 'function';
}

function handleOf(value: any): NodeHandle | undefined {
  if (isHandle(value)) return value;
  if (value && isHandle(value.handle)) return value.handle;
  if (value && isHandle(value._handle)) return value._handle;
  return undefined;
}

/** Closes the host's fds of the pipes made so far (on a throw, or after a spawn error). */
export function closePipes(entries: StdioEntry[], binding: NativeBinding, hostEnds = true): void {
  for (const e of entries) {
    if (e.type !== 'pipe' && e.type !== 'overlapped') continue;
    if (e.childFd >= 0) binding.close(e.childFd);
    if (hostEnds && e.hostFd >= 0) binding.close(e.hostFd);
    e.childFd = -1;
    if (hostEnds) e.hostFd = -1;
  }
}

/**
 * Node's order of checks and errors. With `sync`, no pipes are made here (the addon makes
 * spawnSync's own).
 */
export function getValidStdio(stdio: unknown, sync: boolean, binding: NativeBinding): StdioEntry[] {
  let list: unknown[];
  if (typeof stdio === 'string') list = stdioStringToArray(stdio);
  else if (Array.isArray(stdio)) list = stdio.slice();
  else throw new ERR_INVALID_ARG_VALUE('stdio', stdio);

  while (list.length < 3) list.push(undefined);

  const entries: StdioEntry[] = [];
  try {
    for (let i = 0; i < list.length; i++) {
      let value: any = list[i];
      if (value == null) value = i < 3 ? 'pipe' : 'ignore';

      if (value === 'ignore') {
        entries.push({ type: 'ignore' });
      } else if (value === 'pipe' || value === 'overlapped' || (typeof value === 'number' && value < 0)) {
        let hostFd = -1, childFd = -1;
        if (!sync) {
          const pair = binding.socketpair();
          if (typeof pair === 'number') throw errnoException(pair, 'socketpair');
          [hostFd, childFd] = pair;
        }
        entries.push({ type: value === 'overlapped' ? 'overlapped' : 'pipe', readable: i === 0,
          writable: i !== 0, hostFd, childFd });
      } else if (value === 'ipc') {
        // The IPC channel comes with the fork issue; the drop-in hands such calls to Node.
        throw sync ? new ERR_IPC_SYNC_FORK() : new ERR_IPC_ONE_PIPE();
      } else if (value === 'inherit') {
        entries.push({ type: 'inherit', fd: i });
      } else if (typeof value === 'number' || typeof value.fd === 'number') {
        entries.push({ type: 'fd', fd: typeof value === 'number' ? value : value.fd });
      } else if (handleOf(value)) {
        entries.push({ type: 'wrap', handle: handleOf(value)!, stdio: value });
      } else if (isArrayBufferView(value) || typeof value === 'string') {
        // Node quietly drops such an entry in the sync case (the fds after it move down by one).
        if (!sync) throw new ERR_INVALID_SYNC_FORK_INPUT(inspect(value));
      } else {
        throw new ERR_INVALID_ARG_VALUE('stdio', value);
      }
    }
  } catch (err) {
    closePipes(entries, binding);
    throw err;
  }
  return entries;
}

/** What the helper places at each child fd: a host fd, or -1 for /dev/null or nothing. */
export function childFdsOf(entries: StdioEntry[]): number[] {
  return entries.map((e) => {
    switch (e.type) {
      case 'pipe': case 'overlapped': return e.childFd;
      case 'inherit': case 'fd': return e.fd;
      case 'wrap': return e.handle.fd;
      default: return -1;
    }
  });
}
