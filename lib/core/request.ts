// The one builder of spawn requests for the addon (lib/core/native.ts NativeRequest): the strings
// laid out as the wire wants them (protocol.h: file, cwd, argv, envp, NUL-terminated) in one
// Buffer, the flags from the addon's own constants, one int per child fd. Built here, in JS,
// because a JS string becomes UTF-8 as Node's Utf8Value makes it (a lone surrogate is U+FFFD),
// and because the addon then reads three values, not one per string.
import type { NativeBinding, NativeRequest } from './native';

export interface SpawnRequest {
  file: string;
  args: string[];
  envPairs: string[];
  /** undefined: the host's current directory (the helper's own is the host's of long ago). */
  cwd?: string;
  detached: boolean;
  uid?: number;
  gid?: number;
  /** Per child fd: a host fd to place there, or one of the addon's STDIO_* codes. */
  stdio: number[];
  /** SIGKILL the child when the host goes away (the helper does it when its channel closes);
   * 'tree': the child's whole tree (with `tree`, where the helper made it a cgroup). */
  killOnClose?: boolean | 'tree';
  /** Track the child's whole tree (a cgroup of its own where the helper can make one). */
  tree?: boolean;
}

// A C string ends at its first NUL, as Node's spawn sees it too (Utf8Value, then a char*).
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}

/** The strings NUL-terminated, one after another. Joined first and searched once for NULs of their
 * own (the join has exactly one per string otherwise): Node's env pairs are ropes, and a search in
 * each would flatten each on its own. */
function nulTerminated(strings: string[]): string {
  const text = `${strings.join('\0')}\0`;
  let nuls = 0;
  for (let at = text.indexOf('\0'); at !== -1 && nuls <= strings.length; at = text.indexOf('\0', at + 1)) nuls++;
  return nuls === strings.length ? text : `${strings.map(cString).join('\0')}\0`;
}

function currentDirectory(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined; // deleted: the child starts where the helper is, as best we can
  }
}

export function buildRequest(binding: Pick<NativeBinding, 'constants'>, id: number, r: SpawnRequest): NativeRequest {
  const c = binding.constants;
  const cwd = r.cwd ?? currentDirectory();
  let flags = 0;
  if (r.detached) flags |= c.SPAWN_SETSID;
  if (r.uid !== undefined) flags |= c.SPAWN_SETUID;
  if (r.gid !== undefined) flags |= c.SPAWN_SETGID;
  if (cwd !== undefined) flags |= c.SPAWN_HAS_CWD;
  if (r.killOnClose) flags |= c.SPAWN_KILL_ON_CLOSE;
  if (r.killOnClose === 'tree') flags |= c.SPAWN_KILL_TREE_ON_CLOSE;
  if (r.tree) flags |= c.SPAWN_TREE;
  const strings = [r.file, ...(cwd !== undefined ? [cwd] : []), ...r.args, ...r.envPairs];
  const blob = Buffer.from(nulTerminated(strings), 'utf8');
  return [id, flags, r.uid ?? 0, r.gid ?? 0, r.args.length, r.envPairs.length, blob, new Int32Array(r.stdio)];
}
