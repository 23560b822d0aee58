/* The request channel: one spawn (or kill) request per SOCK_SEQPACKET message, the child's fds
 * with it (SCM_RIGHTS), a reply with the pid and the pidfd. Requests come in lock-step with
 * replies; the strings travel inline or, past PD_INLINE_MAX, in a memfd (protocol.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child.h"
#include "helper.h"
#include "protocol.h"
#include "tree.h"

/* Returns -1 when the host is gone. */
static int reply(uint64_t id, int err, pid_t pid, int pidfd) {
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
    if (errno != EINTR) return -1;
  }
  return 0;
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

#define PROC_FS_MAGIC 0x9fa0 /* PROC_SUPER_MAGIC, <linux/magic.h> */

/* /proc's own files, or -1: never procfs's look-alikes (LXCFS bind-mounts a FUSE file of its own
 * over /proc/loadavg in some containers, with a count that is minutes old). */
static int open_procfs(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct statfs st;
  if (fd >= 0 && (fstatfs(fd, &st) < 0 || st.f_type != PROC_FS_MAGIC)) {
    close(fd);
    errno = ENOTSUP;
    return -1;
  }
  return fd;
}

/* The start of the field n space-separated fields after the one p is in, or NULL. */
static const char *skip_fields(const char *p, int n) {
  for (; n > 0; p++) {
    if (*p == '\0') return NULL;
    if (*p == ' ') n--;
  }
  return p;
}

/* Whether the host thread that sent the request is runnable on the CPU we run on, from its stat
 * line: "tid (comm) S ..." with the CPU it last ran on in the 39th field. A plain open: /proc is
 * procfs once /proc/loadavg was (LXCFS covers a few files of its own, no /proc/<pid>). The file
 * stays open for the next request from the same thread: a pread at 0 has procfs make the line
 * anew, and the open's path walk (~5 us) is saved. A thread that has gone leaves its file
 * unreadable (ESRCH), even when a new thread has taken its number since and sends this request:
 * the file is then opened again, at once. */
static int host_runnable_here(int32_t host_tid, int cpu) {
  static int stat_fd = -1;
  static int32_t stat_tid;
  char line[1024];
  ssize_t n = -1;
  if (stat_fd >= 0 && stat_tid == host_tid) n = pread(stat_fd, line, sizeof line - 1, 0);
  if (n <= 0) { /* no file yet, another thread's, or its thread has gone */
    if (stat_fd >= 0) close(stat_fd);
    char path[48];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)host_tid);
    stat_fd = open(path, O_RDONLY | O_CLOEXEC);
    stat_tid = host_tid;
    if (stat_fd >= 0) n = pread(stat_fd, line, sizeof line - 1, 0);
  }
  if (n <= 0) {
    if (stat_fd >= 0) close(stat_fd);
    stat_fd = -1;
    return 0;
  }
  line[n] = '\0';
  const char *p = strrchr(line, ')'); /* comm may hold spaces and parentheses */
  if (!p || p[1] != ' ' || p[2] != 'R') return 0;
  p = skip_fields(p + 2, 39 - 3);
  return p && strtol(p, NULL, 10) == cpu;
}

/* Whether to let the host run before we clone: only when the thread that sent the request is still
 * runnable on the CPU we run on, and the two of us are all the machine has to run (/proc/loadavg's
 * fourth field counts both). Why: the request's wake-up usually puts us on the host's CPU (a Unix
 * socket's wake-up is synchronous) and preempts the host there, and a clone while the host is still
 * runnable there put the child on the other CPU; the vfork release and the exit then each woke an
 * idle CPU (~80 us apiece; a 2-vCPU VM, Linux 6.18, perf sched). After the yield the host sleeps in
 * recvmsg and the child starts on this CPU, as a plain vfork's child does. Why only then: a yield
 * hands the CPU to any other task runnable here for up to its slice, which cost ~3 ms a spawn with
 * a busy loop on each CPU. The checks cost ~1.7 us (loadavg), then ~7 us (the host's stat). Without
 * procfs: never. */
static int host_waits_here_alone(int32_t host_tid, int32_t host_cpu) {
  static int loadavg_fd = -2; /* -2: not opened yet */
  int cpu = sched_getcpu();
  if (host_tid <= 0 || host_cpu < 0 || host_cpu != cpu) return 0;
  if (loadavg_fd == -2) {
    loadavg_fd = open_procfs("/proc/loadavg");
    /* Try again at the next spawn after a passing failure (EMFILE...), not after a lasting one. */
    if (loadavg_fd < 0 && errno != ENOENT && errno != EACCES && errno != EPERM && errno != ENOTSUP) loadavg_fd = -2;
  }
  if (loadavg_fd < 0) return 0;
  char buf[128]; /* "0.08 0.48 0.90 2/81 3083\n" */
  ssize_t n = pread(loadavg_fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char *p = skip_fields(buf, 3);
  return p && strtol(p, NULL, 10) == 2 && host_runnable_here(host_tid, cpu);
}

static char req_buf[sizeof(struct pd_spawn_request) + PD_INLINE_MAX];

/* Returns -1 when the host is gone. */
int handle_request(void) {
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
    live_kill_id(k->id);
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
  int has_memfd = (size_t)n == sizeof *req && (req->flags & PD_SPAWN_BLOB_IN_MEMFD);

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
    spec.cgroup_procs_fd = (req->flags & PD_SPAWN_TREE) ? tree_prepare(req->id) : -1;
    if (host_waits_here_alone(req->host_tid, req->host_cpu)) sched_yield();
    err = child_spawn(&spec, &pid, &pidfd);
    if (spec.cgroup_procs_fd >= 0) {
      close(spec.cgroup_procs_fd);
      tree_spawned(req->id, !err, (req->flags & PD_SPAWN_KILL_TREE_ON_CLOSE) != 0);
    }
  }

  uint64_t id = (size_t)n >= sizeof *req ? req->id : 0;
  /* The reply first: the host is blocked in spawn() until it comes, and the child, which has just
   * exec'd, waits for the CPU while we run if it shares ours. The bookkeeping after it is ours alone
   * (the next request is read only after it). A failed reply means the host is gone: main() then
   * leaves through kill_on_close, which must know this child too. */
  int sent = reply(id, err, err ? 0 : pid, pidfd);
  if (!err) live_add(pid, id, req->flags & (PD_SPAWN_SYNC | PD_SPAWN_KILL_ON_CLOSE), pidfds_keep(pid, pidfd));
  free(vecs);
  if (map_len) munmap(blob, map_len);
  for (int i = 0; i < nfds; i++) close(fds[i]);
  if (pidfd >= 0) close(pidfd); /* the host has its own copy now, and pidfds.c its own */
  return sent;
}
