'use strict';
// Where the prebuild's toolchains and sysroots are, per target (scripts/install-toolchains.sh
// installs them): Debian's gcc 12 for x86-64, its aarch64-linux-gnu cross compiler, musl 1.2.3
// for x86-64 from Debian, musl for arm64 unpacked into the cache. One table, read by the build
// (scripts/prebuild.js), the binary checks (scripts/check-binaries.js) and the package test.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CACHE = process.env.PROCDESC_CACHE || path.join(os.homedir(), '.cache', 'procdesc-ci');

const TARGETS = [
  {
    arch: 'x64',
    gnu: 'x86_64-linux-gnu',
    musl: 'x86_64-linux-musl',
    /** readelf's name of the ELF machine. */
    machine: 'Advanced Micro Devices X86-64',
    /** The version glibc gave every symbol it had when this port began. */
    glibcBase: '2.2.5',
    glibcLibDir: '/lib/x86_64-linux-gnu',
    muslRoot: '/',
    ldMusl: 'ld-musl-x86_64.so.1',
    qemu: null,
  },
  {
    arch: 'arm64',
    gnu: 'aarch64-linux-gnu',
    musl: 'aarch64-linux-musl',
    machine: 'AArch64',
    glibcBase: '2.17',
    glibcLibDir: '/usr/aarch64-linux-gnu/lib',
    muslRoot: path.join(CACHE, 'musl-arm64'),
    ldMusl: 'ld-musl-aarch64.so.1',
    qemu: 'qemu-aarch64-static',
  },
];

/** The highest glibc symbol version a prebuilt addon may need (RHEL 8, Debian 10). */
const MAX_GLIBC = '2.28';

function firstExisting(paths) {
  return paths.find((p) => fs.existsSync(p)) ?? paths[0];
}

/** musl's headers, static and shared libc, start files and dynamic loader for a target. */
function muslPaths(t) {
  const lib = path.join(t.muslRoot, 'usr', 'lib', t.musl);
  return {
    include: path.join(t.muslRoot, 'usr', 'include', t.musl),
    lib,
    libcSo: firstExisting([path.join(lib, 'libc.so'), path.join(t.muslRoot, 'lib', t.musl, 'libc.so')]),
    ldso: path.join(t.muslRoot, 'lib', t.ldMusl),
  };
}

/** What is missing to build every target, as sentences (empty when all is there). */
function missingTools() {
  const missing = [];
  const onPath = (cmd) => (process.env.PATH || '').split(path.delimiter)
    .some((dir) => dir && fs.existsSync(path.join(dir, cmd)));
  for (const t of TARGETS) {
    for (const tool of ['gcc', 'g++', 'objcopy']) {
      if (!onPath(`${t.gnu}-${tool}`)) missing.push(`${t.gnu}-${tool}`);
    }
    const m = muslPaths(t);
    for (const f of [m.include, path.join(m.lib, 'libc.a'), m.libcSo]) {
      if (!fs.existsSync(f)) missing.push(`musl for ${t.arch} (${f})`);
    }
  }
  return missing;
}

module.exports = { CACHE, TARGETS, MAX_GLIBC, muslPaths, missingTools };
