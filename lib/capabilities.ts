// Which path this environment uses, decided once: procdesc's helper where the kernel and sandbox
// allow pidfds and the helper starts, node:child_process otherwise (and we say why).
// The probe leaves nothing behind: pidfd_open on ourselves, no child, no SIGCHLD.
import { getSystemErrorName } from 'node:util';

import { loadNative } from './native';
import { getSession } from './session';

export interface Capabilities {
  /** 'procdesc' when children go through the helper, 'node' when we hand over to node:child_process. */
  path: 'procdesc' | 'node';
  /** Why we fell back, when path is 'node'. */
  reason: string | null;
  pidfd: boolean;
  helper: boolean;
  helperPid: number | null;
  /** clone(CLONE_PIDFD) in the helper (5.2+); else pidfd_open right after clone. */
  clonePidfd: boolean;
}

let decided: Capabilities | undefined;

function describe(err: [number, string]): string {
  return `${err[1]} failed: ${getSystemErrorName(err[0])}`;
}

export function capabilities(): Capabilities {
  if (decided && decided.path === 'procdesc') {
    // The helper may have been restarted since: report the current one.
    const info = getSession()?.native.helperInfo();
    if (info) decided.helperPid = info.pid;
    return { ...decided };
  }
  if (decided) return { ...decided };

  const fallback = (reason: string, pidfd = false): Capabilities =>
    ({ path: 'node', reason, pidfd, helper: false, helperPid: null, clonePidfd: false });

  if (process.platform !== 'linux') {
    decided = fallback(`pidfds are Linux-only (platform is ${process.platform})`);
  } else if (process.env.PROCDESC_FORCE_FALLBACK) {
    decided = fallback('PROCDESC_FORCE_FALLBACK is set');
  } else {
    const { binding, error } = loadNative();
    const session = getSession();
    if (!binding || !session) {
      decided = fallback(`the native addon could not be loaded: ${error?.message}`);
    } else {
      const probe = binding.probe();
      const start = probe === 0 ? session.native.start() : probe;
      const info = session.native.helperInfo();
      if (probe !== 0) decided = fallback(describe(probe));
      else if (start !== 0 || !info) decided = fallback(`the helper did not start: ${describe(start as [number, string])}`, true);
      else decided = { path: 'procdesc', reason: null, pidfd: true, helper: true, helperPid: info.pid, clonePidfd: (info.features & 1) !== 0 };
    }
  }
  return { ...decided };
}

export function usingProcdesc(): boolean {
  return (decided ?? capabilities()).path === 'procdesc';
}
