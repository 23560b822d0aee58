// exec() and execFile(): Node's buffering, maxBuffer, timeout and error logic (child_process.js),
// over a spawn() given by the caller (procdesc's, or Node's on the fallback path).
import { promisify } from 'node:util';
import { getSystemErrorName } from 'node:util';

import type { ChildProcess } from 'node:child_process';
import { ERR_CHILD_PROCESS_STDIO_MAXBUFFER } from './errors';
import {
  sanitizeKillSignal, validateArgumentNullCheck, validateFunction, validateMaxBuffer, validateObject,
  validateString, validateTimeout,
} from './validators';

export const MAX_BUFFER = 1024 * 1024;

type SpawnFn = (file: string, args: string[], options: object) => ChildProcess;
export type ExecCallback = (error: Error | null, stdout: string | Buffer, stderr: string | Buffer) => void;

/** Node's genericNodeError: an Error with the given properties. */
export function genericNodeError(message: string, properties: object): Error {
  return Object.assign(new Error(message), properties);
}

export function normalizeExecArgs(command: unknown, options: any, callback: any) {
  validateString(command, 'command');
  validateArgumentNullCheck(command, 'command');
  if (typeof options === 'function') {
    callback = options;
    options = undefined;
  }
  options = { __proto__: null, ...options };
  options.shell = typeof options.shell === 'string' ? options.shell : true;
  return { file: command, options, callback };
}

export function normalizeExecFileArgs(file: any, args: any, options: any, callback?: any) {
  if (Array.isArray(args)) {
    args = args.slice();
  } else if (args != null && typeof args === 'object') {
    callback = options;
    options = args;
    args = null;
  } else if (typeof args === 'function') {
    callback = args;
    options = null;
    args = null;
  }
  if (args == null) args = [];
  if (typeof options === 'function') callback = options;
  else if (options != null) validateObject(options, 'options');
  if (options == null) options = {};
  if (callback != null) validateFunction(callback, 'callback');
  if (options.argv0 != null) {
    validateString(options.argv0, 'options.argv0');
    validateArgumentNullCheck(options.argv0, 'options.argv0');
  }
  return { file, args: args as string[], options, callback: callback as ExecCallback | undefined };
}

/** util.promisify(exec/execFile) as Node defines it: { stdout, stderr }, with .child. */
function definePromisified(fn: (...args: any[]) => ChildProcess): void {
  Object.defineProperty(fn, promisify.custom, {
    enumerable: false,
    value: (...args: unknown[]) => {
      let resolve!: (value: unknown) => void, reject!: (reason: unknown) => void;
      const promise = new Promise((res, rej) => { resolve = res; reject = rej; }) as
        Promise<unknown> & { child?: ChildProcess };
      // Called outside the executor: invalid arguments throw synchronously, as in Node.
      promise.child = fn(...args, (err: any, stdout: unknown, stderr: unknown) => {
        if (err !== null) {
          err.stdout = stdout;
          err.stderr = stderr;
          reject(err);
        } else {
          resolve({ stdout, stderr });
        }
      });
      return promise;
    },
  });
}

export function makeExecFile(spawn: SpawnFn) {
  function execFile(file: string, args?: any, options?: any, cb?: any): ChildProcess {
    const normalized = normalizeExecFileArgs(file, args, options, cb);
    const callback = normalized.callback;
    const argv = normalized.args;
    const opts = {
      __proto__: null, encoding: 'utf8', timeout: 0, maxBuffer: MAX_BUFFER, killSignal: 'SIGTERM',
      cwd: null, env: null, shell: false, ...normalized.options,
    };
    validateTimeout(opts.timeout);
    validateMaxBuffer(opts.maxBuffer);
    opts.killSignal = sanitizeKillSignal(opts.killSignal);

    const child = spawn(normalized.file, argv, {
      cwd: opts.cwd, env: opts.env, gid: opts.gid, shell: opts.shell, signal: opts.signal, uid: opts.uid,
      windowsHide: !!opts.windowsHide, windowsVerbatimArguments: !!opts.windowsVerbatimArguments,
    });

    const encoding: BufferEncoding | null =
      opts.encoding !== 'buffer' && Buffer.isEncoding(opts.encoding) ? opts.encoding : null;
    const chunks: { stdout: any[]; stderr: any[] } = { stdout: [], stderr: [] };
    const lengths = { stdout: 0, stderr: 0 };
    let killed = false;
    let exited = false;
    let timeoutId: NodeJS.Timeout | null = null;
    let ex: any = null;
    let cmd: string = normalized.file;

    function merge(name: 'stdout' | 'stderr'): string | Buffer {
      return encoding || child[name]?.readableEncoding ? chunks[name].join('') : Buffer.concat(chunks[name]);
    }

    function exithandler(code?: number | null, signal?: string | null): void {
      if (exited) return;
      exited = true;
      if (timeoutId) {
        clearTimeout(timeoutId);
        timeoutId = null;
      }
      if (!callback) return;
      const stdout = merge('stdout');
      const stderr = merge('stderr');
      if (!ex && code === 0 && signal === null) {
        callback(null, stdout, stderr);
        return;
      }
      if (argv?.length) cmd += ` ${argv.join(' ')}`;
      if (!ex) {
        ex = genericNodeError(`Command failed: ${cmd}\n${stderr}`, {
          code: (code as number) < 0 ? getSystemErrorName(code as number) : code,
          killed: child.killed || killed,
          signal,
        });
      }
      ex.cmd = cmd;
      callback(ex, stdout, stderr);
    }

    function errorhandler(e: Error): void {
      ex = e;
      child.stdout?.destroy();
      child.stderr?.destroy();
      exithandler();
    }

    function kill(): void {
      child.stdout?.destroy();
      child.stderr?.destroy();
      killed = true;
      try {
        child.kill(opts.killSignal);
      } catch (e) {
        ex = e;
        exithandler();
      }
    }

    if (opts.timeout > 0) {
      timeoutId = setTimeout(() => {
        kill();
        timeoutId = null;
      }, opts.timeout);
    }

    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name];
      if (!stream) continue;
      if (encoding) stream.setEncoding(encoding);
      stream.on('data', (chunk: string | Buffer) => {
        if (opts.maxBuffer === Infinity) {
          chunks[name].push(chunk);
          return;
        }
        const enc = stream.readableEncoding;
        const length = enc ? Buffer.byteLength(chunk as string, enc) : chunk.length;
        lengths[name] += length;
        if (lengths[name] > opts.maxBuffer) {
          const truncatedLen = opts.maxBuffer - (lengths[name] - length);
          chunks[name].push(chunk.slice(0, truncatedLen));
          ex = new ERR_CHILD_PROCESS_STDIO_MAXBUFFER(name);
          kill();
        } else {
          chunks[name].push(chunk);
        }
      });
    }

    child.addListener('close', exithandler);
    child.addListener('error', errorhandler);
    return child;
  }
  definePromisified(execFile);

  function exec(command: string, options?: any, callback?: any): ChildProcess {
    const opts = normalizeExecArgs(command, options, callback);
    return execFile(opts.file, opts.options, opts.callback);
  }
  definePromisified(exec);

  return { exec, execFile };
}
