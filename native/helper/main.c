/* procdesc-helper: the spawn server. It is the parent of every child the host asks for, so the host
 * never is: exec resets a child's exit signal to SIGCHLD, and any exec'd child of the host would be
 * visible to the host's waitpid(-1) reapers and SIGCHLD handlers (see shared/DESIGN.md).
 *
 * It is started by the addon (native/addon/launch.cc) with the request channel on fd 3 and the
 * event channel on fd 4, and does three things until the request channel closes:
 *   - spawn on request (child.c) and reply with the pid and the pidfd (SCM_RIGHTS);
 *   - reap its children (signalfd for SIGCHLD + wait4(-1): it is their only parent, so -1 is safe)
 *     and queue an exit record for each;
 *   - send the queued exit records, batched, without ever blocking on a host that is slow to read
 *     (a blocked helper could not answer the synchronous spawn the host may be waiting in).
 * It kills nobody on its own: when the host goes away, children keep running, as under Node.
 * Single-threaded; everything it holds is FD_CLOEXEC, so children inherit only their stdio. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "protocol.h"

/* Live children: pid -> the host's id. Linear scan: the table is small and exits are rare next to
 * the work of a fork+exec; keep it simple until a benchmark says otherwise. */
struct live_child {
  pid_t pid;
  uint32_t flags; /* PD_SPAWN_SYNC: its exit goes to the request channel; PD_SPAWN_KILL_ON_CLOSE */
  uint64_t id;
};
static struct live_child *live;
static size_t live_len, live_cap;

static struct pd_exit_record *pending;
static size_t pending_len, pending_cap;

static void *grow(void *p, size_t *cap, size_t elem) {
  size_t n = *cap ? *cap * 2 : 64;
  void *q = realloc(p, n * elem);
  if (!q) _exit(70); /* out of memory: the host sees the channel close and falls back */
  *cap = n;
  return q;
}

static void live_add(pid_t pid, uint64_t id, uint32_t flags) {
  if (live_len == live_cap) live = grow(live, &live_cap, sizeof *live);
  live[live_len++] = (struct live_child){ pid, flags, id };
}

static int live_take(pid_t pid, uint64_t *id, uint32_t *flags) {
  for (size_t i = 0; i < live_len; i++) {
    if (live[i].pid == pid) {
      *id = live[i].id;
      *flags = live[i].flags;
      live[i] = live[--live_len];
      return 1;
    }
  }
  return 0;
}

static int64_t timeval_us(struct timeval tv) { return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec; }

static void reap_children(void) {
  for (;;) {
    int status;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, WNOHANG, &ru);
    if (pid <= 0) return; /* 0: none exited yet; -1 ECHILD: none left */
    uint64_t id;
    uint32_t flags;
    if (!live_take(pid, &id, &flags)) continue;
    struct pd_exit_record rec = {
      .id = id, .pid = pid, .status = status,
      .utime_us = timeval_us(ru.ru_utime), .stime_us = timeval_us(ru.ru_stime),
      .maxrss_kb = ru.ru_maxrss,
    };
    if (flags & PD_SPAWN_SYNC) {
      /* The host is blocked in spawnSync, reading exactly this: a blocking send cannot stall. */
      while (send(PD_REQ_FD, &rec, sizeof rec, MSG_NOSIGNAL) < 0) {
        if (errno != EINTR) _exit(0);
      }
      continue;
    }
    if (pending_len == pending_cap) pending = grow(pending, &pending_cap, sizeof *pending);
    pending[pending_len++] = rec;
  }
}

/* Returns 0, or -1 if the host is gone. */
static int flush_exits(void) {
  size_t sent = 0;
  while (sent < pending_len) {
    size_t n = pending_len - sent;
    if (n > PD_EXIT_BATCH) n = PD_EXIT_BATCH;
    ssize_t r = send(PD_EVT_FD, pending + sent, n * sizeof *pending, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == ENOBUFS) break; /* poll for POLLOUT and try again */
      return -1;
    }
    sent += n;
  }
  memmove(pending, pending + sent, (pending_len - sent) * sizeof *pending);
  pending_len -= sent;
  return 0;
}

static void reply(uint64_t id, int err, pid_t pid, int pidfd) {
  struct pd_spawn_reply rep = { .id = id, .err = err, .pid = pid };
  struct iovec iov = { &rep, sizeof rep };
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } ctl;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (pidfd >= 0) {
    memset(&ctl, 0, sizeof ctl);
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof ctl.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pidfd, sizeof(int));
  }
  while (sendmsg(PD_REQ_FD, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) _exit(0); /* the host is gone */
  }
}

/* Splits the string blob into file, cwd, argv and envp (pointer arrays malloc'd into *vecs). */
static int parse_blob(const struct pd_spawn_request *req, const char *blob, struct child_spec *spec,
                      char ***vecs) {
  if (req->blob_len == 0 || blob[req->blob_len - 1] != '\0') return EINVAL;
  size_t nstr = 1 + ((req->flags & PD_SPAWN_HAS_CWD) ? 1 : 0) + req->argc + req->envc;
  const char **strs = malloc(sizeof(char *) * (nstr + 2));
  if (!strs) return ENOMEM;
  const char *p = blob, *end = blob + req->blob_len;
  for (size_t i = 0; i < nstr; i++) {
    if (p >= end) { free(strs); return EINVAL; }
    strs[i] = p;
    p += strlen(p) + 1;
  }
  /* Lay out [argv..., NULL, envp..., NULL, sh_argv (argc + 2)] in one allocation. */
  char **v = malloc(sizeof(char *) * (nstr + 4 + req->argc));
  if (!v) { free(strs); return ENOMEM; }
  size_t k = 0, s = 0;
  spec->file = strs[s++];
  spec->cwd = (req->flags & PD_SPAWN_HAS_CWD) ? strs[s++] : NULL;
  char **argv = v + k;
  for (uint32_t i = 0; i < req->argc; i++) v[k++] = (char *)strs[s++];
  v[k++] = NULL;
  char **envp = v + k;
  for (uint32_t i = 0; i < req->envc; i++) v[k++] = (char *)strs[s++];
  v[k++] = NULL;
  char **sh = v + k;
  sh[0] = "/bin/sh";
  sh[1] = NULL; /* the child puts the script's path here */
  for (uint32_t i = 1; i < req->argc; i++) sh[i + 1] = argv[i];
  sh[req->argc < 1 ? 2 : req->argc + 1] = NULL;
  free(strs);
  spec->sh_argv = sh;
  spec->argv = argv;
  spec->envp = envp;
  *vecs = v;
  return 0;
}

static char req_buf[sizeof(struct pd_spawn_request) + PD_INLINE_MAX];

/* Returns -1 when the request channel has closed. */
static int handle_request(void) {
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int) * (PD_MAX_FDS + 1))];
  } ctl;
  struct iovec iov = { req_buf, sizeof req_buf };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                        .msg_controllen = sizeof ctl.buf };
  ssize_t n = recvmsg(PD_REQ_FD, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return (errno == EINTR || errno == EAGAIN) ? 0 : -1;
  if (n == 0) return -1;

  int fds[PD_MAX_FDS + 1];
  int nfds = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < k; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (nfds <= PD_MAX_FDS) fds[nfds++] = fd; else close(fd);
    }
  }

  const struct pd_spawn_request *req = (const void *)req_buf;
  if ((size_t)n >= sizeof(struct pd_kill_request) && req->type == PD_REQ_KILL) {
    const struct pd_kill_request *k = (const void *)req_buf;
    for (size_t i = 0; i < live_len; i++) {
      if (live[i].id != k->id) continue;
      kill(live[i].pid, SIGKILL); /* unreaped: the PID is still its */
      /* Nobody waits for its exit on the request channel now (even if it was a spawnSync child):
       * report it on the event channel, where the host ignores ids it does not know. */
      live[i].flags &= ~PD_SPAWN_SYNC;
    }
    for (int i = 0; i < nfds; i++) close(fds[i]);
    return 0;
  }
  int err = 0;
  char *blob = NULL;
  size_t map_len = 0;
  char **vecs = NULL;
  pid_t pid = -1;
  int pidfd = -1;
  int stdio_fds[PD_MAX_STDIO];
  int has_memfd = (size_t)n >= sizeof *req && (req->flags & PD_SPAWN_BLOB_IN_MEMFD);

  if ((size_t)n < sizeof *req || req->type != PD_REQ_SPAWN) {
    err = EPROTO;
  } else if (msg.msg_flags & MSG_CTRUNC) {
    err = EMFILE; /* we could not take every fd the host passed */
  } else if (req->nstdio > PD_MAX_STDIO || req->nfds != (uint32_t)nfds || (has_memfd && nfds == 0)) {
    err = EPROTO;
  } else if (has_memfd) {
    map_len = req->blob_len;
    blob = map_len ? mmap(NULL, map_len, PROT_READ, MAP_PRIVATE, fds[nfds - 1], 0) : MAP_FAILED;
    if (blob == MAP_FAILED) {
      err = map_len ? errno : EPROTO;
      blob = NULL;
      map_len = 0;
    }
  } else if ((size_t)n - sizeof *req != req->blob_len) {
    err = EPROTO;
  } else {
    blob = req_buf + sizeof *req;
  }

  struct child_spec spec;
  if (!err) {
    memset(&spec, 0, sizeof spec);
    err = parse_blob(req, blob, &spec, &vecs);
  }
  if (!err) {
    int usable = nfds - (has_memfd ? 1 : 0);
    for (uint32_t i = 0; i < req->nstdio; i++) {
      int idx = req->stdio[i];
      if (idx >= usable) { err = EPROTO; break; }
      stdio_fds[i] = idx < 0 ? -1 : fds[idx];
    }
  }
  if (!err) {
    spec.flags = req->flags;
    spec.uid = req->uid;
    spec.gid = req->gid;
    spec.umask = req->umask;
    spec.nstdio = (int)req->nstdio;
    spec.stdio_fds = stdio_fds;
    err = child_spawn(&spec, &pid, &pidfd);
  }

  uint64_t id = (size_t)n >= sizeof *req ? req->id : 0;
  if (!err) live_add(pid, id, req->flags & (PD_SPAWN_SYNC | PD_SPAWN_KILL_ON_CLOSE));
  free(vecs);
  if (map_len) munmap(blob, map_len);
  for (int i = 0; i < nfds; i++) close(fds[i]);
  reply(id, err, err ? 0 : pid, pidfd);
  if (pidfd >= 0) close(pidfd); /* the host has its own copy now; we reap through wait4 */
  return 0;
}

const int helper_ignored_signals[] = { SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU,
                                       SIGPIPE, SIGUSR1, SIGUSR2 };
const int helper_ignored_signal_count = sizeof helper_ignored_signals / sizeof helper_ignored_signals[0];

static int setup_signals(void) {
  /* exec kept whatever the host ignored; start from defaults (children get defaults anyway). */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < 32; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &sa, NULL);
  }
  /* We share the host's process group and terminal (so that children do too, as under Node):
   * a Ctrl-C or Ctrl-Z meant for the host must not take the spawn server down. When the host
   * dies, the request channel closes and we leave. */
  sa.sa_handler = SIG_IGN;
  for (int i = 0; i < helper_ignored_signal_count; i++) sigaction(helper_ignored_signals[i], &sa, NULL);

  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_SETMASK, &chld, NULL);
  return signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
}

int main(void) {
  if (fcntl(PD_REQ_FD, F_SETFD, FD_CLOEXEC) < 0 || fcntl(PD_EVT_FD, F_SETFD, FD_CLOEXEC) < 0) return 2;
  int sfd = setup_signals();
  if (sfd < 0) return 3;
  child_init();

  struct pd_hello hello = { .magic = PD_HELLO_MAGIC, .pid = getpid(),
                            .features = child_has_clone_pidfd() ? PD_FEATURE_CLONE_PIDFD : 0 };
  if (send(PD_REQ_FD, &hello, sizeof hello, MSG_NOSIGNAL) != sizeof hello) return 4;

  for (;;) {
    struct pollfd pfd[3] = {
      { .fd = PD_REQ_FD, .events = POLLIN },
      { .fd = sfd, .events = POLLIN },
      { .fd = PD_EVT_FD, .events = pending_len ? POLLOUT : 0 },
    };
    if (poll(pfd, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return 5;
    }
    if (pfd[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {}
      reap_children();
    }
    if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (handle_request() < 0) break;
    }
    if (pfd[2].revents & (POLLHUP | POLLERR)) break;
    if (pending_len && flush_exits() < 0) break;
  }
  /* The host is gone. Children live on, as under Node, except those asked to die with it. They
   * are still ours (unreaped), so their PIDs cannot have been reused. */
  for (size_t i = 0; i < live_len; i++) {
    if (live[i].flags & PD_SPAWN_KILL_ON_CLOSE) kill(live[i].pid, SIGKILL);
  }
  return 0;
}
