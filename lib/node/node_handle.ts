// The face our ProcessHandle shows to Node's ChildProcess in place of libuv's Process wrap: it
// takes `_handle.spawn(...)` in whichever shape the running Node calls it (lib/node/internals.ts),
// makes a socketpair for each 'pipe' entry and opens Node's unopened Pipe on our end (as libuv does
// with its own socketpair), passes the child's ends to the helper, and frees the Process wrap Node
// made for itself and will never use.
import { uvErrno } from '../core/errno';
import { ProcessHandle } from '../core/process_handle';
import type { Session } from '../core/session';
import type { NodeInternals, NodeProcessWrap, NodeStdioEntry } from './internals';
import { toStringList, toStringValue } from './strings';

const UV_EMFILE = uvErrno('EMFILE');
const UV_ENFILE = uvErrno('ENFILE');

/** What the caller of a claimed spawn wants beyond Node's options (the descriptor API's). */
export interface SpawnExtras {
  killOnClose?: boolean | 'tree';
  /** Track the whole process tree (lib/descriptor/tree.ts). */
  tree?: boolean;
}

export class NodeProcessHandle extends ProcessHandle {
  /** The spawn's result: 0, or the -errno Node will turn into the child's error. */
  spawnResult: number | undefined = undefined;
  readonly #internals: NodeInternals;
  #wrap: NodeProcessWrap | null;
  readonly #extras: SpawnExtras;

  constructor(session: Session, internals: NodeInternals, wrap: NodeProcessWrap, extras: SpawnExtras) {
    super(session);
    this.#internals = internals;
    this.#wrap = wrap;
    this.#extras = extras;
    this.onexit = wrap.onexit;
  }

  /** Frees Node's own wrap (it never spawns). Throws Node's ERR_ACCESS_DENIED under the permission
   * model without --allow-child-process, from the very call Node's own spawn would throw it from. */
  disposeWrap(): void {
    const wrap = this.#wrap;
    if (!wrap) return;
    this.#wrap = null;
    this.#internals.disposeWrap(wrap);
  }

  override spawn(...args: unknown[]): number {
    this.disposeWrap();
    const call = this.#internals.decodeHandleSpawn(args);
    const binding = this.session.binding;
    const entries = call.stdio;
    const fds: number[] = [];
    const childEnds: number[] = [];
    const closeChildEnds = () => {
      for (const fd of childEnds) binding.close(fd);
    };
    for (const entry of entries) {
      if (entry.type === 'pipe' || entry.type === 'overlapped') {
        const pair = binding.socketpair();
        if (typeof pair === 'number') {
          closeChildEnds();
          return (this.spawnResult = pair);
        }
        const err = entry.handle!.open(pair[0]);
        if (err) {
          binding.close(pair[0]);
          binding.close(pair[1]);
          closeChildEnds();
          return (this.spawnResult = err);
        }
        childEnds.push(pair[1]);
        fds.push(pair[1]);
      } else if (entry.type === 'fd' || entry.type === 'inherit') {
        fds.push(entry.fd!);
      } else if (entry.type === 'wrap') {
        fds.push(entry.handle!.fd ?? binding.constants.STDIO_IGNORE);
      } else {
        fds.push(binding.constants.STDIO_IGNORE);
      }
    }
    const unconvertible = this.#internals.unconvertibleStrings;
    let strings: { file: string; args: string[]; envPairs: string[] };
    try {
      strings = {
        file: toStringValue(call.file, unconvertible),
        args: toStringList(call.args, unconvertible),
        envPairs: toStringList(call.envPairs, unconvertible),
      };
    } catch (err) {
      closeChildEnds();
      throw err;
    }
    const err = super.spawn({
      ...strings,
      // As the Process wrap takes it: only a non-empty string (a Buffer or '' is ignored).
      cwd: typeof call.cwd === 'string' && call.cwd.length > 0 ? call.cwd : undefined,
      detached: call.detached,
      uid: typeof call.uid === 'number' ? call.uid : undefined,
      gid: typeof call.gid === 'number' ? call.gid : undefined,
      stdio: fds, killOnClose: this.#extras.killOnClose ?? false, tree: this.#extras.tree === true,
    });
    // The child has its ends (or never will); ours would only keep the pipes from ending.
    closeChildEnds();
    if (err === UV_EMFILE || err === UV_ENFILE) {
      // Node returns early here without touching the pipes (under libuv they were never opened).
      for (const entry of entries) if (entry.type === 'pipe' || entry.type === 'overlapped') entry.handle!.close();
    }
    return (this.spawnResult = err);
  }
}

export type { NodeStdioEntry };
