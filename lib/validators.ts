// Argument validators with Node 20's exact semantics and errors: the generic
// ones from lib/internal/validators.js plus the child_process-specific checks
// (lib/child_process.js, internal/util convertToValidSignal, internal/fs/utils
// getValidatedPath).

import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';
import {
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_ARG_VALUE,
  ERR_OUT_OF_RANGE,
  ERR_UNKNOWN_SIGNAL,
  hideStackFrames,
} from './errors';

type Assert<T> = (value: unknown, name: string) => asserts value is T;

export function isInt32(value: unknown): value is number {
  return value === ((value as number) | 0);
}

export function isUint32(value: unknown): value is number {
  return value === ((value as number) >>> 0);
}

// The generic validators below hide their own stack frames, like Node's.

export const validateString: Assert<string> = hideStackFrames((value: unknown, name: string) => {
  if (typeof value !== 'string') throw new ERR_INVALID_ARG_TYPE(name, 'string', value);
});

export const validateBoolean: Assert<boolean> = hideStackFrames((value: unknown, name: string) => {
  if (typeof value !== 'boolean') throw new ERR_INVALID_ARG_TYPE(name, 'boolean', value);
});

export const validateFunction: Assert<(...args: any[]) => unknown> = hideStackFrames(
  (value: unknown, name: string) => {
    if (typeof value !== 'function') throw new ERR_INVALID_ARG_TYPE(name, 'Function', value);
  });

// validateObject option flags (bit set).
export const kValidateObjectNone = 0;
export const kValidateObjectAllowNullable = 1 << 0;
export const kValidateObjectAllowArray = 1 << 1;
export const kValidateObjectAllowFunction = 1 << 2;
export const kValidateObjectAllowObjects = kValidateObjectAllowArray | kValidateObjectAllowFunction;
export const kValidateObjectAllowObjectsAndNull = kValidateObjectAllowNullable | kValidateObjectAllowObjects;

/** Requires a non-null, non-array object unless `options` flags allow null/arrays/functions. */
export const validateObject: (value: unknown, name: string, options?: number) => void = hideStackFrames(
  (value: unknown, name: string, options = kValidateObjectNone) => {
    if ((value === null && !(options & kValidateObjectAllowNullable)) ||
        (Array.isArray(value) && !(options & kValidateObjectAllowArray)) ||
        (typeof value !== 'object' && !(typeof value === 'function' && options & kValidateObjectAllowFunction))) {
      throw new ERR_INVALID_ARG_TYPE(name, 'Object', value);
    }
  });

export const validateArray: (value: unknown, name: string, minLength?: number) => asserts value is unknown[] =
  hideStackFrames((value: unknown, name: string, minLength = 0) => {
    if (!Array.isArray(value)) throw new ERR_INVALID_ARG_TYPE(name, 'Array', value);
    if (value.length < minLength) throw new ERR_INVALID_ARG_VALUE(name, value, `must be longer than ${minLength}`);
  });

export const validateOneOf: <T>(value: unknown, name: string, oneOf: readonly T[]) => asserts value is T =
  hideStackFrames((value: unknown, name: string, oneOf: readonly unknown[]) => {
    if (!oneOf.includes(value)) {
      const allowed = oneOf.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
      throw new ERR_INVALID_ARG_VALUE(name, value, `must be one of: ${allowed}`);
    }
  });

type AssertInteger = (value: unknown, name: string, min?: number, max?: number) => asserts value is number;

function checkInteger(value: unknown, name: string, min: number, max: number): void {
  if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE(name, 'number', value);
  if (!Number.isInteger(value)) throw new ERR_OUT_OF_RANGE(name, 'an integer', value);
  if (value < min || value > max) throw new ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
}

export const validateInteger: AssertInteger = hideStackFrames(
  (value: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
    checkInteger(value, name, min, max));

export const validateInt32: AssertInteger = hideStackFrames(
  (value: unknown, name: string, min = -2147483648, max = 2147483647) => checkInteger(value, name, min, max));

export const validateUint32: (value: unknown, name: string, positive?: boolean) => asserts value is number =
  hideStackFrames((value: unknown, name: string, positive = false) =>
    checkInteger(value, name, positive ? 1 : 0, 4_294_967_295));

/** Accepts undefined or anything AbortSignal-like (an object with `aborted`). */
export const validateAbortSignal: Assert<AbortSignal | undefined> = hideStackFrames(
  (signal: unknown, name: string) => {
    if (signal !== undefined && (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
      throw new ERR_INVALID_ARG_TYPE(name, 'AbortSignal', signal);
    }
  });

// child_process's own checks; Node does not hide their frames.

export function validateArgumentNullCheck(arg: unknown, propName: string): void {
  if (typeof arg === 'string' && arg.includes('\u0000')) {
    throw new ERR_INVALID_ARG_VALUE(propName, arg, 'must be a string without null bytes');
  }
}

export function validateArgumentsNullCheck(args: ArrayLike<unknown>, propName: string): void {
  for (let i = 0; i < args.length; ++i) validateArgumentNullCheck(args[i], `${propName}[${i}]`);
}

export function validateTimeout(timeout: unknown): void {
  if (timeout != null && !(Number.isInteger(timeout) && (timeout as number) >= 0)) {
    throw new ERR_OUT_OF_RANGE('timeout', 'an unsigned integer', timeout);
  }
}

export function validateMaxBuffer(maxBuffer: unknown): void {
  if (maxBuffer != null && !(typeof maxBuffer === 'number' && maxBuffer >= 0)) {
    throw new ERR_OUT_OF_RANGE('options.maxBuffer', 'a positive number', maxBuffer);
  }
}

// os.constants.signals has a null prototype, so plain lookups are safe.
const signals = constants.signals as unknown as Readonly<Record<string, number | undefined>>;
const signalNumbers = new Set(Object.values(signals));

/** Signal name (any case) or number -> signal number; ERR_UNKNOWN_SIGNAL otherwise. */
export function convertToValidSignal(signal: unknown): number {
  if (typeof signal === 'number' && signalNumbers.has(signal)) return signal;
  if (typeof signal === 'string') {
    const signo = signals[signal.toUpperCase()];
    if (signo) return signo;
  }
  throw new ERR_UNKNOWN_SIGNAL(signal);
}

/** The `killSignal` option as a signal number, or undefined when not given. */
export function sanitizeKillSignal(killSignal: unknown): number | undefined {
  if (typeof killSignal === 'string' || typeof killSignal === 'number') return convertToValidSignal(killSignal);
  if (killSignal != null) {
    throw new ERR_INVALID_ARG_TYPE('options.killSignal', ['string', 'number'], killSignal);
  }
  return undefined;
}

// Node's duck-typed WHATWG URL check (legacy url.parse() objects have auth/path).
function isURL(value: unknown): value is URL {
  const url = value as { href?: unknown; protocol?: unknown; auth?: unknown; path?: unknown } | null | undefined;
  return Boolean(url?.href && url.protocol && url.auth === undefined && url.path === undefined);
}

function validatePath(path: unknown, propName: string): asserts path is string | Uint8Array {
  if (typeof path === 'string') {
    if (!path.includes('\u0000')) return;
  } else if (types.isUint8Array(path)) {
    if (!path.includes(0)) return;
  } else {
    throw new ERR_INVALID_ARG_TYPE(propName, ['string', 'Buffer', 'URL'], path);
  }
  throw new ERR_INVALID_ARG_VALUE(propName, path, 'must be a string, Uint8Array, or URL without null bytes');
}

/**
 * A string/Buffer path, or a file: URL converted with url.fileURLToPath
 * (whose errors for other schemes, hosts and encoded slashes are Node's own).
 */
export const getValidatedPath: (fileURLOrPath: unknown, propName?: string) => string | Uint8Array = hideStackFrames(
  (fileURLOrPath: unknown, propName = 'path') => {
    const path = isURL(fileURLOrPath) ? fileURLToPath(fileURLOrPath) : fileURLOrPath;
    validatePath(path, propName);
    return path;
  });
