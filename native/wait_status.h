/* A wait(2) status word from waitid's siginfo, for the two places that reap through a pidfd with
 * waitid(P_PIDFD) (it has the rusage argument; wait4 has no pidfd form): the helper
 * (helper/pidfds.c) and the host when it adopts orphans (addon/orphan_reap.cc). lib/core/
 * exit_status.ts is the one decoder of the word. Returns -1 for a code that is not an exit. */
#ifndef PROCDESC_WAIT_STATUS_H
#define PROCDESC_WAIT_STATUS_H

#include <signal.h>

static inline int pd_wait_status(const siginfo_t *si) {
  switch (si->si_code) {
    case CLD_EXITED: return (si->si_status & 0xff) << 8;
    case CLD_KILLED: return si->si_status & 0x7f;
    case CLD_DUMPED: return (si->si_status & 0x7f) | 0x80;
    default: return -1;
  }
}

#endif
