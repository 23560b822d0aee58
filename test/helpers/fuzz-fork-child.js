'use strict';
// The module the fuzzer fork()s: prints its argv, then exits with a code it can be told
// (argv[2] when it is a small integer), leaving its IPC channel the way Node would.
process.stdout.write(`fork-child ${JSON.stringify(process.argv.slice(2))} ${typeof process.send}\n`);
const code = /^\d{1,2}$/.test(process.argv[2] || '') ? Number(process.argv[2]) : 0;
process.exit(code);
