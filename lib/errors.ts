// Error objects indistinguishable from the ones node:child_process throws
// (class, code, message, own-property layout, toString() and stack header).
// The messages are re-implemented from Node 20's lib/internal/errors.js.

import { format, getSystemErrorName, inspect } from 'node:util';

export interface NodeError extends Error {
  code: string;
}

export type NodeErrorConstructor<A extends unknown[]> = new (...args: A) => NodeError;

// Node prints `Name [CODE]: message` as the stack header only for errors that
// carry its private `kIsNodeError` brand (checked by its prepareStackTrace,
// also under --enable-source-maps). The symbol is not exported, so borrow it
// from a genuine Node error: our errors then format exactly like Node's.
const kIsNodeError: symbol | undefined = findNodeErrorBrand();

function findNodeErrorBrand(): symbol | undefined {
  let probe: unknown;
  try {
    getSystemErrorName(0); // throws ERR_OUT_OF_RANGE
  } catch (err) {
    probe = err;
  }
  for (let proto = Object.getPrototypeOf(probe); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const brand = Object.getOwnPropertySymbols(proto).find((sym) => sym.description === 'kIsNodeError');
    if (brand !== undefined) return brand;
  }
  return undefined;
}

/**
 * Builds an error class for `code`. A string `message` is a util.format
 * template (Node passes it to the base constructor, so `message` precedes
 * `code` among own keys); a function computes the message after `code` is set.
 */
function makeNodeError<A extends unknown[]>(
  code: string,
  Base: ErrorConstructor,
  message: string | ((...args: A) => string),
): NodeErrorConstructor<A> {
  class NodeError extends Base {
    declare code: string;

    constructor(...args: A) {
      if (typeof message === 'string') {
        super(args.length === 0 ? message : format(message, ...args));
        this.code = code;
      } else {
        super();
        this.code = code;
        Object.defineProperty(this, 'message', {
          value: message(...args),
          enumerable: false,
          writable: true,
          configurable: true,
        });
      }
    }

    toString(): string {
      return `${this.name} [${code}]: ${this.message}`;
    }
  }
  // Like Node, report the builtin base as `constructor` (util.inspect and
  // `err.constructor === TypeError` rely on it).
  Object.defineProperty(NodeError.prototype, 'constructor', { get: () => Base, configurable: true });
  if (kIsNodeError !== undefined) {
    Object.defineProperty(NodeError.prototype, kIsNodeError, { get: () => true, configurable: true });
  }
  return NodeError;
}

/**
 * Wraps a validator so that errors it throws get their stack captured at the
 * caller, hiding the validator's own frames (as Node's hideStackFrames does).
 */
export function hideStackFrames<F extends (...args: any[]) => any>(fn: F): F {
  function wrapped(this: unknown, ...args: Parameters<F>): ReturnType<F> {
    try {
      return Reflect.apply(fn, this, args);
    } catch (err) {
      if (Error.stackTraceLimit) Error.captureStackTrace(err as object, wrapped);
      throw err;
    }
  }
  return wrapped as F;
}

// Type names ERR_INVALID_ARG_TYPE prints as `of type x` (lower-cased).
const kTypes = ['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol'];
const classRegExp = /^[A-Z][a-zA-Z0-9]*$/;

/** 'a', 'a or b', 'a, b, or c' (Node avoids Intl.ListFormat). */
function formatList(items: readonly string[], conjunction = 'and'): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} ${conjunction} ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, ${conjunction} ${items[items.length - 1]}`;
}

/** The `Received ...` description of a mismatched value. */
function determineSpecificType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'bigint':
      return `type bigint (${value}n)`;
    case 'number':
      return `type number (${Object.is(value, -0) ? '-0' : String(value)})`;
    case 'boolean':
      return `type boolean (${value})`;
    case 'symbol':
      return `type symbol (${String(value)})`;
    case 'function':
      return `function ${value.name}`;
    case 'string': {
      const text = value.length > 28 ? `${value.slice(0, 25)}...` : value;
      return text.includes("'") ? `type string (${JSON.stringify(text)})` : `type string ('${text}')`;
    }
    default: { // object
      const ctor = (value as { constructor?: unknown }).constructor;
      if (ctor && 'name' in (ctor as object)) {
        return `an instance of ${(ctor as { name: unknown }).name}`;
      }
      return inspect(value, { depth: -1 });
    }
  }
}

/** Inserts `_` every three digits of an integer string: 1_000_000. */
function addNumericalSeparator(digits: string): string {
  const start = digits[0] === '-' ? 1 : 0;
  let i = digits.length;
  let grouped = '';
  for (; i >= start + 4; i -= 3) grouped = `_${digits.slice(i - 3, i)}${grouped}`;
  return `${digits.slice(0, i)}${grouped}`;
}

function argumentKind(name: string): string {
  return name.includes('.') ? 'property' : 'argument';
}

function invalidArgTypeMessage(name: string, expected: string | readonly string[], actual: unknown): string {
  const subject = name.endsWith(' argument') ? name : `"${name}" ${argumentKind(name)}`;
  const types: string[] = [];
  const instances: string[] = [];
  const other: string[] = [];
  for (const value of typeof expected === 'string' ? [expected] : expected) {
    if (kTypes.includes(value)) types.push(value.toLowerCase());
    else if (classRegExp.test(value)) instances.push(value);
    else other.push(value);
  }
  // With class names present, a plain `object` is listed as `Object` among them.
  if (instances.length > 0) {
    const pos = types.indexOf('object');
    if (pos !== -1) {
      types.splice(pos, 1);
      instances.push('Object');
    }
  }
  const parts: string[] = [];
  if (types.length > 0) parts.push(`${types.length > 1 ? 'one of type' : 'of type'} ${formatList(types, 'or')}`);
  if (instances.length > 0) parts.push(`an instance of ${formatList(instances, 'or')}`);
  if (other.length > 1) parts.push(`one of ${formatList(other, 'or')}`);
  else if (other.length === 1) parts.push(`${other[0].toLowerCase() !== other[0] ? 'an ' : ''}${other[0]}`);
  return `The ${subject} must be ${parts.join(' or ')}. Received ${determineSpecificType(actual)}`;
}

function outOfRangeMessage(name: string, range: string, received: unknown): string {
  let shown: string;
  if (typeof received === 'number' && Number.isInteger(received) && Math.abs(received) > 2 ** 32) {
    shown = addNumericalSeparator(String(received));
  } else if (typeof received === 'bigint') {
    shown = String(received);
    if (received > 2n ** 32n || received < -(2n ** 32n)) shown = addNumericalSeparator(shown);
    shown += 'n';
  } else {
    shown = inspect(received);
  }
  return `The value of "${name}" is out of range. It must be ${range}. Received ${shown}`;
}

function invalidArgValueMessage(name: string, value: unknown, reason = 'is invalid'): string {
  let inspected = inspect(value);
  if (inspected.length > 128) inspected = `${inspected.slice(0, 128)}...`;
  return `The ${argumentKind(name)} '${name}' ${reason}. Received ${inspected}`;
}

function invalidUrlSchemeMessage(expected: string | readonly [string] | readonly [string, string]): string {
  const schemes = typeof expected === 'string' ? [expected] : expected;
  const res = schemes.length === 2 ? `one of scheme ${schemes[0]} or ${schemes[1]}` : `of scheme ${schemes[0]}`;
  return `The URL must be ${res}`;
}

function missingArgsMessage(...names: Array<string | readonly string[]>): string {
  const wrapped = names.map((n) => (typeof n === 'string' ? `"${n}"` : n.map((a) => `"${a}"`).join(' or ')));
  return `The ${formatList(wrapped)} argument${names.length > 1 ? 's' : ''} must be specified`;
}

export const ERR_CHILD_PROCESS_IPC_REQUIRED = makeNodeError<[name: string]>(
  'ERR_CHILD_PROCESS_IPC_REQUIRED', Error,
  "Forked processes must have an IPC channel, missing value 'ipc' in %s");
export const ERR_CHILD_PROCESS_STDIO_MAXBUFFER = makeNodeError<[name: string]>(
  'ERR_CHILD_PROCESS_STDIO_MAXBUFFER', RangeError, '%s maxBuffer length exceeded');
export const ERR_INVALID_ARG_TYPE = makeNodeError('ERR_INVALID_ARG_TYPE', TypeError, invalidArgTypeMessage);
export const ERR_INVALID_ARG_VALUE = makeNodeError('ERR_INVALID_ARG_VALUE', TypeError, invalidArgValueMessage);
export const ERR_INVALID_FILE_URL_HOST = makeNodeError<[platform: string]>(
  'ERR_INVALID_FILE_URL_HOST', TypeError, 'File URL host must be "localhost" or empty on %s');
export const ERR_INVALID_FILE_URL_PATH = makeNodeError<[msg: string]>(
  'ERR_INVALID_FILE_URL_PATH', TypeError, 'File URL path %s');
export const ERR_INVALID_HANDLE_TYPE = makeNodeError<[]>(
  'ERR_INVALID_HANDLE_TYPE', TypeError, 'This handle type cannot be sent');
export const ERR_INVALID_SYNC_FORK_INPUT = makeNodeError<[value: string]>(
  'ERR_INVALID_SYNC_FORK_INPUT', TypeError,
  'Asynchronous forks do not support Buffer, TypedArray, DataView or string input: %s');
export const ERR_INVALID_URL_SCHEME = makeNodeError('ERR_INVALID_URL_SCHEME', TypeError, invalidUrlSchemeMessage);
export const ERR_IPC_CHANNEL_CLOSED = makeNodeError<[]>('ERR_IPC_CHANNEL_CLOSED', Error, 'Channel closed');
export const ERR_IPC_DISCONNECTED = makeNodeError<[]>(
  'ERR_IPC_DISCONNECTED', Error, 'IPC channel is already disconnected');
export const ERR_IPC_ONE_PIPE = makeNodeError<[]>('ERR_IPC_ONE_PIPE', Error, 'Child process can have only one IPC pipe');
export const ERR_IPC_SYNC_FORK = makeNodeError<[]>('ERR_IPC_SYNC_FORK', Error, 'IPC cannot be used with synchronous forks');
export const ERR_MISSING_ARGS = makeNodeError('ERR_MISSING_ARGS', TypeError, missingArgsMessage);
export const ERR_OUT_OF_RANGE = makeNodeError('ERR_OUT_OF_RANGE', RangeError, outOfRangeMessage);
export const ERR_UNKNOWN_SIGNAL = makeNodeError<[signal: unknown]>('ERR_UNKNOWN_SIGNAL', TypeError, 'Unknown signal: %s');

/** Node's ErrnoException: a plain Error reporting itself as `Error`. */
class ErrnoException extends Error {
  declare errno: number;
  declare code: string;
  declare syscall: string;

  constructor(errno: number, syscall: string, original?: string) {
    const code = getSystemErrorName(errno);
    super(original ? `${syscall} ${code} ${original}` : `${syscall} ${code}`);
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
  }
}
Object.defineProperty(ErrnoException.prototype, 'constructor', { get: () => Error, configurable: true });

export type ErrnoError = NodeJS.ErrnoException & { errno: number; code: string; syscall: string };

/** `${syscall} ${code}` error for a negative libuv errno, e.g. `spawn ls ENOENT`. */
export function errnoException(errno: number, syscall: string, original?: string): ErrnoError {
  return new ErrnoException(errno, syscall, original);
}

/** Node's AbortError (a regular Error with code ABORT_ERR, not a DOMException). */
export class AbortError extends Error {
  declare code: 'ABORT_ERR';

  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    if (options !== undefined && typeof options !== 'object') {
      throw new ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    super(message, options);
    this.code = 'ABORT_ERR';
    this.name = 'AbortError';
  }
}
