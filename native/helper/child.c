/* The child path: clone(CLONE_VM|CLONE_VFORK|CLONE_PIDFD), set the child up as libuv does for Node
 * (uv__process_child_init, libuv 1.46), execve.
 *
 * Why CLONE_VM|CLONE_VFORK: no page tables are copied, so a spawn costs the same however large the
 * helper is (it is small anyway) and the helper is suspended until the child has exec'd, which is
 * what makes sharing memory safe. The price is the usual vfork discipline in child_main():
 *   - only raw system calls and async-signal-safe code: no malloc, no locks, no stdio;
 *   - nothing written to memory the helper uses afterwards, except spec_errno (how an exec error
 *     gets back: the shared memory is our "CLOEXEC pipe");
 *   - every signal is blocked across the clone, so no handler can run on the helper's memory; the
 *     child clears its mask right before execve (dispositions need nothing: the helper's are all
 *     SIG_DFL below 32, main.c), leaving them as libuv does;
 *   - credentials change through raw syscalls: glibc's setuid() would try to signal the other
 *     threads of the process whose memory we share (setxid broadcast) and can deadlock.
 *
 * Kernel facts: CLONE_PIDFD needs 5.2; without it (EINVAL) we fall back to pidfd_open (5.3) right
 * after clone, which is still race-free because the child cannot be reaped before we wait for it. */
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <paths.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* PATH search builds candidates here on the child's stack. */
#define CHILD_STACK_SIZE (256 * 1024)

struct child_run {
  const struct child_spec *spec;
  int share_files;         /* cloned with CLONE_FILES: unshare below PD_PIDFD_BASE first thing */
  volatile int spec_errno; /* set by the child when it gives up before or at execve */
};

static void *child_stack;
static int clone_pidfd_works = 1;
static int files_unshare_works;
/* /dev/null, opened once (CLOEXEC) for 'ignore' on fds 0-2: read-only for stdin, as libuv. */
static int devnull_ro = -1, devnull_rw = -1;

void child_init(void) {
  devnull_ro = open("/dev/null", O_RDONLY | O_CLOEXEC);
  devnull_rw = open("/dev/null", O_RDWR | O_CLOEXEC);
  /* One stack serves every child: CLONE_VFORK suspends us until the child has left it. */
  child_stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (child_stack == MAP_FAILED) child_stack = NULL;
  /* close_range with CLOSE_RANGE_UNSHARE (5.9) on a range with nothing open: 0 where it exists and
   * no seccomp filter refuses it (ENOSYS, EINVAL before 5.9; EPERM or ENOSYS from a filter). */
  files_unshare_works = syscall(SYS_close_range, ~0U - 1, ~0U - 1, CLOSE_RANGE_UNSHARE) == 0;
}

int child_has_clone_pidfd(void) { return clone_pidfd_works; }

int child_shares_files(void) { return files_unshare_works; }

static __attribute__((noreturn)) void child_fail(struct child_run *run, int err) {
  run->spec_errno = err;
  syscall(SYS_exit_group, 127);
  __builtin_unreachable();
}

/* Moves fd to a number >= floor, keeping it out of the way of the dup2s that follow. */
static int child_move_above(int fd, int floor) {
  if (fd >= floor) return fd;
  return fcntl(fd, F_DUPFD_CLOEXEC, floor);
}

static void child_setup_stdio(struct child_run *run) {
  const struct child_spec *spec = run->spec;
  int n = spec->nstdio;
  int src[PD_MAX_STDIO];

  /* First lift every source above the targets: otherwise swapping stdout and stderr would make
   * both point at one of them (libuv does the same). */
  for (int i = 0; i < n; i++) {
    int fd = spec->stdio_fds[i];
    if (fd < 0) {
      if (i > 2) { src[i] = -1; continue; }
      /* 'ignore' on 0-2 means /dev/null. */
      fd = i == 0 ? devnull_ro : devnull_rw;
      if (fd < 0) fd = open("/dev/null", (i == 0 ? O_RDONLY : O_RDWR) | O_CLOEXEC);
      if (fd < 0) child_fail(run, errno);
    }
    src[i] = child_move_above(fd, n);
    if (src[i] < 0) child_fail(run, errno);
  }
  for (int i = 0; i < n; i++) {
    if (src[i] < 0) continue;
    if (dup2(src[i], i) < 0) child_fail(run, errno); /* dup2 clears FD_CLOEXEC on i */
    /* libuv hands fds 0-2 over in blocking mode (on the shared file description, as Node); our
     * /dev/null for 'ignore' was opened blocking and stays so: no system call for it. */
    if (i <= 2 && spec->stdio_fds[i] >= 0) {
      int off = 0;
      ioctl(i, FIONBIO, &off);
    }
  }
  /* Everything else we hold is FD_CLOEXEC and vanishes at execve. */
}

static const char *child_find_path(char *const *envp) {
  for (; *envp; envp++)
    if (strncmp(*envp, "PATH=", 5) == 0) return *envp + 5;
  return _PATH_DEFPATH; /* what libuv uses when the child's env has no PATH */
}

/* execve, and for a file the kernel cannot run (no #! line: ENOEXEC) /bin/sh with the file as
 * its script, as glibc's execvp does for Node (measured: Node 20 runs such scripts). */
static int child_execve(const char *path, const struct child_spec *spec) {
  execve(path, spec->argv, spec->envp);
  if (errno == ENOEXEC) {
    char **sh = spec->sh_argv; /* prepared by the helper: {"/bin/sh", path, argv[1..], NULL} */
    sh[1] = (char *)path;
    execve("/bin/sh", sh, spec->envp);
    errno = ENOEXEC;
  }
  return errno;
}

/* execvpe over the child's own PATH (never the helper's), with a stack buffer, as glibc's execvpe
 * (which libuv 1.46 reaches through execvp with environ set to the child's env): a name longer than
 * NAME_MAX fails at once; EACCES is remembered and reported if nothing else is found; only "not
 * here" errors move on to the next directory. */
static int child_exec(const struct child_spec *spec) {
  const char *file = spec->file;
  char *const *envp = spec->envp;
  if (strchr(file, '/')) return child_execve(file, spec);
  size_t file_len = strnlen(file, NAME_MAX + 1);
  if (file_len > NAME_MAX) return ENAMETOOLONG;
  const char *path = child_find_path(envp);
  int seen_eacces = 0;
  char buf[PATH_MAX];
  for (const char *p = path;; p++) {
    const char *end = strchrnul(p, ':');
    size_t dir_len = (size_t)(end - p);
    if (dir_len == 0) { p = "."; dir_len = 1; } /* an empty element means the cwd */
    if (dir_len + 1 + file_len + 1 <= sizeof buf) {
      memcpy(buf, p, dir_len);
      buf[dir_len] = '/';
      memcpy(buf + dir_len + 1, file, file_len + 1);
      switch (child_execve(buf, spec)) {
        case EACCES: seen_eacces = 1; break;
        case ENOENT: case ESTALE: case ENOTDIR: case ENODEV: case ETIMEDOUT: break;
        default: return errno; /* as set by child_execve */
      }
    }
    if (*end == '\0') break;
    p = end;
  }
  return seen_eacces ? EACCES : ENOENT;
}

static int child_main(void *arg) {
  struct child_run *run = arg;
  const struct child_spec *spec = run->spec;

  /* Our own fd table before anything can change it: a copy of the helper's fds below
   * PD_PIDFD_BASE (its children's pidfds, above, are neither copied nor closed at exec). */
  if (run->share_files && syscall(SYS_close_range, PD_PIDFD_BASE, ~0U, CLOSE_RANGE_UNSHARE) < 0) {
    child_fail(run, errno);
  }

  /* Into its tree's cgroup before anything else, so that nothing it runs is ever outside. A failure
   * leaves it where the helper is: the host then finds its tree by walking /proc. */
  if (spec->cgroup_procs_fd >= 0) (void)!write(spec->cgroup_procs_fd, "0", 1);
  if ((spec->flags & PD_SPAWN_SETSID) && setsid() < 0) child_fail(run, errno);
  child_setup_stdio(run);
  if (spec->cwd && chdir(spec->cwd) < 0) child_fail(run, errno);
  if (spec->flags & (PD_SPAWN_SETUID | PD_SPAWN_SETGID)) {
    /* Drop supplementary groups when changing identity; fails harmlessly when not root. */
    syscall(SYS_setgroups, 0, NULL);
  }
  if ((spec->flags & PD_SPAWN_SETGID) && syscall(SYS_setgid, spec->gid) < 0) child_fail(run, errno);
  if ((spec->flags & PD_SPAWN_SETUID) && syscall(SYS_setuid, spec->uid) < 0) child_fail(run, errno);
  umask(spec->umask);

  /* Every disposition below 32 is SIG_DFL after execve, as libuv leaves them: the helper ignores
   * none of them and handles none (main.c). Its shield against the host's terminal is its mask,
   * cleared here; until now every signal is blocked (child_spawn), so none can run on the helper's
   * memory. */
  sigset_t empty;
  sigemptyset(&empty);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, sizeof(uint64_t));

  child_fail(run, child_exec(spec));
}

/* clone() with the optional flags this system takes. A refused flag shows at the first spawn (EINVAL
 * for CLONE_PIDFD before 5.2; a seccomp filter on clone's flags may answer anything; qemu-user 7.2,
 * Debian 12's, emulates a CLONE_VFORK clone as fork() and refuses CLONE_PIDFD and CLONE_FILES there
 * with EINVAL). Only EAGAIN and ENOMEM are about the clone itself, so any other error tries the
 * next combination, CLONE_PIDFD kept longest; what works is kept for every later spawn. */
static pid_t child_clone(struct child_run *run, int *pidfd) {
  void *top = (char *)child_stack + CHILD_STACK_SIZE;
  const int want_files = run->share_files;
  pid_t pid = -1;
  for (int i = 0; i < 4; i++) { /* { CLONE_PIDFD, CLONE_FILES }: both, CLONE_PIDFD, CLONE_FILES, neither */
    int with_pidfd = i < 2, with_files = !(i & 1);
    if ((with_pidfd && !clone_pidfd_works) || (with_files && !want_files)) continue;
    run->share_files = with_files;
    int flags = CLONE_VM | CLONE_VFORK | SIGCHLD | (with_pidfd ? CLONE_PIDFD : 0) | (with_files ? CLONE_FILES : 0);
    pid = clone(child_main, top, flags, run, pidfd); /* pidfd is only written with CLONE_PIDFD */
    if (pid >= 0) {
      clone_pidfd_works = with_pidfd;
      if (want_files && !with_files) files_unshare_works = 0; /* pidfds.c keeps no more pidfds */
      return pid;
    }
    if (errno == EAGAIN || errno == ENOMEM) return pid;
  }
  return pid;
}

int child_spawn(const struct child_spec *spec, pid_t *pid_out, int *pidfd_out) {
  if (!child_stack) return ENOMEM;
  /* Share the table only if every fd the child needs is in the part it keeps. */
  int share = files_unshare_works && spec->cgroup_procs_fd < PD_PIDFD_BASE;
  for (int i = 0; share && i < spec->nstdio; i++) share = spec->stdio_fds[i] < PD_PIDFD_BASE;
  struct child_run run = { .spec = spec, .share_files = share, .spec_errno = 0 };
  sigset_t all, old;
  sigfillset(&all);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof(uint64_t));

  int pidfd = -1;
  pid_t pid = child_clone(&run, &pidfd);
  int clone_errno = errno;

  int err = 0;
  if (pid < 0) {
    err = clone_errno;
  } else if (run.spec_errno) {
    /* The child is gone (exit_group before execve): reap it now so it never reaches wait4(-1). */
    err = run.spec_errno;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
  } else if (pidfd < 0) {
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) err = errno; /* the child runs, but we cannot hand it over: see caller */
  }
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof(uint64_t));

  if (err && pid > 0 && !run.spec_errno) {
    /* exec'd but no pidfd: never hand out a child the host cannot address. */
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
  }
  if (err) {
    if (pidfd >= 0) close(pidfd);
    return err;
  }
  *pid_out = pid;
  *pidfd_out = pidfd;
  return 0;
}
