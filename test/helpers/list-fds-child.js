'use strict';
// A fork()ed child that sends its own open fds ({ n: link target }) to its parent and exits.
const fs = require('node:fs');

const fds = {};
for (const n of fs.readdirSync('/proc/self/fd')) {
  try {
    fds[n] = fs.readlinkSync(`/proc/self/fd/${n}`);
  } catch { /* the directory's own fd, closed by now */ }
}
process.send(fds, () => process.exit(0));
