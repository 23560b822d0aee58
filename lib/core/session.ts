// This environment's link to its helper: hands out request ids, routes exit records to the
// ProcessHandle that asked, and keeps the event loop alive exactly while a ref'd child runs.
// One per Node environment (main thread or worker), like the addon's instance data behind it.
import { loadNative, type NativeBinding, type NativeSession } from './native';
import { otherRuntime } from './runtime';

export interface ExitRecord {
  pid: number;
  /** The wait status, as from wait4 (decoded by exit_status.ts). */
  status: number;
  userCPUTime: number; // microseconds, as process.resourceUsage()
  systemCPUTime: number;
  maxRSS: number; // kilobytes
}

/** What a Session delivers to a process it knows of; ProcessHandle implements it. */
export interface SessionMember {
  /** Its exit record from the helper. */
  deliverExit(record: ExitRecord): void;
  /** Its helper is gone and all it sent has been read: no record will come. */
  helperLost(errno: number): void;
  /** Its pidfd, watched with watch(), has turned readable: it has exited. */
  pidfdReadable(): void;
}

export class Session {
  readonly binding: NativeBinding;
  readonly native: NativeSession;
  // By request id, with the generation of the helper that made the child.
  private readonly members = new Map<number, { member: SessionMember; generation: number }>();
  private readonly watched = new Map<number, SessionMember>(); // by pidfd
  private nextId = 1;
  private refs = 0;

  constructor(binding: NativeBinding, exitThread: boolean) {
    this.binding = binding;
    this.native = new binding.Session(
      (id, pid, status, userCPUTime, systemCPUTime, maxRSS) => {
        const entry = this.members.get(id);
        if (entry === undefined) return;
        this.members.delete(id);
        entry.member.deliverExit({ pid, status, userCPUTime, systemCPUTime, maxRSS });
      },
      (errno, generation) => {
        // That helper is gone and all it sent has been read: its children still listed are orphans.
        const lost: SessionMember[] = [];
        for (const [id, entry] of this.members) {
          if (entry.generation !== generation) continue;
          this.members.delete(id);
          lost.push(entry.member);
        }
        for (const member of lost) member.helperLost(errno);
      },
      (pidfd) => {
        const member = this.watched.get(pidfd);
        this.watched.delete(pidfd);
        member?.pidfdReadable();
      },
      exitThread,
    );
  }

  newId(): number {
    return this.nextId++;
  }

  add(id: number, member: SessionMember, generation: number): void {
    this.members.set(id, { member, generation });
  }

  /** Watches a pidfd until its process exits; ref says whether that keeps the loop alive. */
  watch(pidfd: number, member: SessionMember, ref: boolean): void {
    this.watched.set(pidfd, member);
    this.native.watch(pidfd, ref);
  }

  unwatch(pidfd: number): void {
    if (this.watched.delete(pidfd)) this.native.unwatch(pidfd);
  }

  /** +1 when a running child becomes ref'd, -1 when it is unref'd or has exited. */
  adjustRefs(delta: 1 | -1): void {
    const before = this.refs;
    this.refs += delta;
    if ((before === 0) !== (this.refs === 0)) this.native.setRef(this.refs > 0);
  }
}

let session: Session | null | undefined;

/** The session of this environment, or null when the addon cannot be loaded. */
export function getSession(): Session | null {
  if (session === undefined) {
    const { binding } = loadNative();
    // Node: uv_poll (no thread hop between an exit and its callback). Bun and Deno: the reader
    // thread, as their uv_poll aborts (Bun) or fires once (Deno). PROCDESC_EXIT_THREAD=1 makes Node
    // use the thread too, so that its tests can run on Node.
    const exitThread = otherRuntime() !== null || process.env.PROCDESC_EXIT_THREAD === '1';
    try {
      session = binding ? new Session(binding, exitThread) : null;
    } catch {
      session = null; // the thread could not start: the caller falls back
    }
  }
  return session;
}
