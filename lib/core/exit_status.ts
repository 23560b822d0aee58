// The exit status of a process we are not the parent of, from its pidfd. A pidfd turns readable
// when the process exits, but the kernel records the status for other holders (PIDFD_INFO_EXIT,
// Linux 6.15+) only once its parent has reaped it, which comes a little later and is not ours to
// wait for: we ask every millisecond, for a bounded time. Used for orphans whose helper died
// (ProcessHandle) and for processes opened by PID (open()).
import type { NativeBinding } from './native';

/** How long we wait for the parent to reap a process before giving up on its status. */
export const REAP_WAIT_MS = 5000;

export interface ExitStatusWait {
  /** Checked before every attempt: false once nobody wants the answer (closed, or known otherwise). */
  active(): boolean;
  /** Whether the retries keep the event loop alive. */
  referenced(): boolean;
}

/**
 * Calls done(status) with the wait status once the process has been reaped, or done(null) when it
 * cannot be known (a kernel without exit info for non-parents, or not reaped within REAP_WAIT_MS).
 * Never calls done once wait.active() is false.
 */
export function awaitExitStatus(binding: Pick<NativeBinding, 'exitStatus'>, pidfd: number, wait: ExitStatusWait,
  done: (status: number | null) => void, since = Date.now()): void {
  if (!wait.active()) return;
  const status = binding.exitStatus(pidfd);
  if (status === null && Date.now() - since < REAP_WAIT_MS) {
    const timer = setTimeout(() => awaitExitStatus(binding, pidfd, wait, done, since), 1);
    if (!wait.referenced()) timer.unref();
    return;
  }
  done(status !== null && status >= 0 ? status : null);
}

/** A wait status as (code, signal number): code null for a signal death or an unknown status. */
export function decodeWaitStatus(status: number | null): { code: number | null; signal: number } {
  if (status === null) return { code: null, signal: 0 };
  const signal = status & 0x7f;
  return { code: signal ? null : (status >> 8) & 0xff, signal };
}
