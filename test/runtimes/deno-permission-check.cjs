'use strict';
// Run by Deno without --allow-run (.ci/run): the helper is not Deno's to check, so procdesc asks
// Deno's permissions itself; spawn() must fail as Deno's own would (no terminal: denied), and
// nothing may run. Prints one JSON line; exits 1 if a child ran.
const path = require('node:path');
const { spawn } = require(path.resolve(__dirname, '..', '..', 'dist', 'lib', 'index.js'));

let result;
try {
  spawn('true', [], { stdio: 'ignore' });
  result = { ok: false, why: 'a child ran without --allow-run' };
} catch (err) {
  result = { ok: err.name === 'NotCapable' && err.code === 'ERR_ACCESS_DENIED', name: err.name, message: err.message };
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
