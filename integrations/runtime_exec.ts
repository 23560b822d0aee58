// procdesc/promises' exec and execFile on Bun and Deno, where the drop-in is the runtime's own
// child_process (lib/node/path.ts): the same contract as util.promisify(node's) — resolves
// { stdout, stderr }, rejects with Node's error (code, killed, signal, cmd, stdout, stderr), the
// promise carries .child — with the child made through the helper, by the descriptor API's spawn.

import { ERR_CHILD_PROCESS_STDIO_MAXBUFFER, ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, validateMaxBuffer } from '../lib/descriptor/errors';
import { collect } from '../lib/descriptor/collect';
import { spawn, type Subprocess, type SubprocessOptions } from '../lib/descriptor/subprocess';

/** Node's execFile default. */
const EXEC_MAX_BUFFER = 1024 * 1024;

interface ExecOptions {
  encoding?: BufferEncoding | 'buffer' | null;
  maxBuffer?: number;
  killSignal?: NodeJS.Signals | number;
  shell?: boolean | string;
  [key: string]: unknown;
}

type Output = string | Buffer;
export type ExecPromise = Promise<{ stdout: Output; stderr: Output }> & { child: Subprocess };

function runExec(file: string, args: string[], options: ExecOptions, cmd: string): ExecPromise {
  const { encoding = 'utf8', maxBuffer = EXEC_MAX_BUFFER, timeout, ...spawnOptions } = options;
  validateMaxBuffer(maxBuffer);
  if (timeout != null && !(Number.isInteger(timeout) && (timeout as number) >= 0)) {
    throw new ERR_OUT_OF_RANGE('timeout', 'an unsigned integer', timeout);
  }
  // As Node's execFile: no escalation to SIGKILL of our own, killSignal is the one signal sent.
  const child = spawn(file, args, { ...spawnOptions, forceKillAfterDelay: false } as SubprocessOptions);
  let failure: Error | undefined;
  let killed = false;
  child.on('error', (err) => { failure ??= err; });
  const overflow = (name: string) => {
    failure ??= new ERR_CHILD_PROCESS_STDIO_MAXBUFFER(name);
    killed = child.kill();
  };
  // The timeout is execFile's own, as in Node (not spawn's): its kill makes the error say killed.
  let timer: NodeJS.Timeout | null = null;
  if (timeout) {
    timer = setTimeout(() => {
      timer = null;
      killed = child.kill(options.killSignal) || killed;
    }, timeout as number);
  }
  child.stdin?.end();
  const decode = (b: Buffer): Output =>
    encoding && encoding !== 'buffer' && Buffer.isEncoding(encoding) ? b.toString(encoding) : b;
  const promise = Promise.all([
    child.exited,
    collect(child.stdout, maxBuffer, () => overflow('stdout')),
    collect(child.stderr, maxBuffer, () => overflow('stderr')),
  ]).then(([exit, out, err]) => {
    if (timer) clearTimeout(timer);
    const stdout = decode(out), stderr = decode(err);
    if (!failure && exit.code === 0 && exit.signal === null) return { stdout, stderr };
    const error = failure ?? Object.assign(new Error(`Command failed: ${cmd}\n${stderr}`),
      { code: exit.code, killed, signal: exit.signal });
    throw Object.assign(error, { cmd, stdout, stderr });
  }) as ExecPromise;
  promise.child = child;
  return promise;
}

/** A spawn error (ENOENT...) rejects, as Node's execFile calls back with it; it does not throw. */
function rejecting(cmd: string, start: () => ExecPromise): ExecPromise {
  try {
    return start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.errno !== 'number' || typeof e.syscall !== 'string') throw err; // an argument error
    const promise = Promise.reject(Object.assign(e, { cmd, stdout: '', stderr: '' })) as ExecPromise;
    return promise;
  }
}

export function execFile(file: string, args?: readonly string[] | ExecOptions | null, options?: ExecOptions | null): ExecPromise {
  const argv = Array.isArray(args) ? [...args] as string[] : [];
  const opts = (Array.isArray(args) ? options : args ?? options) ?? {};
  if (typeof opts !== 'object') throw new ERR_INVALID_ARG_TYPE('options', 'object', opts);
  const cmd = argv.length ? `${file} ${argv.join(' ')}` : file;
  return rejecting(cmd, () => runExec(file, argv, opts as ExecOptions, cmd));
}

export function exec(command: string, options?: ExecOptions | null): ExecPromise {
  if (typeof command !== 'string') throw new ERR_INVALID_ARG_TYPE('command', 'string', command);
  const opts = { ...(options ?? {}) } as ExecOptions;
  opts.shell = typeof opts.shell === 'string' ? opts.shell : true;
  return rejecting(command, () => runExec(command, [], opts, command));
}
