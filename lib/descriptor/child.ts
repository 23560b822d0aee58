// The child behind a Subprocess: Node's ChildProcess (our handle swapped in, or Node's own on the
// fallback path), or on Bun and Deno a RuntimeChild of our own (runtime_child.ts says why); and
// the two things a Subprocess asks of either: its process handle and its resource usage.
import type { ProcessHandle } from '../core/process_handle';
import { processHandleOf, resourceUsageOf } from '../node/claim';
import type { NodeChild } from '../node/internals';
import { RuntimeChild } from './runtime_child';
import type { ResourceUsage } from './subprocess';

export type Child = NodeChild | RuntimeChild;

export function handleOf(child: Child): ProcessHandle | null {
  return child instanceof RuntimeChild ? child.handle : processHandleOf(child);
}

export function usageOf(child: Child): ResourceUsage | null {
  if (!(child instanceof RuntimeChild)) return resourceUsageOf(child);
  const usage = child.handle.usage;
  return usage ? { userCPUTime: usage.userCPUTime, systemCPUTime: usage.systemCPUTime, maxRSS: usage.maxRSS } : null;
}
