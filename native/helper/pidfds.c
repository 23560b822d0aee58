/* Our children's pidfds in an epoll set: an exit is found without walking the children.
 *
 * Why: wait4(-1) makes the kernel walk every child of ours (84 us with 2000 alive, Linux 6.18),
 * and SIGCHLD alone cannot say which children exited (a standard signal is pending at most once,
 * so exits close together merge into one). A pidfd turns readable when its process exits, and
 * waitid(P_PIDFD) reaps that one child (Linux 5.4).
 *
 * The pidfds live at PD_PIDFD_BASE and above, where a child's copy of our fd table does not reach
 * (child.c: CLONE_FILES, then close_range(CLOSE_RANGE_UNSHARE) below the base): thousands of
 * children alive cost a spawn nothing. Where that cannot be done (before Linux 5.9, a seccomp
 * filter, an fd limit at or under the base), no pidfd is kept and SIGCHLD's sweep finds the exit. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "helper.h"
#include "pidfd_reap.h"

static int epoll_fd = -1;

void pidfds_init(void) {
  if (child_shares_files()) epoll_fd = epoll_create1(EPOLL_CLOEXEC);
}

int pidfds_poll_fd(void) { return epoll_fd; }

int pidfds_keep(pid_t pid, int pidfd) {
  /* child_shares_files() turns 0 if the first spawn finds CLONE_FILES refused (child.c). */
  if (epoll_fd < 0 || pidfd < 0 || !child_shares_files()) return -1;
  int kept = fcntl(pidfd, F_DUPFD_CLOEXEC, PD_PIDFD_BASE);
  if (kept < 0) return -1; /* RLIMIT_NOFILE at or under the base: the sweep finds this one */
  struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ((uint64_t)(uint32_t)pid << 32) | (uint32_t)kept };
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, kept, &ev) < 0) {
    close(kept);
    return -1;
  }
  return kept;
}

void pidfds_forget(int kept) {
  /* Out of the set before the close: the host holds the same file, so closing our fd alone would
   * leave its registration (and its events) behind. */
  epoll_ctl(epoll_fd, EPOLL_CTL_DEL, kept, NULL);
  close(kept);
}

void pidfds_reap_ready(void) {
  struct epoll_event ev[64];
  int n;
  do {
    n = epoll_wait(epoll_fd, ev, 64, 0);
    for (int i = 0; i < n; i++) {
      pid_t pid = (pid_t)(ev[i].data.u64 >> 32);
      int fd = (int)(uint32_t)ev[i].data.u64;
      int status = 0;
      struct rusage ru;
      if (pd_reap_pidfd(fd, WEXITED | WNOHANG, &status, &ru) == 1) {
        reaped(pid, status, &ru);
        note_pidfd_reap(pid);
      }
    }
  } while (n == 64);
}
