/* Spawning one child from the helper: clone(CLONE_VM|CLONE_VFORK|CLONE_PIDFD) + execve. */
#ifndef PROCDESC_HELPER_CHILD_H
#define PROCDESC_HELPER_CHILD_H

#include <stdint.h>
#include <sys/types.h>

struct child_spec {
  const char *file;   /* searched in envp's PATH when it has no '/' */
  char *const *argv;
  char **sh_argv;     /* argc + 2 slots: room to run a script without a #! line through /bin/sh */
  char *const *envp;
  const char *cwd;    /* NULL: the helper's (the host always sends one) */
  uint32_t flags;     /* PD_SPAWN_* */
  uid_t uid;
  gid_t gid;
  mode_t umask;
  int nstdio;
  const int *stdio_fds; /* per child fd: an fd of the helper to place there, or -1 for 'ignore' */
  int cgroup_procs_fd;  /* >= 0: the child writes itself into this cgroup first (helper/tree.c) */
};

/* Call once at start: opens /dev/null (for 'ignore') and maps the stack every child starts on. */
void child_init(void);
/* Whether clone() took CLONE_PIDFD so far: learnt from the first spawn (EINVAL before 5.2, then
 * child_spawn uses pidfd_open); it is 1 until a spawn has shown otherwise, as in the hello. */
int child_has_clone_pidfd(void);

/* The helper keeps each child's pidfd at or above this fd number (reaper.c), and a child takes a
 * private copy of the helper's fd table below it only (child.c): the table's size then does not
 * grow the cost of a spawn with the children alive. */
#define PD_PIDFD_BASE 1024

/* Whether children share the helper's fd table until they unshare the part below PD_PIDFD_BASE
 * (close_range(CLOSE_RANGE_UNSHARE), Linux 5.9): only then does the helper keep pidfds. It turns 0
 * if the first spawn finds clone() refusing CLONE_FILES (qemu-user). */
int child_shares_files(void);

/* Returns 0 with *pid and *pidfd set once the child has exec'd, or a positive errno (the child, if
 * one was made, has been reaped). Never leaves a zombie or an fd behind on failure. */
int child_spawn(const struct child_spec *spec, pid_t *pid, int *pidfd);

#endif
