'use strict';
// The package as a user gets it (.ci/run runs this after npm test):
//  1. `npm pack` (which runs the prebuild), and the tarball's contents checked: compiled JS and
//     .d.ts, the ESM faces, the prebuilds with the helpers' exec bits, README and LICENSE; no TS
//     sources, tests, native sources or binding.gyp; no install script; under 1 MB unpacked.
//  2. Its binaries checked from their ELF headers (scripts/check-binaries.js), as installed.
//  3. The tarball installed into a fresh app by npm (defaults, and --ignore-scripts), pnpm 10 and
//     12, Bun and Yarn 4 (Plug'n'Play, its default), with every compiler and node-gyp on PATH
//     replaced by a trap that records the call; in each app test/package/app-check.js must report
//     procdesc's own path, the prebuilt addon mapped, the helper beside it as the child's parent,
//     the right output from a piped spawn and from execFileSync, and import() giving the same
//     modules as require(). No trap may have fired.
//  4. arm64 under qemu-user (binfmt_misc): the npm app run by the npm registry's arm64 Node loads
//     the arm64 addon, and spawns work through the helper or, where qemu cannot do what the addon
//     needs, through the reported fallback; then the arm64 helper, under qemu, serves the x86-64
//     addon: spawns through it, with the helper as the children's parent.
// Prints one line per check and ends with "N passed, N failed".
//   node test/package/consumer.js [--only=npm,pnpm10,...]
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { CACHE, TARGETS } = require('../../scripts/toolchains');
const { checkPrebuilds } = require('../../scripts/check-binaries');
const { tool, describeTool } = require('./tools');

const ROOT = path.resolve(__dirname, '..', '..');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'procdesc-consumer-'));
const results = [];

function record(name, problems, detail = '') {
  results.push({ name, ok: problems.length === 0 });
  console.log(`${problems.length ? 'FAIL' : 'ok  '} ${name}${detail ? ` (${detail})` : ''}`);
  for (const p of problems) console.log(`       ${p}`);
}

function exec(cmd, args, options = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600000, ...options });
  return { ...r, seconds: (Date.now() - started) / 1000, text: `${r.stdout || ''}${r.stderr || ''}${r.error ? r.error.message : ''}` };
}

// ---- 1. the tarball ----------------------------------------------------------------------------

const REQUIRED = ['package.json', 'README.md', 'LICENSE', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'esm/index.mjs',
  'esm/child_process.mjs', ...TARGETS.flatMap((t) => ['procdesc.napi.glibc.node', 'procdesc.napi.musl.node', 'procdesc-helper']
    .map((f) => `prebuilds/linux-${t.arch}/${f}`))];
const FORBIDDEN = [[/(?<!\.d)\.ts$/, 'TypeScript source'], [/^test\//, 'test'], [/^native\//, 'native source'],
  [/(^|\/)binding\.gyp$/, 'binding.gyp'], [/^(lib|integrations|scripts|benchmarks)\//, 'source tree'],
  [/^tsconfig\.json$/, 'tsconfig'], [/^build\//, 'local build']];

function pack() {
  const r = exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
  if (r.status !== 0) throw new Error(`npm pack failed:\n${r.text}`);
  // Lifecycle scripts may print before npm's JSON, which starts on a line of its own.
  const start = r.stdout.search(/^\[$/m);
  if (start < 0) throw new Error(`npm pack printed no JSON:\n${r.text}`);
  const info = JSON.parse(r.stdout.slice(start))[0];
  const problems = [];
  const files = new Map(info.files.map((f) => [f.path, f]));
  for (const f of REQUIRED) if (!files.has(f)) problems.push(`missing ${f}`);
  for (const f of files.keys()) {
    for (const [re, what] of FORBIDDEN) if (re.test(f)) problems.push(`ships ${what}: ${f}`);
  }
  for (const [f, { mode }] of files) {
    if (f.endsWith('/procdesc-helper') && (mode & 0o111) !== 0o111) problems.push(`${f} has mode ${mode.toString(8)}`);
  }
  if (info.unpackedSize >= 1000000) problems.push(`unpacked size ${info.unpackedSize} bytes, not under 1 MB`);
  const tgz = path.join(work, info.filename);
  const pkg = JSON.parse(exec('tar', ['-xzOf', tgz, 'package/package.json']).stdout);
  for (const s of ['preinstall', 'install', 'postinstall']) if (pkg.scripts?.[s]) problems.push(`has a ${s} script`);
  if (pkg.gypfile !== false) problems.push('package.json lacks "gypfile": false');
  if (pkg.os) problems.push(`package.json limits "os" to ${pkg.os}`);
  const byTop = {};
  for (const [f, { size }] of files) byTop[f.split('/')[0]] = (byTop[f.split('/')[0]] || 0) + size;
  const summary = Object.entries(byTop).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} kB`).join(', ');
  record('npm pack: the tarball\'s contents', problems,
    `${info.files.length} files, ${(info.size / 1024).toFixed(0)} kB packed, ${(info.unpackedSize / 1024).toFixed(0)} kB unpacked: ${summary}; ${r.seconds.toFixed(0)} s with the prebuild`);
  return tgz;
}

// ---- 3. installs with no compiler ----------------------------------------------------------------

const TRAPPED = ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++', 'make', 'node-gyp', 'python3', 'python',
  ...TARGETS.flatMap((t) => [`${t.gnu}-gcc`, `${t.gnu}-g++`])];

/** PATH with a trap for each compiler and build tool, and npm's own node-gyp pointed at one. */
function trappedEnv() {
  const dir = path.join(work, 'trap');
  const log = path.join(work, 'trap.log');
  fs.mkdirSync(dir, { recursive: true });
  for (const name of TRAPPED) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\necho "$0 $*" >> '${log}'\nexit 1\n`, { mode: 0o755 });
  }
  const env = {
    ...process.env,
    PATH: [dir, path.dirname(process.execPath), ...(process.env.PATH || '').split(':')].join(':'),
    npm_config_node_gyp: path.join(dir, 'node-gyp'),
  };
  // The trap must be what a build would find, or this test proves nothing.
  const found = exec('sh', ['-c', 'command -v gcc; command -v g++; command -v node-gyp'], { env }).stdout.trim().split('\n');
  if (found.some((f) => path.dirname(f) !== dir)) throw new Error(`the compiler trap is not first on PATH: ${found}`);
  return { env, log };
}

const registry = exec('npm', ['config', 'get', 'registry']).stdout.trim() || 'https://registry.npmjs.org/';

const INSTALLERS = [
  { id: 'npm', name: 'npm (defaults)', install: (tgz) => ['npm', ['install', tgz]] },
  { id: 'npm-ignore-scripts', name: 'npm --ignore-scripts', install: (tgz) => ['npm', ['install', '--ignore-scripts', tgz]] },
  { id: 'pnpm10', name: describeTool('pnpm10'),
    install: (tgz) => [process.execPath, [tool('pnpm10'), 'add', tgz, '--store-dir', path.join(CACHE, 'pnpm10-store')]] },
  { id: 'pnpm12', name: describeTool('pnpm12'),
    install: (tgz) => [tool('pnpm12'), ['add', tgz, '--store-dir', path.join(CACHE, 'pnpm12-store')]] },
  { id: 'bun', name: describeTool('bun'), install: (tgz) => [tool('bun'), ['add', tgz]],
    env: { BUN_INSTALL_CACHE_DIR: path.join(CACHE, 'bun-cache') } },
  { id: 'yarn4', name: `${describeTool('yarn4')} (Plug'n'Play)`,
    install: (tgz) => [process.execPath, [tool('yarn4'), 'add', `procdesc@file:${tgz}`]],
    run: (script) => [process.execPath, [tool('yarn4'), 'node', script]],
    setup: (dir) => fs.writeFileSync(path.join(dir, 'yarn.lock'), ''),
    // Yarn writes its ESM loader only for projects it sees using ESM ("type": "module"); this
    // CommonJS app also calls import(), so it asks for the loader.
    env: { YARN_GLOBAL_FOLDER: path.join(CACHE, 'yarn'), YARN_ENABLE_TELEMETRY: '0', YARN_ENABLE_IMMUTABLE_INSTALLS: '0',
      YARN_PNP_ENABLE_ESM_LOADER: 'true',
      YARN_NPM_REGISTRY_SERVER: registry.replace(/\/$/, '') } },
];

function newApp(id) {
  const dir = path.join(work, `app-${id}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${id}`, version: '1.0.0', private: true }));
  fs.copyFileSync(path.join(__dirname, 'app-check.js'), path.join(dir, 'app-check.js'));
  return dir;
}

/** What is wrong with an app-check report, for a process of `arch`. */
function judge(report, arch, { fallbackAllowed = null } = {}) {
  const problems = [];
  if (report.error) return [`app-check threw: ${report.error}`];
  const prebuilt = new RegExp(`/prebuilds/linux-${arch}/procdesc\\.napi\\.glibc\\.node$`);
  if (report.arch !== arch) problems.push(`ran as ${report.arch}, not ${arch}`);
  if (!report.addons.some((f) => prebuilt.test(f))) problems.push(`mapped addons ${JSON.stringify(report.addons)}, not the prebuilt one`);
  if (report.addons.some((f) => /\/build\/Release\//.test(f))) problems.push('a local build was loaded');
  const expectOut = report.path === 'procdesc' ? `got:hello ppid:${report.helperPid}\n` : null;
  if (report.path === 'procdesc') {
    const helper = new RegExp(`/prebuilds/linux-${arch}/procdesc-helper$`);
    const named = [report.helper?.exe, ...(report.helper?.cmdline || [])].some((a) => helper.test(a || ''));
    if (!named) problems.push(`the helper is ${JSON.stringify(report.helper)}, not the prebuilt one`);
    if (report.spawn.out !== expectOut) problems.push(`piped spawn printed ${JSON.stringify(report.spawn.out)}, not ${JSON.stringify(expectOut)}`);
  } else if (!fallbackAllowed || !fallbackAllowed.test(report.reason || '')) {
    problems.push(`runs on node:child_process: ${report.reason}`);
  } else if (!/^got:hello ppid:\d+\n$/.test(report.spawn.out)) {
    problems.push(`piped spawn printed ${JSON.stringify(report.spawn.out)}`);
  }
  if (report.spawn.code !== 0 || report.spawn.signal !== null) problems.push(`piped spawn exited ${report.spawn.code}/${report.spawn.signal}`);
  if (report.sync !== 'sync-ok\n') problems.push(`execFileSync gave ${JSON.stringify(report.sync)}`);
  if (report.esmShared !== true) problems.push('import() of procdesc and procdesc/child_process gave other modules than require()');
  return problems;
}

function runCheck(dir, cmd, args, env) {
  const r = exec(cmd, args, { cwd: dir, env, timeout: 120000 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) return { report: { error: `no report (exit ${r.status}): ${r.text.slice(-2000)}` }, r };
  return { report: JSON.parse(line), r };
}

function consumerInstall(inst, tgz, trap) {
  const dir = newApp(inst.id);
  inst.setup?.(dir);
  const env = { ...trap.env, ...inst.env };
  const [cmd, args] = inst.install(tgz);
  const r = exec(cmd, args, { cwd: dir, env });
  if (r.status !== 0) {
    record(`${inst.name}: install and run`, [`install exited ${r.status}:\n${r.text.slice(-3000)}`]);
    return null;
  }
  const problems = [];
  const trapped = fs.existsSync(trap.log) ? fs.readFileSync(trap.log, 'utf8').trim() : '';
  if (trapped) problems.push(`the install ran a compiler or build tool: ${trapped}`);
  fs.rmSync(trap.log, { force: true });
  const [runCmd, runArgs] = inst.run ? inst.run('app-check.js') : [process.execPath, ['app-check.js']];
  const { report } = runCheck(dir, runCmd, runArgs, env);
  problems.push(...judge(report, process.arch));
  record(`${inst.name}: install and run`, problems,
    `install ${r.seconds.toFixed(1)} s; path ${report.path}; addon ${(report.addons || []).map((f) => path.relative(dir, f)).join(' ')}`);
  return dir;
}

// ---- 4. arm64 under qemu-user -------------------------------------------------------------------

/** Registers qemu-aarch64 with binfmt_misc (as Debian's qemu-user-static would under systemd). */
function ensureBinfmt() {
  const root = '/proc/sys/fs/binfmt_misc';
  if (!fs.existsSync(path.join(root, 'register'))) {
    const m = exec('mount', ['-t', 'binfmt_misc', 'binfmt_misc', root]);
    if (m.status !== 0) throw new Error(`cannot mount binfmt_misc: ${m.text}`);
  }
  if (!fs.existsSync(path.join(root, 'qemu-aarch64'))) {
    fs.writeFileSync(path.join(root, 'register'), fs.readFileSync('/usr/lib/binfmt.d/qemu-aarch64.conf', 'utf8').trim());
  }
  if (!/^enabled/.test(fs.readFileSync(path.join(root, 'qemu-aarch64'), 'utf8'))) throw new Error('binfmt qemu-aarch64 is disabled');
}

function arm64UnderQemu(appDir, trap) {
  const name = `arm64 under qemu-user: ${describeTool('nodeArm64')} runs the npm app`;
  try {
    ensureBinfmt();
  } catch (err) {
    record(name, [err.message]);
    return;
  }
  const env = { ...trap.env, QEMU_LD_PREFIX: TARGETS.find((t) => t.arch === 'arm64').glibcLibDir.replace(/\/lib$/, '') };
  const { report } = runCheck(appDir, tool('nodeArm64'), ['app-check.js'], env);
  // qemu-user cannot emulate a clone() whose exit signal is not SIGCHLD ("We can't support custom
  // termination signals"), which is how the addon starts the helper without the host ever seeing
  // it: there the reported fallback is right. The arm64 helper is run by the next check.
  const problems = judge(report, 'arm64', { fallbackAllowed: /pidfd|clone failed: EINVAL/ });
  record(name, problems, `path ${report.path}${report.reason ? ` (${report.reason})` : ''}; addon ${(report.addons || []).map((f) => path.relative(appDir, f)).join(' ')}`);

  // The arm64 helper, under qemu, as the helper of the x86-64 addon: a copy of the npm app whose
  // linux-x64/procdesc-helper is the arm64 one.
  const helperName = 'arm64 under qemu-user: the arm64 helper serves the x86-64 addon';
  const copy = path.join(work, 'app-arm64-helper');
  fs.cpSync(appDir, copy, { recursive: true });
  const prebuilds = path.join(copy, 'node_modules', 'procdesc', 'prebuilds');
  fs.copyFileSync(path.join(prebuilds, 'linux-arm64', 'procdesc-helper'), path.join(prebuilds, 'linux-x64', 'procdesc-helper'));
  const second = runCheck(copy, process.execPath, ['app-check.js'], trap.env).report;
  const helperProblems = judge(second, process.arch);
  if (!/qemu/.test(second.helper?.exe || '')) helperProblems.push(`the helper's executable is ${second.helper?.exe}, not qemu's`);
  record(helperName, helperProblems, `path ${second.path}; helper exe ${second.helper?.exe}`);
}

// ---- main ------------------------------------------------------------------------------------------

function main() {
  const started = Date.now();
  console.log(`package test in ${work} (cache ${CACHE})`);
  const tgz = pack();
  const trap = trappedEnv();
  let npmApp = null;
  for (const inst of INSTALLERS) {
    if (only && !only.includes(inst.id)) continue;
    const dir = consumerInstall(inst, tgz, trap);
    if (inst.id === 'npm') npmApp = dir;
  }
  if (npmApp) {
    const lines = [];
    const problems = checkPrebuilds(path.join(npmApp, 'node_modules', 'procdesc', 'prebuilds'), TARGETS, (l) => lines.push(l));
    record('installed binaries: ELF checks', problems, `\n${lines.join('\n')}\n`);
    if (!only || only.includes('arm64')) arm64UnderQemu(npmApp, trap);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`package test: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  if (!failed) fs.rmSync(work, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

main();
