// procdesc/zx: zx (8.x) runs every command through `$.spawn` and `$.spawnSync`, which default to
// node:child_process's. useProcdesc($) points them at procdesc's drop-in, so zx's commands are the
// helper's children: they cannot be lost to a host that reaps or ignores SIGCHLD, and they are
// signalled through pidfds. zx itself is not a dependency: pass your own `$`.
//
// zx's ProcessPromise#kill() goes through `$.kill(pid, signal)`, which zx implements by listing the
// process tree with `ps` (which BusyBox's lacks: google/zx#1369) and signalling PIDs (which may be
// recycled); it misses descendants that double-forked or called setsid. useProcdesc replaces it:
// for a command it spawned, the whole tree is signalled as Subprocess#killTree() does
// (lib/descriptor/tree.ts); any other pid goes to zx's own.
import type { ChildProcess } from 'node:child_process';

import { signalNumber } from '../lib/core/errno';
import { ProcessTree, treeCgroupOf } from '../lib/descriptor/tree';
import { processHandleOf } from '../lib/node/claim';
import { spawnTracked } from '../lib/node/drop_in';
import { spawnSync } from './child_process';

/** What useProcdesc needs of zx's `$` (a zx 8 Shell). */
export interface ZxShell {
  spawn: unknown;
  spawnSync: unknown;
  kill?: unknown;
}

type ZxKill = (pid: number | string, signal?: NodeJS.Signals | number) => Promise<void>;

// The commands' trees while they run, by pid (zx kills only unsettled commands).
const trees = new Map<number, ProcessTree>();

/** child_process.spawn through procdesc's helper, each child's tree tracked for $.kill. */
export function spawn(...args: Parameters<typeof spawnTracked>): ChildProcess {
  const child = spawnTracked(...args);
  const pid = child.pid;
  if (pid !== undefined && processHandleOf(child)) {
    trees.set(pid, new ProcessTree(pid, () => processHandleOf(child)?.fd ?? -1, treeCgroupOf(pid)));
    child.once('close', () => trees.delete(pid));
  }
  return child as ChildProcess;
}

export { spawnSync };

/** Sets $.spawn, $.spawnSync and $.kill (zx's defaults, or the current `within()` scope) to
 * procdesc's. */
export function useProcdesc<T extends ZxShell>($: T): T {
  const zxKill = $.kill as ZxKill | undefined;
  $.spawn = spawn;
  $.spawnSync = spawnSync;
  if (typeof zxKill === 'function') {
    const kill: ZxKill = async (pid, signal = 'SIGTERM') => {
      const tree = trees.get(Number(pid));
      const signo = signalNumber(signal);
      if (!tree || signo === undefined) return zxKill(pid, signal);
      await tree.kill(signo);
    };
    $.kill = kill;
  }
  return $;
}
