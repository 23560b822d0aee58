// procdesc/zx: zx (8.x) runs every command through `$.spawn` and `$.spawnSync`, which default to
// node:child_process's. useProcdesc($) points them at procdesc's drop-in, so zx's commands are the
// helper's children: they cannot be lost to a host that reaps or ignores SIGCHLD, and they are
// signalled through pidfds. zx itself is not a dependency: pass your own `$`.
//
// zx's ProcessPromise#kill() still goes through `$.kill`, which finds the process tree with `ps`
// (spawned with the spawn zx had when it loaded) and signals PIDs.
import { spawn, spawnSync } from './child_process';

export { spawn, spawnSync };

/** What useProcdesc needs of zx's `$` (a zx 8 Shell). */
export interface ZxShell {
  spawn: unknown;
  spawnSync: unknown;
}

/** Sets $.spawn and $.spawnSync (zx's defaults, or the current `within()` scope) to procdesc's. */
export function useProcdesc<T extends ZxShell>($: T): T {
  $.spawn = spawn;
  $.spawnSync = spawnSync;
  return $;
}
