// The exit status of a process we are not the parent of, from its pidfd. A pidfd turns readable
// when the process exits, but the kernel records the status for other holders (PIDFD_INFO_EXIT,
// Linux 6.15+) only once its parent has reaped it, which comes a little later and is not ours to
// wait for: we ask again, less and less often, for a bounded time. Used for orphans whose helper
// died (ProcessHandle) and for processes opened by PID (open()).
//
// Where the host is PID 1 or a subreaper, a dead helper's children are re-parented to the host
// itself, and nobody else will ever reap them: then we reap them through their pidfds
// (waitid(P_PIDFD), Linux 5.4), which also gives their resource usage. Asked only for children
// procdesc started (wait.reap), never for processes opened by PID, which may be the host's own.
import type { NativeBinding } from './native';

/** Resource usage from a reap of our own, as in the helper's exit records. */
export interface ReapUsage {
  userCPUTime: number; // microseconds
  systemCPUTime: number;
  maxRSS: number; // kilobytes
}

/** How long we wait for the parent to reap a process before giving up on its status. */
export const REAP_WAIT_MS = 5000;

export interface ExitStatusWait {
  /** Checked before every attempt: false once nobody wants the answer (closed, or known otherwise). */
  active(): boolean;
  /** Whether the retries keep the event loop alive. */
  referenced(): boolean;
  /** A child procdesc started: if it has become the host's own child, reap it. */
  reap?: boolean;
}

/** Retries come after 1, 2, 4, .. ms, then every RETRY_MAX_MS: the first ones soon (our own reap
 * is possible within microseconds of the helper's death), later ones rarer: an init that reaps
 * orphans on a timer (the VMs procdesc is developed on: every ~2 s) would otherwise keep a retry
 * per millisecond going for each of a dead helper's children. */
const RETRY_MAX_MS = 16;

/**
 * Calls done(status) with the wait status once the process has been reaped, or done(null) when it
 * cannot be known (a kernel without exit info for non-parents, or not reaped within REAP_WAIT_MS).
 * Never calls done once wait.active() is false.
 */
export function awaitExitStatus(binding: Pick<NativeBinding, 'exitStatus' | 'reap'>, pidfd: number,
  wait: ExitStatusWait, done: (status: number | null, usage?: ReapUsage) => void): void {
  const since = Date.now();
  let delay = 1;
  const attempt = (): void => {
    if (!wait.active()) return;
    // Tried at every attempt: a child that exited just before its helper died is re-parented to us
    // only once the helper has finished exiting, a little after we learn of its death (Linux moves
    // children in exit_notify, after the helper's sockets closed). ECHILD: its parent is another.
    const reaped = wait.reap ? binding.reap(pidfd) : null;
    if (Array.isArray(reaped)) {
      done(reaped[0], { userCPUTime: reaped[1], systemCPUTime: reaped[2], maxRSS: reaped[3] });
      return;
    }
    const status = binding.exitStatus(pidfd);
    if (status === null && Date.now() - since < REAP_WAIT_MS) {
      const timer = setTimeout(attempt, delay);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
      if (!wait.referenced()) timer.unref();
      return;
    }
    done(status !== null && status >= 0 ? status : null);
  };
  attempt();
}

/** A wait status as (code, signal number): code null for a signal death or an unknown status. */
export function decodeWaitStatus(status: number | null): { code: number | null; signal: number } {
  if (status === null) return { code: null, signal: 0 };
  const signal = status & 0x7f;
  return { code: signal ? null : (status >> 8) & 0xff, signal };
}
