// capabilities(): which path this environment uses (decided once, by lib/core/path.ts for the
// runtime, addon, kernel and helper, and lib/node/path.ts for Node's internals), and why not
// where it is node:child_process's. The kernel features the descriptor API uses are probed on the first capabilities() call only
// (not on the first spawn), each with a reason when it is missing:
//   groupSignals            PIDFD_SIGNAL_PROCESS_GROUP (6.9): signal 0 to our own process group.
//   exitInfoForNonParents   PIDFD_INFO_EXIT (6.15): the status of a helper's child (so not ours)
//                           read from its pidfd once the helper has reaped it (a `true` that the
//                           helper reaps before we return: no child, no SIGCHLD in the host).
import { constants as osConstants, release } from 'node:os';
import { getSystemErrorName } from 'node:util';

import { loadNative, type NativeBinding } from '../core/native';
import { corePath } from '../core/path';
import { buildRequest } from '../core/request';
import { getSession } from '../core/session';
import { dropInPath, fallbackReason } from '../node/path';
import { useRuntimeChild } from './runtime_child';

export interface Capabilities {
  /** 'procdesc' when children go through the helper, 'node' when we hand over to node:child_process. */
  path: 'procdesc' | 'node';
  /** Why we fell back, when path is 'node'. */
  reason: string | null;
  /** The descriptor API's own path (spawn(), open(), procdesc/promises): on Bun and Deno it is
   * 'procdesc' while `path` (the drop-in's) is 'node', as their ChildProcess cannot take our handle. */
  descriptorPath: 'procdesc' | 'node';
  pidfd: boolean;
  helper: boolean;
  helperPid: number | null;
  /** clone(CLONE_PIDFD) in the helper (5.2+); else pidfd_open right after clone. */
  clonePidfd: boolean;
  /** The kernel gives a process's exit status to pidfd holders that are not its parent (6.15+):
   * open(pid).exited and children whose helper died report their status, not just their exit. */
  exitInfoForNonParents: boolean;
  /** open(pid) works: pidfd_open (5.3) is not denied (some seccomp profiles deny it alone; the
   * children of the helper do not need it, they come with pidfds from clone(CLONE_PIDFD)). */
  openByPid: boolean;
  /** killGroup() goes through the pidfd (PIDFD_SIGNAL_PROCESS_GROUP, 6.9+), not through a PID. */
  groupSignals: boolean;
  /** This process is PID 1 of its namespace or a child subreaper, so a dead helper and its orphaned
   * children come to it, and procdesc reaps them through their pidfds (their real exit status, no
   * zombie). False elsewhere: init or a subreaper above us reaps them, and PIDFD_INFO_EXIT tells. */
  hostReapsOrphans: boolean;
  /** How killTree(), descendants() and killOnClose: 'tree' find a child's descendants: 'cgroup', a
   * cgroup v2 per child (atomic cgroup.kill, 5.14+); 'walk', /proc walked from the child (misses a
   * daemon that re-parented to the helper before the walk); null on the node:child_process path. */
  tree: 'cgroup' | 'walk' | null;
  /** Why each feature that is false is not in use (nodeInternals: the Node internal that failed). */
  whyNot: Partial<Record<Feature, string>>;
}

export type Feature = 'pidfd' | 'helper' | 'nodeInternals' | 'syncThroughHelper' | 'exitInfoForNonParents' |
  'groupSignals' | 'hostReapsOrphans' | 'openByPid' | 'treeCgroup';

type PathDecision = Omit<Capabilities, 'exitInfoForNonParents' | 'groupSignals' | 'openByPid' | 'whyNot'> &
  { whyNot: Partial<Record<Feature, string>> };

const osErrno = osConstants.errno as Record<string, number>;

let features: Pick<Capabilities, 'exitInfoForNonParents' | 'groupSignals' | 'openByPid' | 'whyNot'> | undefined;

export function capabilities(): Capabilities {
  const path = decidePath();
  features ??= probeFeatures(path);
  return { ...path, ...features, whyNot: { ...path.whyNot, ...features.whyNot } };
}

function decidePath(): PathDecision {
  const core = corePath();
  const dropIn = dropInPath();
  const whyNot: Partial<Record<Feature, string>> = {};
  if (!core.pidfd) whyNot.pidfd = core.reason ?? 'pidfds are unavailable';
  if (!core.helper) whyNot.helper = core.reason ?? 'the helper did not start';
  if (core.ok && !dropIn) whyNot.nodeInternals = fallbackReason() ?? 'unknown';
  const sync = dropIn?.internals.spawnSync;
  if (dropIn && typeof sync === 'string') whyNot.syncThroughHelper = `spawnSync and friends are Node's own: ${sync}`;
  const descriptor = dropIn !== null || (core.ok && useRuntimeChild());
  // The helper may have been restarted since: report the current one.
  const info = descriptor ? getSession()?.native.helperInfo() : null;
  const hostReapsOrphans = core.helper && loadNative().binding?.hostAdoptsOrphans() === true;
  if (!hostReapsOrphans) {
    whyNot.hostReapsOrphans = core.helper
      ? 'this process is neither PID 1 of its namespace nor a child subreaper: the helper and its orphans ' +
        'have another parent, which reaps them'
      : `children are node:child_process's: ${core.reason}`;
  }
  const binding = loadNative().binding;
  const cgroup = info && binding ? (info.features & binding.constants.FEATURE_TREE_CGROUP) !== 0 : false;
  if (info && !cgroup) {
    whyNot.treeCgroup = 'the helper cannot make cgroups v2 with cgroup.kill under its own (no cgroup2 mount, not ' +
      'delegated, read-only, or a kernel before 5.14): descendants are found by walking /proc';
  }
  return {
    path: dropIn ? 'procdesc' : 'node', reason: dropIn ? null : fallbackReason(),
    descriptorPath: descriptor ? 'procdesc' : 'node',
    pidfd: core.pidfd, helper: core.helper, helperPid: info?.pid ?? null, clonePidfd: core.clonePidfd,
    hostReapsOrphans, whyNot, tree: info ? (cgroup ? 'cgroup' : 'walk') : null,
  };
}

/** Whether children are made by the helper in this environment. */
export function usingProcdesc(): boolean {
  return dropInPath() !== null;
}

function kernelAtLeast(major: number, minor: number): boolean {
  const [a, b] = release().split('.').map((n) => parseInt(n, 10));
  return a > major || (a === major && b >= minor);
}

function probeFeatures(path: PathDecision): NonNullable<typeof features> {
  const whyNot: Partial<Record<Feature, string>> = {};
  const { binding } = loadNative();
  if (!path.pidfd || !binding) {
    whyNot.exitInfoForNonParents = whyNot.groupSignals = whyNot.openByPid = `pidfds are not in use: ${path.reason}`;
    return { exitInfoForNonParents: false, groupSignals: false, openByPid: false, whyNot };
  }
  const self = binding.pidfdOpen(process.pid);
  if (self < 0) {
    whyNot.openByPid = `pidfd_open failed: ${getSystemErrorName(self)} (a sandbox denies it, or Linux before 5.3); ` +
      'children still come with pidfds from clone(CLONE_PIDFD), but open(pid) throws';
  }
  let group: string | null = `children are node:child_process's: ${path.reason}`;
  // fd -1 where we have no pidfd of our own: the kernel checks the flags before the fd (EBADF: known).
  if (path.helper) group = probeGroupSignals(binding, self >= 0 ? self : -1);
  if (self >= 0) binding.close(self);
  // open() uses pidfds even without the helper, so this one is probed either way.
  const exitInfo = probeExitInfo(binding);
  if (group !== null) whyNot.groupSignals = group;
  if (exitInfo !== null) whyNot.exitInfoForNonParents = exitInfo;
  return { exitInfoForNonParents: exitInfo === null, groupSignals: group === null, openByPid: self >= 0, whyNot };
}

/** null when PIDFD_SIGNAL_PROCESS_GROUP works, else why not. Signal 0 only checks, it delivers nothing. */
function probeGroupSignals(binding: NativeBinding, self: number): string | null {
  const r = binding.kill(self, 0, true);
  // ESRCH: we lead no process group, but the kernel took the flag.
  if (r === 0 || r === -osErrno.ESRCH || r === -osErrno.EPERM || (self < 0 && r === -osErrno.EBADF)) return null;
  return `pidfd_send_signal(PIDFD_SIGNAL_PROCESS_GROUP) failed: ${getSystemErrorName(r)} ` +
    `(Linux 6.9+ has it; this is ${release()}); killGroup() signals the group by its PID instead`;
}

/**
 * null when the kernel gives the exit status to pidfd holders that are not the parent, else why
 * not. Asks about a helper's child (`true`, so not ours) once the helper has reaped it: the wait
 * is a few ms, and the child leaves nothing behind. Without the helper, the kernel's version says.
 */
function probeExitInfo(binding: NativeBinding): string | null {
  const noInfo = (why: string) => `${why}; the exit of a process we are not the parent of is known, ` +
    `its status is not (PIDFD_INFO_EXIT is Linux 6.15+; this is ${release()})`;
  const session = getSession();
  const out = new Int32Array(3);
  const err = session?.native.helperInfo()
    ? session.native.spawn(...buildRequest(binding, session.newId(), { file: 'true', args: ['true'], detached: false,
      stdio: [-1, -1, -1], envPairs: [`PATH=${process.env.PATH || '/usr/bin:/bin'}`] }), out)
    : null;
  if (err !== 0) {
    // No helper child to ask about: our own pidfd tells whether PIDFD_GET_INFO exists at all.
    const own = binding.pidfdOpen(process.pid);
    const status = own >= 0 ? binding.exitStatus(own) : own;
    if (own >= 0) binding.close(own);
    if (typeof status === 'number' && status < 0) return noInfo(`PIDFD_GET_INFO failed: ${getSystemErrorName(status)}`);
    return kernelAtLeast(6, 15) ? null : noInfo('PIDFD_GET_INFO has no exit info before Linux 6.15');
  }
  const pidfd = out[1];
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let status = binding.exitStatus(pidfd);
  for (const deadline = Date.now() + 1000; status === null && Date.now() < deadline;) {
    Atomics.wait(sleeper, 0, 0, 1);
    status = binding.exitStatus(pidfd);
  }
  binding.close(pidfd);
  if (status === null) return noInfo('a helper child was not reaped within 1 s');
  if (status < 0) return noInfo(`PIDFD_GET_INFO gave ${getSystemErrorName(status)}`);
  return null;
}
