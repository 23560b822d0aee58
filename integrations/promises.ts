// procdesc/promises: exec and execFile as util.promisify gives them for node:child_process
// ({ stdout, stderr }, the error carrying both, `.child` on the promise), and run(): one child to
// its end, with its exit status and resource usage, rejecting with a RunError on failure.
import type * as nodeChildProcess from 'node:child_process';
import { promisify } from 'node:util';

import { ERR_CHILD_PROCESS_STDIO_MAXBUFFER, ERR_INVALID_ARG_TYPE, validateMaxBuffer } from '../lib/descriptor/errors';
import { collect } from '../lib/descriptor/collect';
import { spawn, type ResourceUsage, type SubprocessOptions } from '../lib/descriptor/subprocess';
import { corePath } from '../lib/core/path';
import { useRuntimeChild } from '../lib/descriptor/runtime_child';
import * as dropIn from './child_process';
import * as runtimeExec from './runtime_exec';

const nodeExec = promisify(dropIn.exec) as (...args: unknown[]) => any;
const nodeExecFile = promisify(dropIn.execFile) as (...args: unknown[]) => any;

// On Bun and Deno the drop-in is the runtime's own: there they are made through the helper instead.
export const exec: typeof nodeChildProcess.exec.__promisify__ = useRuntimeChild()
  ? ((...args: Parameters<typeof runtimeExec.exec>) => (corePath().ok ? runtimeExec.exec : nodeExec)(...args)) as any
  : promisify(dropIn.exec) as any;
export const execFile: typeof nodeChildProcess.execFile.__promisify__ = useRuntimeChild()
  ? ((...args: Parameters<typeof runtimeExec.execFile>) => (corePath().ok ? runtimeExec.execFile : nodeExecFile)(...args)) as any
  : promisify(dropIn.execFile) as any;

export interface RunOptions extends Omit<SubprocessOptions, 'stdio'> {
  /** Written to the child's stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string | Uint8Array;
  /** 'utf8' by default; 'buffer' gives Buffers. */
  encoding?: BufferEncoding | 'buffer';
  /** Bytes of stdout or of stderr after which the child is killed and run() rejects. Default 100 MB. */
  maxBuffer?: number;
  /** As spawn's, but stdout and stderr must be pipes to be collected (they are by default). */
  stdio?: SubprocessOptions['stdio'];
}

export interface RunResult<T extends string | Buffer = string> {
  stdout: T;
  stderr: T;
  code: number | null;
  signal: NodeJS.Signals | null;
  resourceUsage: ResourceUsage | null;
}

/** run()'s rejection when the child exits non-zero or is killed: everything a RunResult has. */
export class RunError<T extends string | Buffer = string> extends Error implements RunResult<T> {
  command: string;
  stdout: T;
  stderr: T;
  code: number | null;
  signal: NodeJS.Signals | null;
  resourceUsage: ResourceUsage | null;

  constructor(command: string, result: RunResult<T>, cause?: Error) {
    let how = result.signal ? `was killed with ${result.signal}`
      : result.code !== 0 ? `failed with exit code ${result.code}` : 'failed';
    if (cause) how += ` (${cause.message})`;
    const stderr = result.stderr.toString().trimEnd();
    super(`Command ${how}: ${command}${stderr ? `\n${stderr}` : ''}`, cause ? { cause } : undefined);
    this.name = 'RunError';
    this.command = command;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
    this.code = result.code;
    this.signal = result.signal;
    this.resourceUsage = result.resourceUsage;
  }
}

export const DEFAULT_MAX_BUFFER = 100 * 1024 * 1024;

/**
 * Runs `file` with `args` (spawn()'s options, plus input, encoding, maxBuffer) and resolves with
 * { stdout, stderr, code, signal, resourceUsage } once it has exited and its output has ended.
 * Rejects with a RunError on a non-zero exit or a signal, and with the spawn error (ENOENT...).
 */
export function run(file: string, args?: readonly string[], options?: RunOptions & { encoding?: BufferEncoding }): Promise<RunResult>;
export function run(file: string, args: readonly string[] | undefined, options: RunOptions & { encoding: 'buffer' }): Promise<RunResult<Buffer>>;
export function run(file: string, options?: RunOptions & { encoding?: BufferEncoding }): Promise<RunResult>;
export function run(file: string, options: RunOptions & { encoding: 'buffer' }): Promise<RunResult<Buffer>>;
export async function run(file: string, args?: readonly string[] | RunOptions, options?: RunOptions): Promise<RunResult<any>> {
  if (args != null && !Array.isArray(args)) {
    options = args as RunOptions;
    args = [];
  }
  const { input, encoding = 'utf8', maxBuffer = DEFAULT_MAX_BUFFER, ...spawnOptions } = options ?? {};
  if (input !== undefined && typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new ERR_INVALID_ARG_TYPE('options.input', ['string', 'Buffer', 'TypedArray'], input);
  }
  validateMaxBuffer(maxBuffer);
  spawnOptions.stdio ??= [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];

  const argv = (args ?? []) as readonly string[];
  const subprocess = spawn(file, argv, spawnOptions);
  let failure: Error | undefined;
  subprocess.on('error', (err) => { failure ??= err; });
  if (input !== undefined && subprocess.stdin) {
    subprocess.stdin.on('error', () => {}); // EPIPE: the child did not read it all
    subprocess.stdin.end(input);
  }
  const overflow = (name: string) => () => {
    failure ??= new ERR_CHILD_PROCESS_STDIO_MAXBUFFER(name);
    subprocess.kill();
  };
  const [exit, stdout, stderr] = await Promise.all([
    subprocess.exited,
    collect(subprocess.stdout, maxBuffer, overflow('stdout')),
    collect(subprocess.stderr, maxBuffer, overflow('stderr')),
  ]);
  const decode = (b: Buffer) => (encoding === 'buffer' ? b : b.toString(encoding));
  const result: RunResult<any> = { stdout: decode(stdout), stderr: decode(stderr), ...exit };
  if (exit.code === 0 && !failure) return result;
  throw new RunError([file, ...argv].join(' '), result, failure);
}
