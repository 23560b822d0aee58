// One process, as the host sees it: the explicit state machine behind every child the helper makes
// for us and every process opened by PID. It has the interface of libuv's Process wrap (spawn, pid,
// kill, ref, unref, close, onexit), so that it can stand in for it behind Node's ChildProcess
// (lib/node/node_handle.ts).
//
//   new --spawn ok--> running --exit record from the helper--------------------> exited
//    |                   |                                                        ^
//    |                   +--the helper died--> watched --pidfd readable, status---+
//    +--adopt (open(pid))-------------------->    ^
//   every state --close()--> closed (a failed spawn goes new -> closed)
//
// 'running': the helper is its parent and will send its exit record. 'watched': nothing will come
// from a helper (its helper died, or it is not a child of ours at all): the pidfd turns readable at
// exit, and PIDFD_INFO_EXIT (Linux 6.15+) gives the status once its parent has reaped it; where
// the host itself became its parent (PID 1, subreaper), we reap it (exit_status.ts). On older
// kernels the status is unknown otherwise: onexit(null, '').
//
// Signals go through the pidfd and only before 'exited': once the helper has reaped the child its
// PID may be reused, and kill() is a no-op (as Rust's Process::send_signal after reap). The pidfd
// is closed as soon as nothing can use it any more: at exit or close.
import { AsyncResource } from 'node:async_hooks';

import { signalName, uvErrno } from './errno';
import { awaitExitStatus, decodeWaitStatus } from './exit_status';
import { buildRequest, type SpawnRequest } from './request';
import type { ExitRecord, Session, SessionMember } from './session';

export type ProcessState = 'new' | 'running' | 'watched' | 'exited' | 'closed';

const transitions: Readonly<Record<ProcessState, readonly ProcessState[]>> = {
  new: ['running', 'watched', 'closed'],
  running: ['watched', 'exited', 'closed'],
  watched: ['exited', 'closed'],
  exited: ['closed'],
  closed: [],
};


const UV_ESRCH = uvErrno('ESRCH');
// [pid, pidfd, generation] of the last spawn (a call fills it; JS reads it at once).
const spawnResult = new Int32Array(3);

export class ProcessHandle implements SessionMember {
  pid: number | undefined = undefined;
  /** exitCode < 0 is a spawn error (-errno), as Node's Process wrap; signalCode is '' or a name. */
  onexit: (exitCode: number | null, signalCode: string) => void = () => {};
  /** CPU time and peak RSS, once exited through the helper's record. */
  usage: ExitRecord | null = null;

  readonly session: Session;
  // Exits are delivered in the async context of the spawn() or open() call, like Node's PROCESSWRAP.
  readonly #asyncResource = new AsyncResource('PROCESSWRAP');
  #state: ProcessState = 'new';
  #pidfd = -1;
  #referenced = true;
  #adopted = false; // opened by PID: not a child of ours, so no zombie stage to pretend
  #fired = false; // watched, and its pidfd has turned readable: it has exited, the status is coming

  constructor(session: Session) {
    this.session = session;
  }

  /** A handle on an existing process (not a child of the helper), watched through its pidfd. */
  static adopt(session: Session, pid: number, pidfd: number): ProcessHandle {
    const handle = new ProcessHandle(session);
    handle.pid = pid;
    handle.#pidfd = pidfd;
    handle.#adopted = true;
    handle.#to('watched');
    handle.#watch();
    return handle;
  }

  get state(): ProcessState {
    return this.#state;
  }

  /** The pidfd while the process can still be addressed, else -1. */
  get fd(): number {
    return this.#pidfd;
  }

  /** 0, or -errno (the syscall is 'spawn' for all of them, as in Node). */
  spawn(request: SpawnRequest): number {
    if (this.#state !== 'new') throw new Error(`procdesc: a process handle spawns once (it is ${this.#state})`);
    const session = this.session;
    const id = session.newId();
    const err = session.native.spawn(...buildRequest(session.binding, id, request), spawnResult);
    if (err !== 0) return err;
    const [pid, pidfd, generation] = spawnResult;
    this.pid = pid;
    this.#pidfd = pidfd;
    this.#to('running');
    session.add(id, this, generation);
    if (this.#referenced) session.adjustRefs(1);
    return 0;
  }

  /** 0 or -errno; ESRCH once the process has exited. group: its whole process group. */
  kill(signal: number, group = false): number {
    if (this.#state !== 'running' && this.#state !== 'watched') return UV_ESRCH;
    const err = this.session.binding.kill(this.#pidfd, signal, group);
    // Exited but its exit not delivered yet: under Node the child is an unreaped zombie then and
    // kill() succeeds; ours is already reaped by the helper. The pidfd can name no other process,
    // so report what Node would.
    return err === UV_ESRCH && !this.#adopted ? 0 : err;
  }

  ref(): void {
    this.#setRef(true);
  }

  unref(): void {
    this.#setRef(false);
  }

  hasRef(): boolean {
    return this.#referenced && (this.#state === 'running' || this.#state === 'watched');
  }

  /** Forgets the process: no exit will be delivered after this. */
  close(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'running' || this.#state === 'watched') this.#release();
    this.#to('closed');
    this.#asyncResource.emitDestroy();
  }

  deliverExit(record: ExitRecord): void {
    if (this.#state !== 'running') return;
    const { code, signal } = decodeWaitStatus(record.status);
    this.#finish(code, signal, record);
  }

  /** The helper that made this child is gone (all it sent has been read): watch the pidfd instead. */
  helperLost(): void {
    if (this.#state !== 'running') return;
    // Its helper's event channel no longer keeps the loop alive for it: its watch does instead.
    if (this.#referenced) this.session.adjustRefs(-1);
    this.#to('watched');
    this.#watch();
  }

  /** The watched process has exited; its parent reaps it soon, then the kernel tells us the status. */
  pidfdReadable(): void {
    if (this.#state !== 'watched' || this.#fired) return;
    this.#fired = true;
    // A child of ours (not opened by PID) may have become the host's own (PID 1, subreaper): reap it.
    const wait = { active: () => this.#state === 'watched', referenced: () => this.#referenced, reap: !this.#adopted };
    awaitExitStatus(this.session.binding, this.#pidfd, wait, (status, usage) => {
      // Unknown (an old kernel, or never reaped): the exit comes with (null, ''), and no usage.
      const { code, signal } = decodeWaitStatus(status);
      this.#finish(code, signal, usage && status !== null ? { pid: this.pid ?? 0, status, ...usage } : null);
    });
  }

  #finish(code: number | null, signal: number, usage: ExitRecord | null): void {
    this.#release();
    this.#to('exited');
    this.usage = usage;
    this.#asyncResource.runInAsyncScope(this.onexit, null, code, signal ? signalName(signal) : '');
  }

  #to(next: ProcessState): void {
    if (!transitions[this.#state].includes(next)) {
      throw new Error(`procdesc: impossible process state change ${this.#state} -> ${next} (a bug)`);
    }
    this.#state = next;
  }

  #setRef(ref: boolean): void {
    if (this.#referenced === ref) return;
    this.#referenced = ref;
    if (this.#state === 'running') this.session.adjustRefs(ref ? 1 : -1);
    // Once the pidfd has fired, the status retries read #referenced themselves.
    if (this.#state === 'watched' && !this.#fired) this.#watch();
  }

  #watch(): void {
    this.session.unwatch(this.#pidfd);
    this.session.watch(this.#pidfd, this, this.#referenced);
  }

  #release(): void {
    if (this.#state === 'watched') this.session.unwatch(this.#pidfd);
    else if (this.#referenced) this.session.adjustRefs(-1);
    this.session.binding.close(this.#pidfd);
    this.#pidfd = -1;
  }
}
