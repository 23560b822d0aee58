// spawnSync(), execSync(), execFileSync(): Node's argument handling and results
// (child_process.js, internal/child_process spawnSync), with the child made by our helper and
// waited for by the addon on the calling thread (native/addon/sync_wait.cc).
import { isArrayBufferView } from 'node:util/types';

import { ERR_INVALID_ARG_TYPE, errnoException } from './errors';
import { genericNodeError, MAX_BUFFER, normalizeExecArgs, normalizeExecFileArgs } from './exec';
import { signalName } from './process_handle';
import { nativeStrings } from './native';
import { getSession } from './session';
import { normalizeSpawnArguments } from './spawn';
import { getValidSyncStdio, type SyncStdioEntry } from './stdio';
import { sanitizeKillSignal, validateMaxBuffer, validateTimeout } from './validators';

export interface SpawnSyncResult {
  error?: Error;
  status: number | null;
  signal: NodeJS.Signals | null;
  output: (string | Buffer | null)[] | null;
  pid: number;
  stdout?: string | Buffer | null;
  stderr?: string | Buffer | null;
}

const PIPE = -2; // for the addon: make a pipe here

function nativeFd(entry: SyncStdioEntry): number {
  switch (entry.type) {
    case 'pipe': return PIPE;
    case 'ignore': return -1;
    default: return entry.fd;
  }
}

function toBuffer(input: unknown, index: number, encoding: BufferEncoding | undefined): Buffer {
  if (isArrayBufferView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (typeof input === 'string') return Buffer.from(input, encoding);
  throw new ERR_INVALID_ARG_TYPE(`options.stdio[${index}]`, ['Buffer', 'TypedArray', 'DataView', 'string'], input);
}

export function spawnSync(file: string, args?: any, options?: any): SpawnSyncResult {
  const opts: any = { maxBuffer: MAX_BUFFER, ...normalizeSpawnArguments(file, args, options) };
  validateTimeout(opts.timeout);
  validateMaxBuffer(opts.maxBuffer);
  opts.killSignal = sanitizeKillSignal(opts.killSignal);

  const session = getSession()!;
  const stdio = getValidSyncStdio(opts.stdio || 'pipe');
  const inputs: (Buffer | undefined)[] = [];
  if (opts.input && stdio.length > 0) inputs[0] = toBuffer(opts.input, 0, opts.encoding);

  const raw = session.native.spawnSync({
    id: session.newId(), ...nativeStrings(opts),
    // Unlike the async path, Node's spawnSync takes any cwd it is given, '' and Buffers included.
    cwd: opts.cwd == null ? undefined : `${opts.cwd}`, detached: !!opts.detached,
    uid: typeof opts.uid === 'number' ? opts.uid : undefined,
    gid: typeof opts.gid === 'number' ? opts.gid : undefined,
    stdio: stdio.map(nativeFd),
  }, {
    timeout: opts.timeout > 0 ? opts.timeout : 0,
    maxBuffer: typeof opts.maxBuffer === 'number' ? opts.maxBuffer : 0, // null/undefined: no limit, as Node
    killSignal: opts.killSignal ?? 15,
    inputs,
  });

  // The key order of Node's results: error (when there is one), status, signal, output, pid.
  const result: SpawnSyncResult = raw.error && raw.pid === undefined
    ? { error: undefined, status: null, signal: null, output: null, pid: 0 }
    : {
      ...(raw.error ? { error: undefined } : {}),
      status: raw.status ?? null,
      signal: raw.signal ? signalName(raw.signal) as NodeJS.Signals : null,
      output: raw.output ?? null,
      pid: raw.pid!,
    };
  if (result.output && opts.encoding && opts.encoding !== 'buffer') {
    result.output = result.output.map((o) => (o ? o.toString(opts.encoding) : o));
  }
  result.stdout = result.output && result.output[1];
  result.stderr = result.output && result.output[2];
  if (raw.error) {
    const error = errnoException(raw.error, 'spawnSync ' + opts.file) as any;
    error.path = opts.file;
    error.spawnargs = opts.args.slice(1);
    result.error = error;
  }
  return result;
}

function checkExecSyncError(ret: SpawnSyncResult, args: string[] | undefined, cmd?: string): Error | undefined {
  if (ret.error) return Object.assign(ret.error, ret);
  if (ret.status !== 0) {
    let msg = 'Command failed: ' + (cmd || args!.join(' '));
    if (ret.stderr && ret.stderr.length > 0) msg += `\n${ret.stderr.toString()}`;
    return genericNodeError(msg, ret);
  }
  return undefined;
}

export function execFileSync(file: string, args?: any, options?: any): string | Buffer | null | undefined {
  const normalized = normalizeExecFileArgs(file, args, options);
  const inheritStderr = !normalized.options.stdio;
  const ret = spawnSync(normalized.file, normalized.args, normalized.options);
  if (inheritStderr && ret.stderr) process.stderr.write(ret.stderr);
  const err = checkExecSyncError(ret, [normalized.options.argv0 || normalized.file, ...normalized.args]);
  if (err) throw err;
  return ret.stdout;
}

export function execSync(command: string, options?: any): string | Buffer | null | undefined {
  const opts = normalizeExecArgs(command, options, null);
  const inheritStderr = !opts.options.stdio;
  const ret = spawnSync(opts.file, opts.options);
  if (inheritStderr && ret.stderr) process.stderr.write(ret.stderr);
  const err = checkExecSyncError(ret, undefined, command);
  if (err) throw err;
  return ret.stdout;
}
