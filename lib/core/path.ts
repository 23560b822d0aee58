// Whether this environment can make children through the helper, decided once: the runtime, the
// platform, the addon, the kernel and sandbox (pidfds), and the helper itself. The probe leaves
// nothing behind: no child, no SIGCHLD. Only what the helper path really uses is required:
// pidfd_send_signal (every kill), and a pidfd for each child, from clone(CLONE_PIDFD) (5.2) or,
// where that fails, pidfd_open (5.3) in the helper. A sandbox that denies pidfd_open alone (some
// seccomp profiles) keeps the helper: open(pid) then fails on its own, and capabilities().whyNot
// says so. Where one of them says no, the callers hand over to the runtime's own child_process,
// and say why (capabilities()). Bun and Deno pass here too: the session takes their exits through
// its reader thread (lib/core/session.ts).
import { getSystemErrorName } from 'node:util';

import { loadNative } from './native';
import { getSession, type Session } from './session';

export interface CorePath {
  /** The helper runs and pidfds work: children can be ours. */
  ok: boolean;
  /** Why not, when !ok. */
  reason: string | null;
  /** Whether the user can act on the reason (so it deserves a warning); false when asked for. */
  warn: boolean;
  pidfd: boolean;
  helper: boolean;
  clonePidfd: boolean;
  session: Session | null;
}

let decided: CorePath | undefined;

function describe(err: [number, string]): string {
  return `${err[1]} failed: ${getSystemErrorName(err[0])}`;
}

function fallback(reason: string, warn: boolean, pidfd = false): CorePath {
  return { ok: false, reason, warn, pidfd, helper: false, clonePidfd: false, session: null };
}

export function corePath(): CorePath {
  decided ??= decide();
  return decided;
}

function decide(): CorePath {
  if (process.env.PROCDESC_FORCE_FALLBACK) return fallback('PROCDESC_FORCE_FALLBACK is set', false);
  if (process.platform !== 'linux') return fallback(`pidfds are Linux-only (platform is ${process.platform})`, true);
  const { binding, error } = loadNative();
  const session = getSession();
  if (!binding || !session) return fallback(`the native addon could not be loaded: ${error?.message}`, true);
  const probe = binding.probe();
  if (probe !== 0) return fallback(describe(probe), true);
  const start = session.native.start();
  const info = session.native.helperInfo();
  if (start !== 0 || !info) {
    return fallback(`the helper did not start: ${start !== 0 ? describe(start) : 'it said nothing'}`, true, true);
  }
  const clonePidfd = (info.features & binding.constants.FEATURE_CLONE_PIDFD) !== 0;
  if (!clonePidfd) {
    // The launcher's clone(CLONE_PIDFD) failed: the helper will need pidfd_open for each child.
    const self = binding.pidfdOpen(process.pid);
    if (self < 0) {
      session.native.stop();
      return fallback(`clone(CLONE_PIDFD) and pidfd_open both fail (${getSystemErrorName(self)}): ` +
        'the helper could not hand over its children', true);
    }
    binding.close(self);
  }
  return { ok: true, reason: null, warn: false, pidfd: true, helper: true, clonePidfd, session };
}
