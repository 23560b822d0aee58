// Which event-loop runtime runs us. Bun and Deno load Node-API addons and have a node:child_process,
// but implement libuv only in part (Bun 1.4 aborts in uv_poll_init, Deno 2.9's uv_poll fires once)
// and their ChildProcess keeps private state that Node's handle swap cannot reach: the core takes
// exits through its reader thread there, and the drop-in hands over to the runtime's own module.

/** 'Bun 1.4.5', 'Deno 2.9.6', or null on Node. */
export function otherRuntime(): string | null {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun) return `Bun ${versions.bun}`;
  if (versions.deno || (globalThis as { Deno?: unknown }).Deno) return `Deno ${versions.deno ?? ''}`.trim();
  return null;
}
