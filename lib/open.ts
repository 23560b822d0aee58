// open(pid): a handle on any existing process through a pidfd (pidfd_open, Linux 5.3), whoever its
// parent is. Signals through it can never reach a process that later reuses the PID. Its exit
// comes from the pidfd turning readable; its status only where the kernel gives it to
// non-parents (PIDFD_INFO_EXIT, 6.15+) once the parent has reaped it, else { code: null, signal: null }.
//
//   open --pidfd readable, status known or given up--> exited --\
//     \---------------------------------close()-----------------> closed
//
// The pidfd is closed as soon as nothing can use it: at exit, or on close().
import { EventEmitter } from 'eventemitter3';

import { AbortError, errnoException } from './errors';
import { awaitExitStatus, decodeWaitStatus } from './exit_status';
import { loadNative } from './native';
import { signalName } from './process_handle';
import { getSession, type ExitRecord, type Session, type SessionMember } from './session';
import { convertToValidSignal, validateInt32 } from './validators';
import { constants as osConstants } from 'node:os';

const UV_ESRCH = -(osConstants.errno.ESRCH as number);

export interface ProcessExit {
  /** The exit code, or null after a signal or when the kernel does not tell (both null then). */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessDescriptorEvents {
  exit: [code: number | null, signal: NodeJS.Signals | null];
}

export class ProcessDescriptor extends EventEmitter<ProcessDescriptorEvents> implements SessionMember {
  readonly pid: number;
  /** Resolves when the process has exited; rejects with an AbortError if close() comes first. */
  readonly exited: Promise<ProcessExit>;
  #state: 'open' | 'exited' | 'closed' = 'open';
  #pidfd: number;
  #referenced = true;
  #fired = false; // the pidfd has turned readable: the process has exited
  readonly #session: Session;
  #settle!: { resolve(exit: ProcessExit): void; reject(err: Error): void };

  /** Use open(pid). */
  constructor(session: Session, pid: number, pidfd: number) {
    super();
    this.#session = session;
    this.pid = pid;
    this.#pidfd = pidfd;
    this.exited = new Promise((resolve, reject) => { this.#settle = { resolve, reject }; });
    // Nobody has to await it: an unobserved close() must not become an unhandled rejection.
    this.exited.catch(() => {});
    session.watch(pidfd, this, true);
  }

  /** The pidfd, while the process can still be addressed; -1 after exit or close(). */
  get fd(): number {
    return this.#pidfd;
  }

  /** Signals the process through its pidfd: true if sent, false once it has exited. Throws as
   * process.kill does on other errors (EPERM). */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    const signo = signal === 0 ? 0 : convertToValidSignal(signal);
    if (this.#state !== 'open') return false;
    const err = this.#session.binding.kill(this.#pidfd, signo);
    if (err === UV_ESRCH) return false;
    if (err !== 0) throw errnoException(err, 'kill');
    return true;
  }

  /** Whether waiting for the exit keeps the event loop alive (it does by default). */
  ref(): this {
    this.#setRef(true);
    return this;
  }

  unref(): this {
    this.#setRef(false);
    return this;
  }

  /** Stops watching and closes the pidfd; exited rejects if the process had not exited yet. */
  close(): void {
    if (this.#state !== 'open') return;
    this.#state = 'closed';
    this.#release();
    this.#settle.reject(new AbortError('The process descriptor was closed before the process exited'));
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #setRef(ref: boolean): void {
    if (this.#referenced === ref) return;
    this.#referenced = ref;
    // Once the pidfd has fired, the retries read #referenced themselves.
    if (this.#state !== 'open' || this.#fired) return;
    this.#session.unwatch(this.#pidfd);
    this.#session.watch(this.#pidfd, this, ref);
  }

  pidfdReadable(): void {
    if (this.#fired) return;
    this.#fired = true;
    const wait = { active: () => this.#state === 'open', referenced: () => this.#referenced };
    awaitExitStatus(this.#session.binding, this.#pidfd, wait, (status) => {
      const { code, signal } = decodeWaitStatus(status);
      this.#state = 'exited';
      this.#release();
      const exit: ProcessExit = { code, signal: signal ? signalName(signal) as NodeJS.Signals : null };
      this.#settle.resolve(exit);
      this.emit('exit', exit.code, exit.signal);
    });
  }

  // Not a helper's child: nothing comes from the helper for it.
  deliverExit(_record: ExitRecord): void {}
  helperLost(_errno: number): void {}

  #release(): void {
    this.#session.unwatch(this.#pidfd);
    this.#session.binding.close(this.#pidfd);
    this.#pidfd = -1;
  }
}

/** A handle on the process `pid`, which need not be ours. Throws `pidfd_open ESRCH` if there is none. */
export function open(pid: number): ProcessDescriptor {
  validateInt32(pid, 'pid', 1);
  const session = getSession();
  if (!session) throw new Error(`procdesc: the native addon is unavailable (${loadNative().error?.message})`);
  const pidfd = session.binding.pidfdOpen(pid);
  if (pidfd < 0) throw errnoException(pidfd, 'pidfd_open');
  return new ProcessDescriptor(session, pid, pidfd);
}
