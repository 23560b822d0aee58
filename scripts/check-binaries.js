'use strict';
// Checks the shipped binaries from what their ELF headers say (readelf), so a build that would not
// load where we promise it does fails here, not on a user's machine:
//   glibc addon   needs no GLIBC_ version above MAX_GLIBC, no GLIBCXX/CXXABI/GCC version, and only
//                 libc.so.6, libdl.so.2, libpthread.so.0; exports only the N-API entry points
//   musl addon    needs only musl's libc, no symbol versions; musl's own dynamic loader (`--list`,
//                 under qemu for arm64) resolves every symbol but Node's (napi_*, uv_*)
//   helper        static (no interpreter, no shared library), executable
//   all           built for the directory's architecture
//   node scripts/check-binaries.js [prebuilds dir]   prints one line per binary, exits 1 on a problem
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { TARGETS, MAX_GLIBC, muslPaths } = require('./toolchains');

const NODE_SYMBOL = /^(napi_|node_api_|uv_)/;
const ENTRY_POINTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];

function readelf(args, file) {
  const r = spawnSync('readelf', ['--wide', ...args, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`readelf ${args.join(' ')} ${file}: ${r.stderr || r.error}`);
  return r.stdout;
}

const versionKey = (v) => v.split('.').map((n) => n.padStart(4, '0')).join('.');

function machineOf(file) {
  return /Machine:\s+(.*)/.exec(readelf(['-h'], file))?.[1].trim();
}

function neededOf(file) {
  return [...readelf(['-d'], file).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

/** Version names required from other objects (.gnu.version_r). */
function versionNeeds(file) {
  const out = readelf(['-V'], file);
  const section = out.slice(out.indexOf('.gnu.version_r') >= 0 ? out.indexOf('.gnu.version_r') : out.length);
  return [...section.matchAll(/Name: (\S+)/g)].map((m) => m[1]);
}

/** [name, undefined?] of the dynamic symbols (the global and weak ones). */
function dynamicSymbols(file) {
  const rows = [];
  for (const line of readelf(['--dyn-syms'], file).split('\n')) {
    const f = line.trim().split(/\s+/);
    // Num: Value Size Type Bind Vis Ndx Name
    if (f.length < 8 || !/^\d+:$/.test(f[0]) || f[4] === 'LOCAL' || !f[7]) continue;
    rows.push({ name: f[7].replace(/@.*/, ''), undef: f[6] === 'UND', weak: f[4] === 'WEAK' });
  }
  return rows;
}

/** The symbols musl's loader cannot resolve in `file` (it reports them all, then fails). */
function muslUnresolved(t, file) {
  const { ldso } = muslPaths(t);
  const [cmd, args] = t.qemu ? [t.qemu, [ldso, '--list', file]] : [ldso, ['--list', file]];
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  const text = `${r.stdout}\n${r.stderr}`;
  const unresolved = [...text.matchAll(/Error relocating [^:]+: ([^:]+): symbol not found/g)].map((m) => m[1]);
  const other = text.split('\n').filter((l) => /Error/.test(l) && !/symbol not found/.test(l));
  return { unresolved, other };
}

function checkGlibcAddon(t, file, problems, facts) {
  const needs = versionNeeds(file);
  const glibc = needs.filter((n) => n.startsWith('GLIBC_') && !n.startsWith('GLIBC_PRIVATE')).map((n) => n.slice(6));
  const highest = glibc.sort((a, b) => (versionKey(a) < versionKey(b) ? -1 : 1)).at(-1);
  facts.push(`needs GLIBC_${highest}`);
  if (highest && versionKey(highest) > versionKey(MAX_GLIBC)) problems.push(`needs GLIBC_${highest} (at most ${MAX_GLIBC})`);
  const cxx = needs.filter((n) => /^(GLIBCXX|CXXABI|GCC|GLIBC_PRIVATE)/.test(n));
  if (cxx.length) problems.push(`needs ${cxx.join(', ')}`);
  const needed = neededOf(file).filter((n) => !['libc.so.6', 'libdl.so.2', 'libpthread.so.0'].includes(n));
  if (needed.length) problems.push(`links ${needed.join(', ')}`);
}

function checkMuslAddon(t, file, problems, facts) {
  const needed = neededOf(file);
  if (needed.join() !== 'libc.so') problems.push(`links ${needed.join(', ') || 'nothing'}, not musl's libc.so alone`);
  if (versionNeeds(file).length) problems.push(`needs symbol versions ${versionNeeds(file).join(', ')}`);
  const { unresolved, other } = muslUnresolved(t, file);
  const foreign = unresolved.filter((s) => !NODE_SYMBOL.test(s));
  if (foreign.length) problems.push(`musl's loader cannot resolve ${foreign.join(', ')}`);
  if (other.length) problems.push(`musl's loader: ${other.join('; ')}`);
  if (!unresolved.length && !other.length) problems.push('musl\'s loader reported nothing: the check did not run');
  facts.push(`musl loader resolves all but ${unresolved.length} Node symbols`);
}

function checkAddon(t, libc, file, problems, facts) {
  const exported = dynamicSymbols(file).filter((s) => !s.undef).map((s) => s.name).sort();
  if (exported.join() !== [...ENTRY_POINTS].sort().join()) problems.push(`exports ${exported.join(', ')}`);
  if (libc === 'glibc') checkGlibcAddon(t, file, problems, facts);
  else checkMuslAddon(t, file, problems, facts);
}

function checkHelper(t, file, problems, facts) {
  const headers = readelf(['-l', '-d'], file);
  const isStatic = !/Requesting program interpreter/.test(headers) && /There is no dynamic section/.test(headers);
  if (!isStatic) problems.push('is not a static executable');
  if ((fs.statSync(file).mode & 0o111) !== 0o111) problems.push(`mode ${(fs.statSync(file).mode & 0o777).toString(8)}, not executable by all`);
  facts.push('static');
}

/** Checks prebuilds/linux-<arch>/ for each target; returns the problems, prints one line per binary. */
function checkPrebuilds(dir, targets = TARGETS, log = console.log) {
  const problems = [];
  for (const t of targets) {
    const files = [['glibc', `procdesc.napi.glibc.node`], ['musl', `procdesc.napi.musl.node`], ['helper', 'procdesc-helper']];
    for (const [kind, name] of files) {
      const file = path.join(dir, `linux-${t.arch}`, name);
      const mine = [];
      const facts = [];
      if (!fs.existsSync(file)) {
        problems.push(`${file}: missing`);
        continue;
      }
      try {
        const machine = machineOf(file);
        if (machine !== t.machine) mine.push(`built for ${machine}, not ${t.machine}`);
        if (kind === 'helper') checkHelper(t, file, mine, facts);
        else checkAddon(t, kind, file, mine, facts);
      } catch (err) {
        mine.push(err.message);
      }
      log(`  ${path.relative(path.dirname(dir), file)}: ${fs.statSync(file).size} bytes, ${facts.join(', ')}${mine.length ? ' -- FAILS' : ''}`);
      problems.push(...mine.map((p) => `${file}: ${p}`));
    }
  }
  return problems;
}

module.exports = { checkPrebuilds };

if (require.main === module) {
  const problems = checkPrebuilds(path.resolve(process.argv[2] || path.join(__dirname, '..', 'prebuilds')));
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
}
