// The sync family (spawnSync, execSync, execFileSync) runs Node's own functions too: for the
// length of one call, the spawn_sync binding's method is ours (lib/node/internals.ts, internal 4),
// and it answers exactly as SyncProcessRunner::Spawn would, with a child the helper made and the
// addon waited for on this thread (native/addon/sync_wait.cc). Node's JS around it validates,
// decodes output and builds errors as that version of Node does.
//
// The options are SyncProcessRunner's: file, args, cwd (any value but null/undefined, as a string),
// envPairs, uid/gid (int32), detached, timeout (ms, > 0 applies), maxBuffer (bytes over all piped
// output together; 0 is none), killSignal (a number; SIGTERM when absent), stdio: [{type: 'ignore'}
// | {type: 'pipe', readable, writable, input?} | {type: 'inherit'|'fd', fd}]. The result has its
// keys in SyncProcessRunner's order: error (when there is one), status, signal, output, pid.
import { signalName } from '../core/errno';
import { decodeWaitStatus } from '../core/exit_status';
import { buildRequest } from '../core/request';
import type { Session } from '../core/session';
import type { SpawnSyncBinding } from './internals';
import { toStringList, toStringValue } from './strings';

interface SyncStdioOption {
  type?: unknown;
  readable?: unknown;
  writable?: unknown;
  input?: unknown;
  fd?: unknown;
  handle?: { fd?: number };
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function asBuffer(input: unknown): Buffer | undefined {
  if (Buffer.isBuffer(input)) return input;
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return undefined;
}

/** SyncProcessRunner::Spawn through the helper. */
function spawnSyncThroughHelper(session: Session, options: Record<string, unknown>): Record<string, unknown> {
  const c = session.binding.constants;
  const stdioOptions = Array.isArray(options.stdio) ? options.stdio as SyncStdioOption[] : [];
  const stdio: number[] = [];
  const inputs: (Buffer | undefined)[] = [];
  for (let i = 0; i < stdioOptions.length; i++) {
    const entry = stdioOptions[i] ?? {};
    if (entry.type === 'pipe') {
      const reads = Boolean(entry.readable), writes = Boolean(entry.writable);
      stdio.push(reads && writes ? c.STDIO_PIPE_BOTH : reads ? c.STDIO_PIPE_IN : c.STDIO_PIPE_OUT);
      if (reads) inputs[i] = asBuffer(entry.input);
    } else if (entry.type === 'inherit' || entry.type === 'fd') {
      stdio.push(Number(entry.fd) | 0);
    } else if (entry.type === 'wrap') {
      // SyncProcessRunner aborts the process here (no such type in sync); pass the stream's fd.
      stdio.push(entry.handle?.fd ?? c.STDIO_IGNORE);
    } else {
      stdio.push(c.STDIO_IGNORE);
    }
  }
  const timeout = typeof options.timeout === 'number' && options.timeout > 0 ? Math.trunc(options.timeout) : 0;
  const maxBuffer = typeof options.maxBuffer === 'number' && options.maxBuffer > 0 ? options.maxBuffer : 0;
  const killSignal = typeof options.killSignal === 'number' ? options.killSignal : 15;
  const request = buildRequest(session.binding, session.newId(), {
    file: toStringValue(options.file, 'throw'),
    args: toStringList(options.args, 'throw'),
    envPairs: toStringList(options.envPairs, 'throw'),
    // Unlike the async path, the sync runner takes any cwd it is given, '' and Buffers included.
    cwd: isSet(options.cwd) ? `${options.cwd}` : undefined,
    detached: Boolean(options.detached),
    uid: typeof options.uid === 'number' ? options.uid : undefined,
    gid: typeof options.gid === 'number' ? options.gid : undefined,
    stdio,
  });
  const [error, pid, status, output] = session.native.spawnSync(...request, timeout, maxBuffer, killSignal, inputs);

  const exited = pid > 0 && status >= 0;
  const { code, signal } = decodeWaitStatus(exited ? status : null);
  const result: Record<string, unknown> = {};
  if (error) result.error = error;
  result.status = exited ? code : null;
  result.signal = signal ? signalName(signal) : null;
  result.output = pid > 0 ? output : null;
  result.pid = pid;
  return result;
}

/** Runs fn (a call of Node's sync family) with the spawn_sync binding answering through the helper. */
export function withSyncBinding<T>(session: Session, binding: SpawnSyncBinding, fn: () => T): T {
  const original = binding.spawn;
  binding.spawn = function spawn(options: Record<string, unknown>) {
    // Under the permission model without --allow-child-process, Node's own runner throws
    // ERR_ACCESS_DENIED before it does anything: let it.
    const permission = (process as unknown as { permission?: { has(scope: string): boolean } }).permission;
    if (permission && !permission.has('child')) return original.call(binding, options);
    return spawnSyncThroughHelper(session, options);
  };
  try {
    return fn();
  } finally {
    binding.spawn = original;
  }
}
