/* The helper's children and their exits: a pid -> id table, reaping (through pidfds.c, or wait4 on
 * SIGCHLD), and exit records batched to the host without ever blocking on a host that is slow to
 * read (a blocked helper could not answer the synchronous spawn the host may be waiting in).
 * wait4(-1) is safe: we are the only parent of everything we spawned, and pids we do not know
 * (none yet) are reaped and dropped. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"
#include "protocol.h"

/* Live children: pid -> the host's id. Linear scan: the table is small and exits are rare next to
 * the work of a fork+exec; keep it simple until a benchmark says otherwise. */
struct live_child {
  pid_t pid;
  uint32_t flags; /* PD_SPAWN_SYNC: its exit goes to the request channel; PD_SPAWN_KILL_ON_CLOSE */
  uint64_t id;
  int kept;       /* its pidfd in pidfds.c's set, or -1 */
};
static struct live_child *live;
static size_t live_len, live_cap, live_unkept;

static struct pd_exit_record *pending;
static size_t pending_len, pending_cap;
/* A spawnSync child's record could not be sent: the host is gone (flush_exits says so to main()). */
static int host_gone;

void *grow(void *p, size_t *cap, size_t elem) {
  size_t n = *cap ? *cap * 2 : 64;
  void *q = realloc(p, n * elem);
  if (!q) _exit(70);
  *cap = n;
  return q;
}

void live_add(pid_t pid, uint64_t id, uint32_t flags, int kept) {
  if (live_len == live_cap) live = grow(live, &live_cap, sizeof *live);
  live[live_len++] = (struct live_child){ pid, flags, id, kept };
  if (kept < 0) live_unkept++;
}

size_t live_without_pidfd(void) { return live_unkept; }

static int live_take(pid_t pid, uint64_t *id, uint32_t *flags) {
  for (size_t i = 0; i < live_len; i++) {
    if (live[i].pid == pid) {
      *id = live[i].id;
      *flags = live[i].flags;
      if (live[i].kept >= 0) pidfds_forget(live[i].kept); else live_unkept--;
      live[i] = live[--live_len];
      return 1;
    }
  }
  return 0;
}

void live_kill_id(uint64_t id) {
  for (size_t i = 0; i < live_len; i++) {
    if (live[i].id != id) continue;
    kill(live[i].pid, SIGKILL); /* unreaped: the PID is still its */
    /* Nobody waits for its exit on the request channel now (even if it was a spawnSync child):
     * report it on the event channel, where the host ignores ids it does not know. */
    live[i].flags &= ~PD_SPAWN_SYNC;
  }
}

static int64_t timeval_us(struct timeval tv) { return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec; }

/* A child of ours has been reaped: its record goes to the host (the request channel for a spawnSync
 * child, where the host is blocked reading it; else queued for the event channel). Unknown pids
 * (orphaned grandchildren: the helper is a subreaper) are dropped: 0. */
int reaped(pid_t pid, int status, const struct rusage *ru) {
  uint64_t id;
  uint32_t flags;
  if (!live_take(pid, &id, &flags)) return 0;
  struct pd_exit_record rec = {
    .id = id, .pid = pid, .status = status,
    .utime_us = timeval_us(ru->ru_utime), .stime_us = timeval_us(ru->ru_stime),
    .maxrss_kb = ru->ru_maxrss,
  };
  if (flags & PD_SPAWN_SYNC) {
    /* The host is blocked in spawnSync, reading exactly this: a blocking send cannot stall. */
    while (send(PD_REQ_FD, &rec, sizeof rec, MSG_NOSIGNAL) < 0) {
      if (errno != EINTR) {
        host_gone = 1;
        break;
      }
    }
    return 1;
  }
  if (pending_len == pending_cap) pending = grow(pending, &pending_cap, sizeof *pending);
  pending[pending_len++] = rec;
  return 1;
}

/* The pids pidfds_reap_ready() reaped in this turn of main()'s loop: the SIGCHLD that comes with
 * each needs no wait4 (it would answer ECHILD, ~2 us). Within a turn their numbers cannot name
 * another child of ours: we spawn nothing before the signalfd is read. Past the array's end the
 * wait4 is simply made. */
static pid_t pidfd_reaped[16];
static size_t pidfd_reaped_len;

void note_pidfd_reap(pid_t pid) {
  if (pidfd_reaped_len < sizeof pidfd_reaped / sizeof pidfd_reaped[0]) pidfd_reaped[pidfd_reaped_len++] = pid;
}

void forget_pidfd_reaps(void) { pidfd_reaped_len = 0; }

static int reaped_through_pidfd(pid_t pid) {
  for (size_t i = 0; i < pidfd_reaped_len; i++) {
    if (pidfd_reaped[i] == pid) return 1;
  }
  return 0;
}

int reap_child(pid_t pid) {
  int status;
  struct rusage ru;
  if (pid <= 0 || reaped_through_pidfd(pid) || wait4(pid, &status, WNOHANG, &ru) != pid) return 0;
  return reaped(pid, status, &ru) ? 1 : 2;
}

void reap_children(void) {
  for (;;) {
    int status;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, WNOHANG, &ru);
    if (pid <= 0) return; /* 0: none exited yet; -1 ECHILD: none left */
    reaped(pid, status, &ru);
  }
}

size_t pending_exit_count(void) { return pending_len; }

int flush_exits(void) {
  if (host_gone) return -1;
  if (pending_len == 0) return 0;
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

void kill_on_close(void) {
  /* They are still ours (unreaped), so their PIDs cannot have been reused. */
  for (size_t i = 0; i < live_len; i++) {
    if (live[i].flags & PD_SPAWN_KILL_ON_CLOSE) kill(live[i].pid, SIGKILL);
  }
}
