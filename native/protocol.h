/* The wire format between the addon (host) and the helper (spawn server).
 *
 * Two SOCK_SEQPACKET socketpairs join them, so that a synchronous spawn never has to skip over
 * asynchronous exit records:
 *   - the request channel (helper fd 3): host -> helper requests, helper -> host replies, in lock-step;
 *   - the event channel (helper fd 4): helper -> host exit records, read by a uv_poll in the host.
 * SEQPACKET keeps message boundaries and carries SCM_RIGHTS; a request whose strings exceed
 * PD_INLINE_MAX travels in a memfd passed with the request (argv + env may reach ARG_MAX).
 * Both sides are built from this one header, so no versioning is needed beyond PD_HELLO_MAGIC. */
#ifndef PROCDESC_PROTOCOL_H
#define PROCDESC_PROTOCOL_H

#include <stdint.h>

#define PD_HELLO_MAGIC 0x70726f63u /* "proc" */
#define PD_REQ_FD 3
#define PD_EVT_FD 4

/* SCM_MAX_FD in the kernel is 253; one slot is kept for the memfd. */
#define PD_MAX_FDS 252
/* Children may get more stdio entries than fds passed: 'ignore' entries need no fd. */
#define PD_MAX_STDIO 1024
/* Strings above this size go through a memfd instead of the message body. */
#define PD_INLINE_MAX (48 * 1024)

enum pd_request_type {
  PD_REQ_SPAWN = 1,
  /* struct pd_kill_request: SIGKILL the child of this id if it is still unreaped. The host sends it
   * when a spawn reply arrived without its pidfd (the host had no free fd: MSG_CTRUNC), so that no
   * child runs untracked; only the helper can name it safely, being its unreaping parent. No reply. */
  PD_REQ_KILL = 2,
};

struct pd_kill_request {
  uint32_t type; /* PD_REQ_KILL */
  uint32_t reserved;
  uint64_t id;
};

enum pd_spawn_flags {
  PD_SPAWN_SETSID = 1u << 0,   /* options.detached */
  PD_SPAWN_SETUID = 1u << 1,
  PD_SPAWN_SETGID = 1u << 2,
  PD_SPAWN_HAS_CWD = 1u << 3,
  PD_SPAWN_BLOB_IN_MEMFD = 1u << 4, /* the strings are in the last fd passed, not inline */
  /* spawnSync: the exit record comes on the request channel, where the host is waiting for it,
   * and never on the event channel. */
  PD_SPAWN_SYNC = 1u << 5,
  /* killOnClose: SIGKILL the child when the host goes away (the request channel closes), like
   * FreeBSD's pdfork without PD_DAEMON. */
  PD_SPAWN_KILL_ON_CLOSE = 1u << 6,
  /* Track the child's whole tree: a cgroup of its own when PD_FEATURE_TREE_CGROUP (helper/tree.c). */
  PD_SPAWN_TREE = 1u << 7,
  /* killOnClose: 'tree': with PD_SPAWN_TREE, the child's whole tree dies with the host (cgroup.kill);
   * PD_SPAWN_KILL_ON_CLOSE alone kills only the child. */
  PD_SPAWN_KILL_TREE_ON_CLOSE = 1u << 8,
};

/* Followed (inline, or in the memfd) by blob_len bytes of NUL-terminated strings, in order:
 * file, cwd (if PD_SPAWN_HAS_CWD), argv[0..argc), envp[0..envc). */
struct pd_spawn_request {
  uint32_t type; /* PD_REQ_SPAWN */
  uint32_t flags;
  uint64_t id; /* chosen by the host; names the child in its exit record */
  uint32_t uid;
  uint32_t gid;
  uint32_t umask;
  uint32_t argc;
  uint32_t envc;
  uint32_t nstdio;
  uint32_t nfds; /* fds passed with SCM_RIGHTS (the memfd, if any, is the last) */
  uint32_t blob_len;
  /* The host thread that sent this (gettid) and the CPU it sent it from (sched_getcpu, or -1): the
   * helper may let that thread run before it clones (requests.c host_waits_here_alone). */
  int32_t host_tid;
  int32_t host_cpu;
  /* For each child fd i < nstdio: the index of the passed fd to place there, or -1 for
   * 'ignore' (/dev/null for 0-2, left closed above). */
  int16_t stdio[PD_MAX_STDIO];
};

/* err == 0: the child exec'd; its pidfd comes with SCM_RIGHTS.
 * err  > 0: an errno from the spawn (a failed exec, chdir, setuid, ... in the child, or the
 *           helper's own clone/recv failures); no child exists. */
struct pd_spawn_reply {
  uint64_t id;
  int32_t err;
  int32_t pid;
};

struct pd_hello {
  uint32_t magic;
  int32_t pid;
  uint32_t features; /* PD_FEATURE_* */
  /* sizeof(struct pd_spawn_request) as the helper was built: the host refuses a helper built from
   * another version of this header (a package replaced under a running host). */
  uint32_t request_size;
};

enum pd_features {
  PD_FEATURE_CLONE_PIDFD = 1u << 0, /* else pidfd_open right after clone (still race-free: unreaped) */
  /* PD_SPAWN_TREE children get a cgroup v2 each (with cgroup.kill, 5.14+), named
   * <helper's cgroup>/procdesc-<helper pid>-<salt>/<id>; else the host walks /proc for descendants. */
  PD_FEATURE_TREE_CGROUP = 1u << 1,
};

struct pd_exit_record {
  uint64_t id;
  int32_t pid;
  int32_t status; /* as from wait4 */
  int64_t utime_us;
  int64_t stime_us;
  int64_t maxrss_kb;
};

/* Exit records are batched: one message holds up to this many. */
#define PD_EXIT_BATCH 128

#endif
