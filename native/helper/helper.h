/* What the helper's files share: the live-children table and exit records (reaper.c) and the request
 * handler (requests.c), driven by the poll loop in main.c. Single-threaded: no locks anywhere. */
#ifndef PROCDESC_HELPER_H
#define PROCDESC_HELPER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rusage;

/* reaper.c: who our children are, and their exits on their way to the host. kept: the child's
 * pidfd as pidfds.c keeps it, or -1 (its exit is then found by the sweep). */
void live_add(pid_t pid, uint64_t id, uint32_t flags, int kept);
/* A child has been reaped: if it is ours its record goes to the host (1), else it is dropped (0). */
int reaped(pid_t pid, int status, const struct rusage *ru);
/* Children whose exit only the sweep can find (no pidfd kept). */
size_t live_without_pidfd(void);
/* PD_REQ_KILL: SIGKILL the unreaped child of this id; its exit then goes to the event channel. */
void live_kill_id(uint64_t id);
/* Reaps the child a SIGCHLD named (wait4 on its PID: O(1) in the kernel, 1.5 us with 2000
 * children alive on Linux 6.18), if it has exited, and queues its exit record. */
int reap_child(pid_t pid); /* 1: reaped a child of ours; 2: reaped one we did not know; 0: none */
/* pidfds.c tells of each child it reaped, main.c forgets them at each turn of its loop: within a
 * turn, reap_child() skips the wait4 of a SIGCHLD whose child its pidfd already gave us. */
void note_pidfd_reap(pid_t pid);
void forget_pidfd_reaps(void);
/* wait4(-1) until nothing is left to reap, queueing a record for each child of ours: the sweep for
 * exits whose SIGCHLD merged into another's (a standard signal is pending at most once). The kernel
 * walks every child of ours for it (84 us with 2000 alive, 1.3 us with one): after the records of
 * reap_child() have been sent, never before. */
void reap_children(void);
/* Sends queued exit records without blocking. 0, or -1 if the host is gone (this send failed, or
 * a spawnSync child's record could not be sent): main() then leaves through kill_on_close. */
int flush_exits(void);
size_t pending_exit_count(void);
/* The host is gone: SIGKILL the children spawned with PD_SPAWN_KILL_ON_CLOSE. */
void kill_on_close(void);

/* pidfds.c: our children's pidfds in an epoll set, so that an exit is found in O(1). */
void pidfds_init(void);
int pidfds_poll_fd(void); /* -1: no pidfds are kept (the sweep finds every exit) */
/* Keeps a copy of the child's pidfd (at PD_PIDFD_BASE or above) in the set; returns it, or -1. */
int pidfds_keep(pid_t pid, int pidfd);
void pidfds_forget(int kept);
/* Reaps every child whose pidfd has turned readable. */
void pidfds_reap_ready(void);

/* requests.c: one message from the request channel. Returns -1 when the host is gone (the channel
 * has closed, or a reply could not be sent). */
int handle_request(void);

/* Exits the helper when memory runs out: the host sees the channel close and falls back; the
 * children it already holds (a reply goes out before live_add's grow) are watched through their
 * pidfds (lib/core/process_handle.ts, helperLost). */
void *grow(void *p, size_t *cap, size_t elem);

#endif
