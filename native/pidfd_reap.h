/* Reaping one child through its pidfd: waitid(P_PIDFD) (Linux 5.4), which reaps exactly the process
 * the pidfd names, and only if we are its parent (else ECHILD). Shared by the two places that do it:
 * the helper (helper/pidfds.c) and the host when it adopts orphans (addon/orphan_reap.cc). The raw
 * syscall: glibc's waitid has no rusage argument, and older glibc headers lack P_PIDFD. The status
 * goes back to a wait(2) word: lib/core/exit_status.ts is the one decoder of exits. */
#ifndef PROCDESC_PIDFD_REAP_H
#define PROCDESC_PIDFD_REAP_H

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* options: WEXITED, with WNOHANG or not. Returns 1 with *status (and *ru, if given) set; 0 when
 * nothing was reaped (WNOHANG: alive, or readable spuriously; or a code that is not an exit, not
 * expected with WEXITED alone); -errno when the call failed (ECHILD: not our child, EINVAL: < 5.4). */
static inline int pd_reap_pidfd(int pidfd, int options, int *status, struct rusage *ru) {
  siginfo_t si;
  struct rusage unused;
  memset(&si, 0, sizeof si);
  long r;
  do {
    r = syscall(SYS_waitid, P_PIDFD, pidfd, &si, options, ru ? ru : &unused);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return -errno;
  if (si.si_pid == 0) return 0;
  switch (si.si_code) {
    case CLD_EXITED: *status = (si.si_status & 0xff) << 8; return 1;
    case CLD_KILLED: *status = si.si_status & 0x7f; return 1;
    case CLD_DUMPED: *status = (si.si_status & 0x7f) | 0x80; return 1;
    default: return 0;
  }
}

#endif
