// The two facts about system errors and signals that every layer needs, in Node's own shapes:
// errnoException() builds the error Node's ErrnoException makes from a libuv code
// (`spawn ls ENOENT`: a plain Error with errno, code, syscall), and signalName() names a signal
// number as Node reports a signal death ('SIGKILL' for 9).
import { constants as osConstants } from 'node:os';
import { getSystemErrorName } from 'node:util';

export type ErrnoError = NodeJS.ErrnoException & { errno: number; code: string; syscall: string };

/** Node's ErrnoException: an Error with `${syscall} ${code}` as its message. */
class ErrnoException extends Error {
  declare errno: number;
  declare code: string;
  declare syscall: string;

  constructor(errno: number, syscall: string) {
    const code = getSystemErrorName(errno);
    super(`${syscall} ${code}`);
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
  }
}
// Reports itself as a plain Error, as Node's does (util.inspect and `constructor` checks).
Object.defineProperty(ErrnoException.prototype, 'constructor', { get: () => Error, configurable: true });

/** `${syscall} ${code}` error for a negative libuv/kernel errno, e.g. `spawn ls ENOENT`. */
export function errnoException(errno: number, syscall: string): ErrnoError {
  return new ErrnoException(errno, syscall);
}

/** -errno for an errno name, as libuv reports errors on Linux ('ESRCH' -> -3). */
export function uvErrno(name: string): number {
  return -(osConstants.errno as Record<string, number>)[name];
}

const signalNames: string[] = [];
for (const [name, num] of Object.entries(osConstants.signals)) signalNames[num as number] ??= name;

/** 'SIGKILL' for 9, as Node names a signal death. */
export function signalName(signal: number): NodeJS.Signals {
  return (signalNames[signal] ?? `SIG${signal}`) as NodeJS.Signals;
}

/** A signal name (any case) or number, as a number; undefined if there is no such signal. */
export function signalNumber(signal: unknown): number | undefined {
  const signals = osConstants.signals as unknown as Readonly<Record<string, number | undefined>>;
  if (typeof signal === 'number') return signalNames[signal] !== undefined ? signal : undefined;
  if (typeof signal === 'string') return signals[signal.toUpperCase()] || undefined;
  return undefined;
}
