// The drop-in's decision: children are procdesc's where the core can make them (lib/core/path.ts)
// and the running Node's internals are the ones we know (lib/node/internals.ts); otherwise every
// call hands over to the runtime's own child_process. Falling back for a reason the user can act
// on emits one process warning (code PROCDESC_FALLBACK); PROCDESC_FORCE_FALLBACK=1 stays silent.
import { corePath } from '../core/path';
import { otherRuntime } from '../core/runtime';
import type { Session } from '../core/session';
import { nodeInternals, type NodeInternals } from './internals';

export interface DropInPath {
  session: Session;
  internals: NodeInternals;
}

let decided: { path: DropInPath | null; reason: string | null } | undefined;

export const FALLBACK_WARNING_CODE = 'PROCDESC_FALLBACK';

function decide(): { path: DropInPath | null; reason: string | null } {
  const core = corePath();
  let reason = core.reason;
  let warn = core.warn;
  let path: DropInPath | null = null;
  const runtime = otherRuntime();
  if (core.ok && runtime) {
    // Their ChildProcess keeps its state in private fields (#handle, #spawnInternal) that the
    // handle swap (claim.ts) cannot reach: their own child_process it is, for the drop-in only.
    reason = `${runtime}: the drop-in needs Node's child_process internals (the descriptor API works)`;
    warn = true;
  } else if (core.ok) {
    const internals = nodeInternals(core.session!.binding);
    if (typeof internals === 'string') {
      reason = `an internal of Node ${process.version} is not as procdesc knows it: ${internals}`;
      warn = true;
    } else {
      path = { session: core.session!, internals };
    }
  }
  if (!path && warn) {
    process.emitWarning(`procdesc falls back to node:child_process: ${reason}`,
      { type: 'ProcdescWarning', code: FALLBACK_WARNING_CODE });
  }
  return { path, reason };
}

/** The session and internals children are made with, or null on the fallback path. */
export function dropInPath(): DropInPath | null {
  decided ??= decide();
  return decided.path;
}

/** Why the drop-in falls back, or null when it does not. */
export function fallbackReason(): string | null {
  decided ??= decide();
  return decided.reason;
}
