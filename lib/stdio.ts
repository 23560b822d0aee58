// The `stdio` option of spawnSync and friends, read as Node reads it (internal/child_process
// getValidStdio with sync = true): one entry per child fd. The async path hands `stdio` to Node's
// own ChildProcess class (lib/node_child.ts), which reads it itself.
import { isArrayBufferView } from 'node:util/types';

import { ERR_INVALID_ARG_VALUE, ERR_IPC_SYNC_FORK } from './errors';

/** A libuv stream or UDP handle of Node's (Pipe, TTY, TCP, UDP): it has an fd and is closable. */
interface NodeHandle {
  fd: number;
  close(cb?: () => void): void;
}

export type SyncStdioEntry =
  | { type: 'ignore' }
  | { type: 'pipe' } // made by the addon
  | { type: 'inherit' | 'fd'; fd: number }
  | { type: 'wrap'; fd: number };

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

/** Node's order of checks and errors for a synchronous child. */
export function getValidSyncStdio(stdio: unknown): SyncStdioEntry[] {
  let list: unknown[];
  if (typeof stdio === 'string') list = stdioStringToArray(stdio);
  else if (Array.isArray(stdio)) list = stdio.slice();
  else throw new ERR_INVALID_ARG_VALUE('stdio', stdio);

  while (list.length < 3) list.push(undefined);

  const entries: SyncStdioEntry[] = [];
  for (let i = 0; i < list.length; i++) {
    let value: any = list[i];
    if (value == null) value = i < 3 ? 'pipe' : 'ignore';

    if (value === 'ignore') {
      entries.push({ type: 'ignore' });
    } else if (value === 'pipe' || value === 'overlapped' || (typeof value === 'number' && value < 0)) {
      entries.push({ type: 'pipe' });
    } else if (value === 'ipc') {
      throw new ERR_IPC_SYNC_FORK();
    } else if (value === 'inherit') {
      entries.push({ type: 'inherit', fd: i });
    } else if (typeof value === 'number' || typeof value.fd === 'number') {
      entries.push({ type: 'fd', fd: typeof value === 'number' ? value : value.fd });
    } else if (handleOf(value)) {
      entries.push({ type: 'wrap', fd: handleOf(value)!.fd });
    } else if (isArrayBufferView(value) || typeof value === 'string') {
      // Node quietly drops such an entry here (the fds after it move down by one).
    } else {
      throw new ERR_INVALID_ARG_VALUE('stdio', value);
    }
  }
  return entries;
}
