// One child, as the host sees it: the explicit state machine that stands in for libuv's Process
// wrap behind Node's ChildProcess (lib/node_child.ts), with its interface (spawn, pid, kill, ref,
// unref, close, onexit).
//
//   new --spawn ok--> running --exit record--> exited --close--> closed
//     \--spawn error--------------------------------------------/
//
// If the helper dies, a running child is 'orphaned': it lives on (re-parented), we can still
// signal it through the pidfd, and we learn of its exit from the pidfd itself (readable at exit;
// PIDFD_INFO_EXIT gives the status once the new parent has reaped it, Linux 6.15+). On an older
// kernel the status cannot be known: 'exit' comes with (null, null).
//
// Signals go through the pidfd and only while running: once the exit record has arrived the helper
// has reaped the child, its PID may be reused, and kill() is a no-op (as Rust's Process::send_signal
// after reap). The pidfd is closed as soon as nothing can use it any more: at exit or close.
import { AsyncResource } from 'node:async_hooks';
import { constants as osConstants } from 'node:os';

import { awaitExitStatus, decodeWaitStatus } from './exit_status';
import { nativeStrings, type NativeSpawnRequest } from './native';
import type { ExitRecord, Session, SessionMember } from './session';

export type ProcessState = 'new' | 'running' | 'orphaned' | 'exited' | 'closed';

/** A spawn request as the handle takes it: the session adds the id. */
export type HandleSpawnOptions = Omit<NativeSpawnRequest, 'id'>;

const UV_ESRCH = -(osConstants.errno.ESRCH as number);

const signalNames: string[] = [];
for (const [name, num] of Object.entries(osConstants.signals)) signalNames[num as number] ??= name;

/** 'SIGKILL' for 9, as Node names a signal death. */
export function signalName(signal: number): string {
  return signalNames[signal] ?? `SIG${signal}`;
}

export class ProcessHandle implements SessionMember {
  state: ProcessState = 'new';
  pid: number | undefined = undefined;
  /** exitCode < 0 is a spawn error (-errno), as Node's Process wrap. */
  onexit: (exitCode: number | null, signalCode?: string) => void = () => {};
  /** CPU time and peak RSS, once exited. */
  usage: ExitRecord | null = null;

  readonly session: Session;
  // Exits are delivered in the async context of the spawn() call, like Node's PROCESSWRAP.
  readonly #asyncResource = new AsyncResource('PROCESSWRAP');
  #pidfd = -1;
  #referenced = true;

  constructor(session: Session) {
    this.session = session;
  }

  /** 0, or -errno (the syscall is 'spawn' for all of them, as in Node). */
  spawn(options: HandleSpawnOptions): number {
    if (this.state !== 'new') throw new Error('procdesc: a process handle spawns once');
    const session = this.session;
    const id = session.newId();
    const result = session.native.spawn({ id, ...options, ...nativeStrings(options) });
    if (result[0] !== 0) return result[0];
    const [, pid, pidfd, generation] = result as [0, number, number, number];
    this.pid = pid;
    this.#pidfd = pidfd;
    this.state = 'running';
    session.add(id, this, generation);
    if (this.#referenced) session.adjustRefs(1);
    return 0;
  }

  /** 0 or -errno; ESRCH once the child has been reaped. group: its whole process group. */
  kill(signal: number, group = false): number {
    if (this.state !== 'running' && this.state !== 'orphaned') return UV_ESRCH;
    const err = this.session.binding.kill(this.#pidfd, signal, group);
    // Exited but its exit not delivered yet: under Node the child is an unreaped zombie then and
    // kill() succeeds; ours is already reaped by the helper. The pidfd can name no other process,
    // so report what Node would.
    return err === UV_ESRCH ? 0 : err;
  }

  /** The pidfd while the child can still be addressed, else -1. */
  get fd(): number {
    return this.#pidfd;
  }

  ref(): void {
    if (this.#referenced) return;
    this.#referenced = true;
    if (this.state === 'running') this.session.adjustRefs(1);
    if (this.state === 'orphaned') this.#watch();
  }

  unref(): void {
    if (!this.#referenced) return;
    this.#referenced = false;
    if (this.state === 'running') this.session.adjustRefs(-1);
    if (this.state === 'orphaned') this.#watch();
  }

  /** Forgets the child: no exit will be delivered after this. */
  close(): void {
    if (this.state === 'running' || this.state === 'orphaned') this.#release();
    this.state = 'closed';
    this.#asyncResource.emitDestroy();
  }

  deliverExit(record: ExitRecord): void {
    this.#finish(record.code, record.signal, record);
  }

  #finish(code: number | null, signal: number, usage: ExitRecord | null): void {
    if (this.state !== 'running' && this.state !== 'orphaned') return;
    this.#release();
    this.state = 'exited';
    this.usage = usage;
    this.#asyncResource.runInAsyncScope(this.onexit, null, code, signal ? signalName(signal) : '');
  }

  /** The helper that made this child is gone (all it sent has been read): watch the pidfd instead. */
  helperLost(): void {
    if (this.state !== 'running') return;
    // Its helper's event channel no longer keeps the loop alive for it: its watch does instead.
    if (this.#referenced) this.session.adjustRefs(-1);
    this.state = 'orphaned';
    this.#watch();
  }

  /** The orphan has exited; its new parent reaps it soon, then the kernel tells us the status. */
  pidfdReadable(): void {
    const wait = { active: () => this.state === 'orphaned', referenced: () => this.#referenced };
    awaitExitStatus(this.session.binding, this.#pidfd, wait, (status) => {
      // Unknown (an old kernel, or never reaped): 'exit' comes with (null, null), and no usage.
      const { code, signal } = decodeWaitStatus(status);
      this.#finish(code, signal, null);
    });
  }

  #watch(): void {
    this.session.unwatch(this.#pidfd);
    this.session.watch(this.#pidfd, this, this.#referenced);
  }

  #release(): void {
    if (this.state === 'orphaned') this.session.unwatch(this.#pidfd);
    else if (this.#referenced) this.session.adjustRefs(-1);
    this.session.binding.close(this.#pidfd);
    this.#pidfd = -1;
  }
}
