// open(pid): a handle on any existing process through a pidfd (pidfd_open, Linux 5.3), whoever its
// parent is. Signals through it can never reach a process that later reuses the PID. Its exit
// comes from the pidfd turning readable; its status only where the kernel gives it to
// non-parents (PIDFD_INFO_EXIT, 6.15+) once the parent has reaped it, else { code: null, signal: null }.
// The process is one more ProcessHandle (lib/core/process_handle.ts), adopted in its 'watched'
// state: the same machine as a child whose helper died.
import { EventEmitter } from 'eventemitter3';

import { errnoException, signalNumber, uvErrno } from '../core/errno';
import { loadNative } from '../core/native';
import { ProcessHandle } from '../core/process_handle';
import { getSession } from '../core/session';
import { AbortError, ERR_UNKNOWN_SIGNAL, validateInt32 } from './errors';

const UV_ESRCH = uvErrno('ESRCH');

export interface ProcessExit {
  /** The exit code, or null after a signal or when the kernel does not tell (both null then). */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessDescriptorEvents {
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

export class ProcessDescriptor extends EventEmitter<ProcessDescriptorEvents> {
  readonly pid: number;
  /** Resolves when the process has exited; rejects with an AbortError if close() comes first. */
  readonly exited: Promise<ProcessExit>;
  readonly #handle: ProcessHandle;

  /** Use open(pid). */
  constructor(handle: ProcessHandle) {
    super();
    this.#handle = handle;
    this.pid = handle.pid!;
    let reject!: (err: Error) => void;
    this.exited = new Promise((resolve, rej) => {
      reject = rej;
      handle.onexit = (code, signal) => {
        const exit: ProcessExit = { code, signal: (signal || null) as NodeJS.Signals | null };
        handle.close();
        resolve(exit);
        this.emit('exit', exit.code, exit.signal);
      };
    });
    this.#reject = reject;
    // Nobody has to await it: an unobserved close() must not become an unhandled rejection.
    this.exited.catch(() => {});
  }

  readonly #reject: (err: Error) => void;

  /** The pidfd, while the process can still be addressed; -1 after exit or close(). */
  get fd(): number {
    return this.#handle.fd;
  }

  /** Signals the process through its pidfd: true if sent, false once it has exited. Throws as
   * process.kill does on other errors (EPERM). */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    const signo = signal === 0 ? 0 : signalNumber(signal);
    if (signo === undefined) throw new ERR_UNKNOWN_SIGNAL(signal);
    const err = this.#handle.kill(signo);
    if (err === UV_ESRCH) return false;
    if (err !== 0) throw errnoException(err, 'kill');
    return true;
  }

  /** Whether waiting for the exit keeps the event loop alive (it does by default). */
  ref(): this {
    this.#handle.ref();
    return this;
  }

  unref(): this {
    this.#handle.unref();
    return this;
  }

  /** Stops watching and closes the pidfd; exited rejects if the process had not exited yet. */
  close(): void {
    if (this.#handle.state === 'closed') return;
    this.#handle.close();
    this.#reject(new AbortError('The process descriptor was closed before the process exited'));
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** A handle on the process `pid`, which need not be ours. Throws `pidfd_open ESRCH` if there is none. */
export function open(pid: number): ProcessDescriptor {
  validateInt32(pid, 'pid', 1);
  const session = getSession();
  if (!session) throw new Error(`procdesc: the native addon is unavailable (${loadNative().error?.message})`);
  const pidfd = session.binding.pidfdOpen(pid);
  if (pidfd < 0) throw errnoException(pidfd, 'pidfd_open');
  return new ProcessDescriptor(ProcessHandle.adopt(session, pid, pidfd));
}
