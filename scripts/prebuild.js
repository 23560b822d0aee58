'use strict';
// npm run prebuild (run by prepack): builds the binaries the package ships, on Debian 12 with
// Debian's toolchains (scripts/install-toolchains.sh), then checks them (scripts/check-binaries.js):
//   prebuilds/linux-<arch>/procdesc.napi.glibc.node   glibc 2.28+, no libstdc++ dependency
//   prebuilds/linux-<arch>/procdesc.napi.musl.node    musl
//   prebuilds/linux-<arch>/procdesc-helper            static musl: serves both libcs
// for arch x64 and arm64. lib/core/load_addon.ts picks one at run time; the addon runs the helper that
// lies beside it.
//
// How the glibc addons load on glibc 2.28 although Debian 12 has 2.36:
//  - no libstdc++ or libgcc_s dependency: the little of the C++ runtime the addon uses is its own
//    (native/addon/cxx_runtime.cc); libstdc++.a is linked for what is left (the hash table's
//    prime policy, plain computation) and libgcc statically;
//  - every libc symbol whose default version is newer than 2.28 (dladdr@2.34,
//    pthread_sigmask@2.32, ...) is bound to its older version, which glibc keeps: the objects'
//    references are renamed to name@GLIBC_x (what `.symver` does) before linking.
// The musl addons are compiled against musl's headers with Debian's libstdc++ headers (adapted by
// scripts/musl-c++/) and linked against musl's libc.so.
//   node scripts/prebuild.js [--arch=x64|arm64]
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');

const { TARGETS, MAX_GLIBC, muslPaths, missingTools } = require('./toolchains');
const { checkPrebuilds } = require('./check-binaries');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'prebuilds');
// The sources are binding.gyp's (the clone's build), so the list is written down once.
const GYP_TARGETS = JSON.parse(fs.readFileSync(path.join(ROOT, 'binding.gyp'), 'utf8')).targets;
const sourcesOf = (name) => GYP_TARGETS.find((t) => t.target_name === name).sources.map((s) => path.join(ROOT, s));
const ADDON_SOURCES = sourcesOf('procdesc');
const HELPER_SOURCES = sourcesOf('procdesc-helper');
const EXPORTS = path.join(ROOT, 'native', 'addon', 'exports.map');

const run = promisify(execFile);
async function sh(cmd, args) {
  try {
    return (await run(cmd, args, { maxBuffer: 64 << 20 })).stdout;
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')}\n${err.stderr || err.message}`);
  }
}

/** Runs fn over items, at most `jobs` at once. */
async function pool(items, jobs, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

function nodeIncludeDir() {
  const candidates = [process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.resolve(process.execPath, '..', '..', 'include', 'node')].filter(Boolean);
  const dir = candidates.find((d) => fs.existsSync(path.join(d, 'node_api.h')) && fs.existsSync(path.join(d, 'uv.h')));
  if (!dir) throw new Error(`Node's headers (node_api.h, uv.h) are not in ${candidates.join(' or ')}`);
  return dir;
}

const DEFINES = ['NAPI_VERSION=8', 'NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS', 'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS',
  'BUILDING_NODE_EXTENSION', 'NODE_GYP_MODULE_NAME=procdesc', '_FILE_OFFSET_BITS=64', '_LARGEFILE_SOURCE']
  .map((d) => `-D${d}`);
const WARNINGS = ['-Wall', '-Wextra', '-Wno-unused-parameter'];

/** The C++ header directories of a g++, without its libc's. */
async function cxxHeaderDirs(cxx) {
  const { stderr } = await run(cxx, ['-E', '-v', '-x', 'c++', '/dev/null']);
  const list = stderr.slice(stderr.indexOf('#include <...>'), stderr.indexOf('End of search list'));
  return list.split('\n').slice(1).map((l) => path.normalize(l.trim())).filter((d) => d.includes(`${path.sep}c++${path.sep}`));
}

/** Compiles the addon's sources for one target and libc; returns the object files. */
async function compileAddon(t, libc, dir, jobs) {
  const cxx = `${t.gnu}-g++`;
  const includes = ['-I', nodeIncludeDir(), '-I', require('node-addon-api').include_dir, '-I', path.join(ROOT, 'native')];
  const libcFlags = [];
  if (libc === 'musl') {
    const m = muslPaths(t);
    libcFlags.push('-nostdinc', '-isystem', path.join(__dirname, 'musl-c++'));
    for (const d of await cxxHeaderDirs(cxx)) libcFlags.push('-isystem', d);
    libcFlags.push('-isystem', (await sh(`${t.gnu}-gcc`, ['-print-file-name=include'])).trim(), '-isystem', m.include);
  }
  return pool(ADDON_SOURCES, jobs, async (src) => {
    const obj = path.join(dir, `${path.basename(src, '.cc')}.o`);
    await sh(cxx, ['-c', '-o', obj, src, '-O2', '-fPIC', '-fno-omit-frame-pointer', '-fvisibility=hidden', '-ffunction-sections', '-fdata-sections',
      '-std=c++17', '-fno-exceptions', '-fno-rtti', ...WARNINGS, ...DEFINES, ...libcFlags, ...includes]);
    return obj;
  });
}

function versionKey(v) {
  return v.split('.').map((n) => n.padStart(4, '0')).join('.');
}

/** name -> { def, old: [versions] } of the GLIBC_ symbols a libc.so.6 defines. */
async function glibcSymbols(libcSo) {
  const out = await sh('readelf', ['--dyn-syms', '--wide', libcSo]);
  const symbols = new Map();
  for (const m of out.matchAll(/ (\w+)(@@?)GLIBC_([\d.]+)/g)) {
    const [, name, at, version] = m;
    const s = symbols.get(name) ?? { def: null, old: [] };
    if (at === '@@') s.def = version;
    else s.old.push(version);
    symbols.set(name, s);
  }
  return symbols;
}

/**
 * Renames, in the objects, each reference to a libc symbol whose default version is above
 * MAX_GLIBC to its newest older version (name@GLIBC_x, as `.symver` would). Throws for a symbol
 * that has none: the addon then needs a newer glibc, and the code must change.
 */
async function pinGlibcVersions(t, objects) {
  const libc = await glibcSymbols(path.join(t.glibcLibDir, 'libc.so.6'));
  const undefinedNames = new Set((await sh(`${t.gnu}-nm`, ['--undefined-only', '--format=just-symbols', ...objects]))
    .split('\n').map((s) => s.trim()).filter(Boolean));
  const pins = [];
  for (const name of [...undefinedNames].sort()) {
    const s = libc.get(name);
    if (!s || !s.def || versionKey(s.def) <= versionKey(MAX_GLIBC)) continue;
    const older = s.old.filter((v) => versionKey(v) <= versionKey(MAX_GLIBC)).sort((a, b) => (versionKey(a) < versionKey(b) ? 1 : -1));
    if (!older.length) throw new Error(`${t.arch}: ${name} exists only from GLIBC_${s.def}, above ${MAX_GLIBC}`);
    pins.push(`${name}=${name}@GLIBC_${older[0]}`);
  }
  const args = pins.flatMap((p) => ['--redefine-sym', p]);
  if (args.length) await Promise.all(objects.map((o) => sh(`${t.gnu}-objcopy`, [...args, o])));
  return pins;
}

async function linkAddon(t, libc, objects, out) {
  const gcc = `${t.gnu}-gcc`;
  const file = async (name) => (await sh(gcc, [`-print-file-name=${name}`])).trim();
  const common = ['-shared', '-o', out, '-s', `-Wl,--version-script=${EXPORTS}`, '-Wl,-z,noexecstack', '-Wl,-O1', '-Wl,--gc-sections'];
  const libstdcxx = (await sh(`${t.gnu}-g++`, ['-print-file-name=libstdc++.a'])).trim();
  if (libc === 'glibc') {
    // libdl and libpthread are named so that, on glibc < 2.34, dladdr and pthread_sigmask are
    // found in them whatever the host process links (on 2.34+ they are empty).
    await sh(gcc, [...common, ...objects, libstdcxx, '-static-libgcc',
      '-Wl,--no-as-needed', '-l:libdl.so.2', '-l:libpthread.so.0', '-Wl,--as-needed']);
  } else {
    const m = muslPaths(t);
    await sh(gcc, [...common, '-nostdlib', path.join(m.lib, 'crti.o'), await file('crtbeginS.o'), ...objects,
      // musl's libc.so has no soname: -l makes the dependency "libc.so", which musl's loader
      // resolves to itself (a path would be recorded as it is).
      libstdcxx, (await sh(gcc, ['-print-libgcc-file-name'])).trim(), `-L${path.dirname(m.libcSo)}`, '-l:libc.so',
      await file('crtendS.o'), path.join(m.lib, 'crtn.o')]);
  }
}

async function buildHelper(t, out) {
  const gcc = `${t.gnu}-gcc`;
  const m = muslPaths(t);
  const file = async (name) => (await sh(gcc, [`-print-file-name=${name}`])).trim();
  await sh(gcc, ['-o', out, '-static', '-no-pie', '-s', '-O2', '-std=gnu11', ...WARNINGS, '-Wl,-z,noexecstack',
    '-nostdinc', '-isystem', await file('include'), '-isystem', m.include, '-I', path.join(ROOT, 'native'),
    '-nostdlib', path.join(m.lib, 'crt1.o'), path.join(m.lib, 'crti.o'), await file('crtbeginT.o'),
    ...HELPER_SOURCES, '-Wl,--start-group', path.join(m.lib, 'libc.a'), (await sh(gcc, ['-print-libgcc-file-name'])).trim(),
    '-Wl,--end-group', await file('crtend.o'), path.join(m.lib, 'crtn.o')]);
  fs.chmodSync(out, 0o755);
}

async function buildTarget(t, jobs) {
  const dir = path.join(OUT, `linux-${t.arch}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `procdesc-prebuild-${t.arch}-`));
  try {
    const notes = [];
    for (const libc of ['glibc', 'musl']) {
      const objDir = path.join(tmp, libc);
      fs.mkdirSync(objDir);
      const objects = await compileAddon(t, libc, objDir, jobs);
      if (libc === 'glibc') {
        const pins = await pinGlibcVersions(t, objects);
        notes.push(`glibc pins: ${pins.map((p) => p.split('=')[1]).join(', ') || 'none'}`);
      }
      await linkAddon(t, libc, objects, path.join(dir, `procdesc.napi.${libc}.node`));
    }
    await buildHelper(t, path.join(dir, 'procdesc-helper'));
    return notes;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  const only = process.argv.find((a) => a.startsWith('--arch='))?.slice(7);
  const targets = TARGETS.filter((t) => !only || t.arch === only);
  const missing = missingTools();
  if (missing.length) {
    console.error(`prebuild: missing ${missing.join(', ')}\n  install them with: sudo bash scripts/install-toolchains.sh`);
    process.exit(1);
  }
  const started = Date.now();
  const jobs = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  for (const t of targets) {
    const notes = await buildTarget(t, jobs);
    console.log(`prebuild: linux-${t.arch} built (${notes.join('; ')})`);
  }
  const problems = checkPrebuilds(OUT, targets);
  if (problems.length) {
    console.error(`prebuild: the binaries fail their checks:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`prebuild: done in ${((Date.now() - started) / 1000).toFixed(1)} s, all checks passed`);
}

main().catch((err) => {
  console.error(`prebuild: ${err.message}`);
  process.exit(1);
});
