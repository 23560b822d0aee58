// fork(): Node's argument handling (child_process.js), over our spawn() (whose children are Node's
// ChildProcess class, IPC channel included).
import type { ChildProcess as NodeChildProcess } from 'node:child_process';

import { ERR_CHILD_PROCESS_IPC_REQUIRED } from './errors';
import { spawn } from './spawn';
import { stdioStringToArray } from './stdio';
import {
  getValidatedPath, validateArgumentNullCheck, validateArgumentsNullCheck, validateArray, validateObject,
} from './validators';

export function fork(modulePath: unknown, args: unknown = [], options?: unknown): NodeChildProcess {
  // A Buffer path stays one in the arguments (and so in spawnargs), as in Node.
  const path = getValidatedPath(modulePath, 'modulePath');

  let argv: unknown[];
  if (args == null) {
    argv = [];
  } else if (typeof args === 'object' && !Array.isArray(args)) {
    options = args;
    argv = [];
  } else {
    validateArray(args, 'args');
    argv = args as unknown[];
  }
  if (options != null) validateObject(options, 'options');
  const opts: Record<string, any> = { __proto__: null, ...(options as object), shell: false };
  opts.execPath = opts.execPath || process.execPath;
  validateArgumentNullCheck(opts.execPath, 'options.execPath');

  let execArgv: string[] = opts.execArgv || process.execArgv;
  validateArgumentsNullCheck(execArgv, 'options.execArgv');
  const evalSource = (process as unknown as { _eval?: string })._eval;
  if (execArgv === process.execArgv && evalSource != null) {
    // Drop `-e <source>` so that the child does not fork us again.
    const index = execArgv.lastIndexOf(evalSource);
    if (index > 0) {
      execArgv = execArgv.slice();
      execArgv.splice(index - 1, 2);
    }
  }
  argv = [...execArgv, path, ...argv];

  if (typeof opts.stdio === 'string') {
    opts.stdio = stdioStringToArray(opts.stdio, 'ipc');
  } else if (!Array.isArray(opts.stdio)) {
    // fd 3 is the channel; 0-2 are the parent's unless silent.
    opts.stdio = stdioStringToArray(opts.silent ? 'pipe' : 'inherit', 'ipc');
  } else if (!opts.stdio.includes('ipc')) {
    throw new ERR_CHILD_PROCESS_IPC_REQUIRED('options.stdio');
  }
  return spawn(opts.execPath, argv, opts);
}
