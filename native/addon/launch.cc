// Starting the helper without ever becoming the parent of an exec'd process.
//
// exec resets a child's exit signal to SIGCHLD, so if the host exec'd the helper itself, the
// helper's death would raise SIGCHLD in the host and could be reaped by any waitpid(-1) in it.
// Instead (a double vfork, never through node:child_process and its SIGCHLD machinery):
//   host --clone(CLONE_VM|CLONE_VFORK, exit signal 0)--> A --clone(CLONE_VM|CLONE_VFORK)--> B
//   B sets up fds 0-4 and execs the helper; A then exits at once, so the helper is re-parented
//   to init (or the nearest subreaper). A never execs: its exit signal stays 0, so A raises no
//   SIGCHLD and is invisible to waitpid(-1) without __WALL; we reap it with __WALL.
// CLONE_VM means no page tables are copied however large the host is, and A and B only touch
// their own stacks and LaunchArgs. All signals stay blocked in A and B: the host's handlers live
// in memory they share, and must never run there. B keeps that mask across execve; the helper
// sets its own mask first thing.
//
// Where the host is PID 1 of a PID namespace or a child subreaper, A's exit re-parents the helper
// to the host itself, and only the host can reap it (orphan_reap.cc). For that A is also made with
// CLONE_FILES and clones B with CLONE_PIDFD (5.2): the pidfd lands in the host's own fd table, bound
// to B before B can exit, so no PID is ever looked up (a pidfd_open by PID could name a recycled
// process). Elsewhere that pidfd is closed at once.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procdesc.h"

// glibc before 2.31 and older musl headers lack it (the kernel has it since 5.2).
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

namespace procdesc {
namespace {

constexpr size_t kStackSize = 64 * 1024;

struct LaunchArgs {
  const char* path;
  char* const* argv;
  char* const* envp;
  int req_fd;  // the helper's ends of the channels
  int evt_fd;
  int max_fd;  // for closing every other fd where close_range is missing (before 5.9)
  char* stack_b_top;
  int helper_pidfd;  // B's pidfd, written by the kernel into the host's fd table (CLONE_FILES)
  int clone_pidfd_errno;  // why clone(CLONE_PIDFD) failed here, if it did: the helper would fail alike
  volatile int err;
  volatile int step;  // which syscall failed, for the error message
};

enum LaunchStep { kStepNone, kStepClone, kStepOpen, kStepDup, kStepExec };

[[noreturn]] void Fail(LaunchArgs* a, int step) {
  a->err = errno;
  a->step = step;
  syscall(SYS_exit_group, 127);
  __builtin_unreachable();
}

// B: becomes the helper. Async-signal-safe code only (we share the host's memory).
int RunB(void* p) {
  LaunchArgs* a = static_cast<LaunchArgs*>(p);
  int null_fd = open("/dev/null", O_RDWR);
  if (null_fd < 0) Fail(a, kStepOpen);
  // Lift the sources above 4 first so that the dup2s below cannot overwrite one another.
  int req = fcntl(a->req_fd, F_DUPFD, 10);
  int evt = fcntl(a->evt_fd, F_DUPFD, 10);
  int nul = fcntl(null_fd, F_DUPFD, 10);
  if (req < 0 || evt < 0 || nul < 0) Fail(a, kStepDup);
  if (dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0 || dup2(req, PD_REQ_FD) < 0 ||
      dup2(evt, PD_EVT_FD) < 0)
    Fail(a, kStepDup);
  // The helper must hold nothing of the host's but its two channels.
  if (syscall(SYS_close_range, PD_EVT_FD + 1, ~0U, 0) < 0) {
    for (int fd = PD_EVT_FD + 1; fd <= a->max_fd; fd++) close(fd);
  }
  execve(a->path, a->argv, a->envp);
  Fail(a, kStepExec);
}

// A: only exists so that the helper's parent is not the host.
int RunA(void* p) {
  LaunchArgs* a = static_cast<LaunchArgs*>(p);
  pid_t b = clone(RunB, a->stack_b_top, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, a, &a->helper_pidfd);
  // EINVAL before 5.2; a sandbox may refuse the flag. Then no pidfd: in the shapes where the host
  // is the helper's parent, a dead helper stays a zombie (as before this existed).
  if (b < 0 && errno != EAGAIN && errno != ENOMEM) {
    a->clone_pidfd_errno = errno;
    a->helper_pidfd = -1;
    b = clone(RunB, a->stack_b_top, CLONE_VM | CLONE_VFORK | SIGCHLD, a);
  }
  if (b < 0) Fail(a, kStepClone);
  // B has exec'd (or failed and exited; then its exit is reported to A's parent-to-be, init,
  // once A exits, and init reaps it).
  syscall(SYS_exit_group, 0);
  __builtin_unreachable();
}

const char* StepName(int step) {
  switch (step) {
    case kStepClone: return "clone";
    case kStepOpen: return "open";
    case kStepDup: return "dup2";
    case kStepExec: return "execve";
    default: return "spawn helper";
  }
}

// A helper that failed to start, where we are its parent: it must not stay a zombie of ours. It
// has exited (an exec error) or will once its channels are closed; SIGKILL covers a hung one.
void DropHelper(int pidfd) {
  if (pidfd < 0) return;
  syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
  int status;
  ReapPidfd(pidfd, true, &status, nullptr);
  close(pidfd);
}

}  // namespace

int LaunchHelper(const std::string& path, HelperProcess* out, const char** syscall_name) {
  int req[2], evt[2];
  *syscall_name = "socketpair";
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, req) < 0) return -errno;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, evt) < 0) {
    int e = errno;
    close(req[0]);
    close(req[1]);
    return -e;
  }

  struct rlimit nofile;
  int max_fd = 65535;
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY &&
      nofile.rlim_cur < 1u << 20)
    max_fd = static_cast<int>(nofile.rlim_cur);

  char* const argv[] = {const_cast<char*>(path.c_str()), nullptr};
  char* const envp[] = {nullptr};
  int err = 0;
  int helper_pidfd = -1;
  bool clone_pidfd_ok = true;
  *syscall_name = "mmap";
  void* stacks = mmap(nullptr, 2 * kStackSize, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stacks == MAP_FAILED) {
    err = -errno;
  } else {
    LaunchArgs args{path.c_str(), argv, envp, req[1], evt[1], max_fd,
                    static_cast<char*>(stacks) + 2 * kStackSize, -1, 0, 0, kStepNone};
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    // Exit signal 0: A raises no SIGCHLD in the host.
    pid_t a = clone(RunA, static_cast<char*>(stacks) + kStackSize, CLONE_VM | CLONE_VFORK | CLONE_FILES, &args);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (a < 0) {
      err = -clone_errno;
      *syscall_name = "clone";
    } else {
      // A has exited by now (CLONE_VFORK); reap it. ECHILD: someone's waitpid(-1, __WALL) got it.
      while (waitpid(a, nullptr, __WALL) < 0 && errno == EINTR) {
      }
      if (args.err) {
        err = -args.err;
        *syscall_name = StepName(args.step);
      }
      helper_pidfd = args.helper_pidfd;
      clone_pidfd_ok = args.clone_pidfd_errno == 0;
      if (helper_pidfd >= 0 && !HostAdoptsOrphans()) {
        close(helper_pidfd);
        helper_pidfd = -1;
      }
    }
    munmap(stacks, 2 * kStackSize);
  }
  close(req[1]);
  close(evt[1]);
  if (err) {
    close(req[0]);
    close(evt[0]);
    DropHelper(helper_pidfd);
    return err;
  }

  // The helper says hello once it is ready; EOF here means it died on the way.
  *syscall_name = "spawn helper";
  struct pollfd pfd = {req[0], POLLIN, 0};
  int ready;
  while ((ready = poll(&pfd, 1, 10000)) < 0 && errno == EINTR) {
  }
  pd_hello hello{};
  ssize_t n = ready > 0 ? recv(req[0], &hello, sizeof hello, 0) : -1;
  if (n != static_cast<ssize_t>(sizeof hello) || hello.magic != PD_HELLO_MAGIC ||
      hello.request_size != sizeof(pd_spawn_request)) {
    close(req[0]);
    close(evt[0]);
    DropHelper(helper_pidfd);
    return ready == 0 ? -ETIMEDOUT : -EPROTO;
  }
  int flags = fcntl(evt[0], F_GETFL);
  fcntl(evt[0], F_SETFL, flags | O_NONBLOCK);
  out->req_fd = req[0];
  out->evt_fd = evt[0];
  out->pid = hello.pid;
  out->features = hello.features;
  // The helper learns whether CLONE_PIDFD works at its first spawn; we learned it just now, under
  // the same seccomp filter (a helper inherits it). Without it the helper needs pidfd_open.
  if (!clone_pidfd_ok) out->features &= ~static_cast<uint32_t>(PD_FEATURE_CLONE_PIDFD);
  out->pidfd = helper_pidfd;
  return 0;
}

}  // namespace procdesc
