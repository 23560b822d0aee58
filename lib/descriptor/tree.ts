// A child's whole process tree: finding and signalling every descendant, including those that
// double-fork, call setsid or change process group, with no `ps` and no signal to a recycled PID.
//
// Two mechanisms (capabilities().tree says which one this environment has):
//   'cgroup'  the helper put the child in a cgroup v2 of its own (native/helper/tree.c), which every
//             descendant inherits and none can leave without write access elsewhere. SIGKILL: to the
//             child through its pidfd at once, then one write to cgroup.kill (5.14) for the rest:
//             atomic among them, forks in flight included, no PID involved (between the two they
//             may see the child die, but none can leave); we then wait for cgroup.events to say
//             "populated 0" (every member has exited). Other signals:
//             cgroup.freeze (5.2) first, so nothing forks or exits while we go through cgroup.procs,
//             each PID opened as a pidfd and checked to be a member *after* opening (so the pidfd is
//             the member, not a recycled PID), signalled through the pidfd, then thawed.
//   'walk'    no usable cgroup: /proc/<pid>/task/*/children, recursively, SIGSTOPping each process
//             found (a stopped process cannot fork, and cannot exit and hand its children to the
//             subreaper mid-walk) until a walk finds nobody new, then the signal, then SIGCONT. Each
//             PID is opened as a pidfd and checked to still be its parent's child after opening.
//             Limit: a daemon that re-parented to the helper (procdesc's subreaper) before the walk
//             is no longer below the child, so it is not found; the cgroup mechanism has no such gap.
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';

import { loadNative } from '../core/native';

const { SIGKILL, SIGSTOP, SIGCONT } = osConstants.signals;

let mountPoint: string | null | undefined;
/** Where cgroup2 is mounted, or null. Only an answer is kept: a read that failed (EMFILE while the
 * host is out of fds, say) is tried again next time, or one bad moment would disable the cgroup
 * mechanism for the life of the process. */
function cgroup2Mount(): string | null {
  if (mountPoint !== undefined) return mountPoint;
  let text: string;
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return null;
  }
  mountPoint = text.split('\n').find((line) => line.includes(' - cgroup2 '))?.split(' ')[4] ?? null;
  return mountPoint;
}

/** The cgroup v2 path of a process ("0::<path>" in /proc/<pid>/cgroup), or null. */
function cgroupOf(pid: number): string | null {
  try {
    const line = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
    return line === undefined ? null : line.slice(3);
  } catch {
    return null;
  }
}

/** The directory of the tree cgroup the helper put `pid` in, or null (walk mode). Call it while
 * the child is surely alive: right after the spawn, which replies only after its execve. */
export function treeCgroupOf(pid: number): string | null {
  // For tests of the fallback, and for users who prefer it: the /proc walk even where a cgroup exists.
  if (process.env.PROCDESC_TREE === 'walk') return null;
  const rel = cgroupOf(pid);
  const mount = cgroup2Mount();
  return rel !== null && mount && /\/procdesc-\d+-[0-9a-f]{8}\/\d+$/.test(rel) ? mount + rel : null;
}

function readOr(file: string, otherwise: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return otherwise; // ENOENT: the helper removed the cgroup, so it was empty
  }
}

function eventsSay(dir: string, key: string, value: string): boolean {
  return readOr(`${dir}/cgroup.events`, `${key} ${value}\n`).includes(`${key} ${value}\n`);
}

/** Resolves once cgroup.events has `key value` (inotify on the file, as the kernel documents it,
 * plus a slow re-read in case inotify is unavailable here). */
function waitEvents(dir: string, key: string, value: string): Promise<void> {
  return new Promise((resolve) => {
    if (eventsSay(dir, key, value)) return resolve();
    let watcher: fs.FSWatcher | null = null;
    const check = () => {
      if (!eventsSay(dir, key, value)) return;
      watcher?.close();
      clearInterval(timer);
      resolve();
    };
    const timer = setInterval(check, 100);
    try {
      watcher = fs.watch(`${dir}/cgroup.events`, check);
      watcher.on('error', () => {});
    } catch { /* the interval does it */ }
    check();
  });
}

/** The cgroup was empty and the helper removed it: ENOENT, or ENODEV once it goes while open. */
function gone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENODEV';
}

function cgroupPids(dir: string): number[] {
  return readOr(`${dir}/cgroup.procs`, '').split('\n').filter(Boolean).map(Number);
}

/** pidfd_open(pid), kept only if `stillOurs()` holds once it is open (so it names that process). */
function openChecked(pid: number, stillOurs: () => boolean): number {
  const binding = loadNative().binding!;
  const fd = binding.pidfdOpen(pid);
  if (fd < 0) return -1;
  if (stillOurs()) return fd;
  binding.close(fd);
  return -1;
}

function signalEach(fds: Iterable<number>, signo: number): void {
  const binding = loadNative().binding!;
  for (const fd of fds) binding.kill(fd, signo);
}

function closeEach(fds: Iterable<number>): void {
  const binding = loadNative().binding!;
  for (const fd of fds) binding.close(fd);
}

/** Every pid below `root`, parents before children (`root` excluded). */
function walk(root: number): { pid: number; ppid: number }[] {
  const out: { pid: number; ppid: number }[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    let tids: string[] = [];
    try { tids = fs.readdirSync(`/proc/${parent}/task`); } catch { continue; }
    for (const tid of tids) {
      for (const p of readOr(`/proc/${parent}/task/${tid}/children`, '').split(' ').filter(Boolean).map(Number)) {
        out.push({ pid: p, ppid: parent });
        queue.push(p);
      }
    }
  }
  return out;
}

/** /proc/<pid>/stat from field 3 (state) on: [state, ppid, ...]; [] when gone. */
function statFields(pid: number): string[] {
  const stat = readOr(`/proc/${pid}/stat`, '');
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ') : [];
}

function parentOf(pid: number): number {
  return Number(statFields(pid)[1]);
}

function isLive(pid: number, start: string | undefined): boolean {
  const f = statFields(pid);
  return f.length > 0 && f[19] === start && f[0] !== 'Z' && f[0] !== 'X';
}

export class ProcessTree {
  /** The cgroup directory, or null: walk mode. */
  readonly cgroup: string | null;
  readonly #rootPid: number;
  readonly #rootFd: () => number;

  constructor(rootPid: number, rootFd: () => number, cgroup: string | null) {
    this.#rootPid = rootPid;
    this.#rootFd = rootFd;
    this.cgroup = cgroup;
  }

  get mechanism(): 'cgroup' | 'walk' {
    return this.cgroup ? 'cgroup' : 'walk';
  }

  /** The PIDs of the live descendants (the child itself excluded), at the time of the call. */
  descendants(): number[] {
    if (this.cgroup) return cgroupPids(this.cgroup).filter((p) => p !== this.#rootPid);
    return this.#rootFd() < 0 ? [] : walk(this.#rootPid).map((e) => e.pid);
  }

  /** Signals the child and every descendant; with SIGKILL, resolves once all have exited. */
  async kill(signo: number): Promise<void> {
    if (this.cgroup) return this.#killCgroup(this.cgroup, signo);
    return this.#killWalk(signo);
  }

  async #killCgroup(dir: string, signo: number): Promise<void> {
    if (signo === SIGKILL) {
      // The child itself at once, through its pidfd: the write below waits for a thread of the pool,
      // and meanwhile a pipeline's reader (say) would see its writer's EOF and exit 0 on its own.
      // Its status is fixed at SIGKILL from here (the kernel marks the group exit when it sends).
      // Its descendants stay in the cgroup, orphaned or not, for the write to reach.
      const rootFd = this.#rootFd();
      if (rootFd >= 0) loadNative().binding!.kill(rootFd, SIGKILL);
      try {
        // In the thread pool: measured here (Linux 6.18, a VM), the write takes about 2 ms per member
        // (100 ms for 50), which the event loop must not wait through.
        await fs.promises.writeFile(`${dir}/cgroup.kill`, '1');
      } catch (err) {
        if (gone(err)) return; // empty and removed already
        throw err;
      }
      return waitEvents(dir, 'populated', '0');
    }
    try {
      await fs.promises.writeFile(`${dir}/cgroup.freeze`, '1');
    } catch (err) {
      if (gone(err)) return;
      throw err;
    }
    const fds: number[] = [];
    try {
      await waitEvents(dir, 'frozen', '1');
      const rel = dir.slice(cgroup2Mount()!.length);
      for (const pid of cgroupPids(dir)) {
        const fd = openChecked(pid, () => cgroupOf(pid) === rel);
        if (fd >= 0) fds.push(fd);
      }
      signalEach(fds, signo);
    } finally {
      closeEach(fds);
      await fs.promises.writeFile(`${dir}/cgroup.freeze`, '0').catch(() => { /* gone: nothing to thaw */ });
    }
  }

  async #killWalk(signo: number): Promise<void> {
    const binding = loadNative().binding!;
    const rootFd = this.#rootFd();
    if (rootFd < 0) return;
    const stopped = new Map<number, number>(); // pid -> pidfd
    const starts = new Map<number, string | undefined>(); // pid -> start time (stat field 22)
    // ESRCH: reaped already (a zombie still takes signals), so its PID may name another process now.
    if (binding.kill(rootFd, SIGSTOP) !== 0) return;
    // The child's own start time too, for SIGKILL's wait below.
    if (signo === SIGKILL) starts.set(this.#rootPid, statFields(this.#rootPid)[19]);
    try {
      for (let grew = true; grew;) {
        grew = false;
        for (const { pid, ppid } of walk(this.#rootPid)) {
          if (stopped.has(pid)) continue;
          const fd = openChecked(pid, () => parentOf(pid) === ppid);
          if (fd < 0) continue;
          binding.kill(fd, SIGSTOP);
          stopped.set(pid, fd);
          starts.set(pid, statFields(pid)[19]);
          grew = true;
        }
      }
      binding.kill(rootFd, signo);
      signalEach(stopped.values(), signo);
      if (signo === SIGSTOP) return; // what was asked for: they stay stopped
      if (signo !== SIGKILL) {
        // (A process some user had stopped before is continued too: the walk cannot tell.)
        signalEach(stopped.values(), SIGCONT);
        binding.kill(rootFd, SIGCONT);
        return;
      }
      // Exited = a zombie or reaped (then gone, or its PID reused: another start time); a
      // SIGKILLed process gets there in a few ms. The child too: stopped, then SIGKILLed, it is
      // still 'R' until it runs.
      for (const [pid, start] of starts) {
        while (isLive(pid, start)) await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      closeEach(stopped.values());
    }
  }
}
