// One child, as the host sees it: the explicit state machine behind ChildProcess._handle, with the
// interface of Node's Process wrap (spawn, kill, ref, unref, close, onexit) so that ChildProcess can
// follow Node's own logic line for line.
//
//   new --spawn ok--> running --exit record--> exited --close--> closed
//     \--spawn error--------------------------------------------/
//
// Signals go through the pidfd and only while running: once the exit record has arrived the helper
// has reaped the child, its PID may be reused, and kill() is a no-op (as Rust's Process::send_signal
// after reap). The pidfd is closed as soon as nothing can use it any more: at exit or close.
import { AsyncResource } from 'node:async_hooks';
import { constants as osConstants } from 'node:os';

import type { ExitRecord, Session, SessionMember } from './session';

export type ProcessState = 'new' | 'running' | 'exited' | 'closed';

export interface HandleSpawnOptions {
  file: string;
  args: string[];
  envPairs: string[];
  cwd?: string;
  detached: boolean;
  uid?: number;
  gid?: number;
  /** Per child fd: the host fd to place there, or -1 for 'ignore'. */
  stdio: number[];
}

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
  onexit: (exitCode: number, signalCode?: string) => void = () => {};
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
    const result = session.native.spawn({ id, ...options });
    if (result[0] !== 0) return result[0];
    const [, pid, pidfd] = result as [0, number, number];
    this.pid = pid;
    this.#pidfd = pidfd;
    this.state = 'running';
    session.add(id, this);
    if (this.#referenced) session.adjustRefs(1);
    return 0;
  }

  /** 0 or -errno; ESRCH once the child has been reaped. */
  kill(signal: number): number {
    if (this.state !== 'running') return UV_ESRCH;
    return this.session.binding.kill(this.#pidfd, signal);
  }

  ref(): void {
    if (this.#referenced) return;
    this.#referenced = true;
    if (this.state === 'running') this.session.adjustRefs(1);
  }

  unref(): void {
    if (!this.#referenced) return;
    this.#referenced = false;
    if (this.state === 'running') this.session.adjustRefs(-1);
  }

  /** Forgets the child: no exit will be delivered after this. */
  close(): void {
    if (this.state === 'running') this.#release();
    this.state = 'closed';
    this.#asyncResource.emitDestroy();
  }

  deliverExit(record: ExitRecord): void {
    if (this.state !== 'running') return;
    this.#release();
    this.state = 'exited';
    this.usage = record;
    this.#asyncResource.runInAsyncScope(this.onexit, null, record.code, record.signal ? signalName(record.signal) : '');
  }

  /** The helper died: its children were re-parented and we can no longer learn of their exits
   * through it. They stay addressable by pidfd; they no longer keep the event loop alive. */
  helperLost(): void {
    if (this.state === 'running' && this.#referenced) this.session.adjustRefs(-1);
    this.#referenced = false;
  }

  #release(): void {
    if (this.#referenced) this.session.adjustRefs(-1);
    this.session.binding.close(this.#pidfd);
    this.#pidfd = -1;
  }
}
