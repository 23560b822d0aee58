'use strict';
// A go-ahead for a child shell: the child loops until a file exists, the test makes the file when
// the child may go on (once spawn() has returned, once open() has the child...). Ordering a race
// away beats a sleep long enough for a loaded machine.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

let count = 0;

/** { wait: the shell loop (gives up after 30 s, so a test that failed first leaves no child
 * polling for ever), raise(), remove() }. */
function goFlag() {
  const file = path.join(os.tmpdir(), `procdesc-go-${process.pid}-${count++}`);
  fs.rmSync(file, { force: true });
  const quoted = `'${file.replace(/'/g, "'\\''")}'`;
  return {
    wait: `i=0; while [ ! -e ${quoted} ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i + 1)); done`,
    raise: () => fs.writeFileSync(file, ''),
    remove: () => fs.rmSync(file, { force: true }),
  };
}

module.exports = { goFlag };
