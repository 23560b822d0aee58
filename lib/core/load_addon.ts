// Finds and loads the addon. A local build (build/Release, made by `npm install` in a clone) comes
// first; otherwise the prebuilt binary for this platform, arch and libc from the package:
//   prebuilds/linux-<arch>/procdesc.napi.<glibc|musl>.node   (node-gyp-build's layout and tags)
//   prebuilds/linux-<arch>/procdesc-helper                   (static; the addon finds it beside itself)
// We do not use node-gyp-build itself: it takes any .node file in build/Release (the test addon
// lives there in some setups), and it tells musl from glibc by /etc/alpine-release, so a musl Node
// elsewhere would get the glibc addon. We ask the process itself which libc it has mapped.
// Nothing here throws: a failure is returned as an Error whose message says what was tried and
// why it failed, for the fallback's warning and capabilities().
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface LoadedAddon<T> {
  binding: T | null;
  /** Why there is no binding: no binary for this platform, or the load error. */
  error: Error | null;
  /** The .node file that was (or would have been) loaded; null when none applies here. */
  where: string | null;
}

const ARCHES = ['x64', 'arm64'];

/** The libc this process runs on: the one it has mapped, else what the process report says. */
export function detectLibc(): 'glibc' | 'musl' {
  try {
    const maps = fs.readFileSync('/proc/self/maps', 'latin1');
    if (/\/(ld-musl-|libc\.musl-)[^/\n]*$/m.test(maps)) return 'musl';
    if (/\/libc\.so\.6$/m.test(maps)) return 'glibc';
  } catch {
    // No /proc: ask the report below.
  }
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/** The prebuilt addon this process would use, or why there is none. */
export function prebuiltAddonPath(root: string): { file: string | null; why: string | null } {
  const { platform, arch } = process;
  if (platform !== 'linux' || !ARCHES.includes(arch)) {
    return { file: null, why: `no prebuilt binary for ${platform}-${arch} (procdesc ships linux-x64 and linux-arm64)` };
  }
  const libc = detectLibc();
  const file = path.join(root, 'prebuilds', `linux-${arch}`, `procdesc.napi.${libc}.node`);
  if (!fs.existsSync(file)) return { file: null, why: `no prebuilt binary for linux-${arch} ${libc}: ${file} is missing` };
  return { file, why: null };
}

export function loadAddon<T>(root: string): LoadedAddon<T> {
  const local = path.join(root, 'build', 'Release', 'procdesc.node');
  let where: string | null = local;
  if (!fs.existsSync(local)) {
    const prebuilt = prebuiltAddonPath(root);
    if (!prebuilt.file) return { binding: null, error: new Error(prebuilt.why as string), where: null };
    where = prebuilt.file;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return { binding: require(where) as T, error: null, where };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { binding: null, error: new Error(`${where} failed to load: ${message}`), where };
  }
}
