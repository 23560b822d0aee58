/* procdesc-helper: the spawn server. It is the parent of every child the host asks for, so the host
 * never is: exec resets a child's exit signal to SIGCHLD, and any exec'd child of the host would be
 * visible to the host's waitpid(-1) reapers and SIGCHLD handlers (see shared/DESIGN.md).
 *
 * It is started by the addon (native/addon/launch.cc) with the request channel on fd 3 and the
 * event channel on fd 4, and does three things until the request channel closes:
 *   - spawn on request (child.c) and reply with the pid and the pidfd (SCM_RIGHTS);
 *   - reap its children (their pidfds in an epoll set, pidfds.c; SIGCHLD through a signalfd: wait4
 *     on the PID it names, and a wait4(-1) sweep where a pidfd cannot tell; it is their only parent,
 *     so -1 is safe) and queue an exit record for each;
 *   - send the queued exit records, batched, without ever blocking on a host that is slow to read
 *     (a blocked helper could not answer the synchronous spawn the host may be waiting in).
 * It kills nobody on its own: when the host goes away, children keep running, as under Node.
 * Single-threaded; everything it holds is FD_CLOEXEC, so children inherit only their stdio.
 * This file is the poll loop; requests.c answers the request channel, reaper.c reaps and reports. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "helper.h"
#include "protocol.h"
#include "tree.h"

static int setup_signals(void) {
  /* exec kept whatever the host ignored; start from defaults below 32 (libuv resets those for
   * Node's children and leaves the real-time ones as they are; so do we). We handle no signal and
   * ignore none below 32, so exec leaves those of our children at SIG_DFL as libuv does, and the
   * child has only its mask to clear (child.c): no sigaction in the window in which we wait for it
   * (ten of them were ~10 us there on a 2-vCPU VM). */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < 32; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &sa, NULL);
  }
  /* We share the host's process group and terminal (so that children do too, as under Node):
   * a Ctrl-C or Ctrl-Z meant for the host must not take the spawn server down or stop it. These
   * stay blocked (pending at most once each, never delivered) rather than ignored, which a child
   * would inherit. When the host dies, the request channel closes and we leave. SIGCHLD is
   * blocked too, and read from the signalfd. */
  static const int shielded[] = { SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU,
                                  SIGPIPE, SIGUSR1, SIGUSR2 };
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigset_t mask = chld;
  for (size_t i = 0; i < sizeof shielded / sizeof shielded[0]; i++) sigaddset(&mask, shielded[i]);
  sigprocmask(SIG_SETMASK, &mask, NULL);
  return signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Whether SIGCHLD needs the wait4(-1) sweep now: for exits whose signal merged into another's (a
 * standard signal is pending at most once) that no pidfd will report. Children kept without a
 * pidfd have none, nor do orphans our subreaping adopted (unknown: a signal from one we did not
 * know, so others may have merged into it); otherwise at most once a second. */
static int sweep_due(int unknown, const struct timespec *last, const struct timespec *now) {
  if (unknown || live_without_pidfd()) return 1;
  return now->tv_sec > last->tv_sec + 1 || (now->tv_sec == last->tv_sec + 1 && now->tv_nsec >= last->tv_nsec);
}

int main(void) {
  if (fcntl(PD_REQ_FD, F_SETFD, FD_CLOEXEC) < 0 || fcntl(PD_EVT_FD, F_SETFD, FD_CLOEXEC) < 0) return 2;
  int sfd = setup_signals();
  if (sfd < 0) return 3;
  child_init();
  pidfds_init();
  tree_init();

  struct pd_hello hello = { .magic = PD_HELLO_MAGIC, .pid = getpid(), .request_size = sizeof(struct pd_spawn_request),
                            .features = (child_has_clone_pidfd() ? PD_FEATURE_CLONE_PIDFD : 0) | tree_features() };
  if (send(PD_REQ_FD, &hello, sizeof hello, MSG_NOSIGNAL) != sizeof hello) return 4;

  /* A sweep skipped while a pidfd could find every exit of ours (sweep_due): owed, and made within
   * a second, for an orphan whose SIGCHLD merged into another's. */
  int sweep_owed = 0;
  struct timespec last_sweep = { 0, 0 };
  for (;;) {
    forget_pidfd_reaps(); /* a SIGCHLD read in a later turn gets its wait4, which is harmless */
    struct pollfd pfd[4] = {
      { .fd = PD_REQ_FD, .events = POLLIN },
      { .fd = sfd, .events = POLLIN },
      { .fd = PD_EVT_FD, .events = pending_exit_count() ? POLLOUT : 0 },
      { .fd = pidfds_poll_fd(), .events = POLLIN }, /* -1: ignored by poll */
    };
    int ready = poll(pfd, 4, sweep_owed ? 1000 : -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return 5;
    }
    /* Exits first, and their records out at once (the host waits for them): the pidfds that turned
     * readable, then the children the signals name. */
    if (pfd[3].revents & POLLIN) pidfds_reap_ready();
    if (flush_exits() < 0) break;
    if (ready == 0 || (pfd[1].revents & POLLIN)) {
      /* Drained in as few reads as it takes: a short read says nothing more is pending. */
      struct signalfd_siginfo si[8];
      int unknown = 0;
      ssize_t got;
      while ((got = read(sfd, si, sizeof si)) > 0) {
        for (size_t i = 0; i < (size_t)got / sizeof si[0]; i++) unknown |= reap_child((pid_t)si[i].ssi_pid) == 2;
        if ((size_t)got < sizeof si) break;
      }
      if (flush_exits() < 0) break;
      /* Then the sweep, whose cost grows with the children alive. */
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (ready == 0 || sweep_due(unknown, &last_sweep, &now)) {
        reap_children();
        last_sweep = now;
        sweep_owed = 0;
      } else {
        sweep_owed = 1;
      }
      tree_sweep();
    }
    if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (handle_request() < 0) break;
    }
    if (pfd[2].revents & (POLLHUP | POLLERR)) break;
    if (flush_exits() < 0) break;
  }
  /* The host is gone. Children live on, as under Node, except those asked to die with it. */
  kill_on_close();
  tree_kill_on_close();
  return 0;
}
