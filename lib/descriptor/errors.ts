// The errors of the descriptor API's own arguments (forceKillAfterDelay, killOnClose, signals,
// open()'s pid, run()'s input): Node's codes and classes, and messages in Node's style. The
// drop-in never uses these: its errors are the running Node's own.
import { inspect } from 'node:util';

export interface NodeError extends Error {
  code: string;
}

function makeError<A extends unknown[]>(code: string, Base: ErrorConstructor, message: (...args: A) => string) {
  const NodeStyleError = class extends Base implements NodeError {
    code = code;
    constructor(...args: A) {
      super(message(...args));
    }

    override toString(): string {
      return `${this.name} [${code}]: ${this.message}`;
    }
  };
  // Node's own report their base class (TypeError...) as their constructor.
  Object.defineProperty(NodeStyleError.prototype, 'constructor', { value: Base, configurable: true, writable: true });
  return NodeStyleError;
}

/** How Node describes a value it did not expect (`Received type number (1)`). */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `function ${value.name}`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return name ? `an instance of ${name}` : inspect(value, { depth: -1 });
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof value} (${shown})`;
}

function subject(name: string): string {
  return `"${name}" ${name.includes('.') ? 'property' : 'argument'}`;
}

export const ERR_INVALID_ARG_TYPE = makeError('ERR_INVALID_ARG_TYPE', TypeError,
  (name: string, expected: string | readonly string[], actual: unknown) => {
    const list = typeof expected === 'string' ? [expected] : expected;
    const types = list.length > 1 ? `one of type ${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : `of type ${list[0]}`;
    return `The ${subject(name)} must be ${types}. Received ${describeValue(actual)}`;
  });

export const ERR_INVALID_ARG_VALUE = makeError('ERR_INVALID_ARG_VALUE', TypeError,
  (name: string, value: unknown, reason = 'is invalid') => {
    let shown = inspect(value);
    if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
    return `The ${name.includes('.') ? 'property' : 'argument'} '${name}' ${reason}. Received ${shown}`;
  });

export const ERR_OUT_OF_RANGE = makeError('ERR_OUT_OF_RANGE', RangeError,
  (name: string, range: string, received: unknown) =>
    `The value of "${name}" is out of range. It must be ${range}. Received ${inspect(received)}`);

export const ERR_UNKNOWN_SIGNAL = makeError('ERR_UNKNOWN_SIGNAL', TypeError,
  (signal: unknown) => `Unknown signal: ${String(signal)}`);

export const ERR_INVALID_STATE = makeError('ERR_INVALID_STATE', Error,
  (what: string) => `Invalid state: ${what}`);

export const ERR_CHILD_PROCESS_STDIO_MAXBUFFER = makeError('ERR_CHILD_PROCESS_STDIO_MAXBUFFER', RangeError,
  (name: string) => `${name} maxBuffer length exceeded`);

/** Node's AbortError (a regular Error with code ABORT_ERR, not a DOMException). */
export class AbortError extends Error {
  code = 'ABORT_ERR';

  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** An integer in [min, max], as Node's validateInt32. */
export function validateInt32(value: unknown, name: string, min = -2147483648, max = 2147483647): asserts value is number {
  if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE(name, 'number', value);
  if (!Number.isInteger(value)) throw new ERR_OUT_OF_RANGE(name, 'an integer', value);
  if (value < min || value > max) throw new ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
}

/** Bytes, as Node validates maxBuffer: a number >= 0 (Infinity allowed). */
export function validateMaxBuffer(value: unknown): void {
  if (value != null && !(typeof value === 'number' && value >= 0)) {
    throw new ERR_OUT_OF_RANGE('options.maxBuffer', 'a positive number', value);
  }
}
