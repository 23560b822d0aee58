/* Process trees: knowing, and killing, everything a child started, including descendants that
 * double-fork, call setsid or change process group (all of which escape a process-group kill).
 *
 * Two kernel facilities, both set up here:
 *   - PR_SET_CHILD_SUBREAPER (3.4): orphaned descendants re-parent to the helper rather than to
 *     init, so it reaps them (reaper.c drops the pids it does not know) and no zombie is left; a
 *     daemon's getppid() is the helper's pid, not 1 (the README says so).
 *   - a cgroup v2 per child spawned with PD_SPAWN_TREE, where this process may create cgroups under
 *     its own (root, or a delegated subtree): membership is inherited by every fork and cannot be
 *     left without write access elsewhere, so cgroup.procs lists exactly the live descendants, and
 *     cgroup.kill (5.14) SIGKILLs them all atomically, forks in flight included. The host reads and
 *     writes those files itself (lib/descriptor/tree.ts); the helper only makes, fills and removes
 *     the directories. The child enters its cgroup by writing "0" to a cgroup.procs fd opened here,
 *     before execve (child.c), so it never runs user code outside it.
 * Without a usable cgroup (PD_FEATURE_TREE_CGROUP clear) the host walks /proc instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "protocol.h"
#include "tree.h"

static char base[PATH_MAX / 2]; /* <cgroup2 mount><our cgroup>/procdesc-<pid>-<salt>; "" when unusable */
static char home[PATH_MAX];      /* <cgroup2 mount><our cgroup>: where the helper itself lives */

struct tree_cgroup {
  uint64_t id;
  int kill_on_close;
};
static struct tree_cgroup *groups;
static size_t groups_len, groups_cap;

static void group_path(char *out, size_t cap, uint64_t id, const char *file) {
  snprintf(out, cap, "%s/%llu%s%s", base, (unsigned long long)id, file ? "/" : "", file ? file : "");
}

static int write_str(const char *path, const char *s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t r = write(fd, s, strlen(s));
  close(fd);
  return r < 0 ? -1 : 0;
}

/* The cgroup2 mount point (mountinfo field 5 of the line whose fstype is cgroup2). */
static int cgroup2_mount(char *out, size_t cap) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return -1;
  char line[4096];
  int found = -1;
  while (found < 0 && fgets(line, sizeof line, f)) {
    char *sep = strstr(line, " - cgroup2 ");
    if (!sep) continue;
    char mnt[PATH_MAX];
    if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 && strlen(mnt) < cap) {
      strcpy(out, mnt);
      found = 0;
    }
  }
  fclose(f);
  return found;
}

/* Our own cgroup v2 path ("0::<path>" in /proc/self/cgroup). */
static int own_cgroup(char *out, size_t cap) {
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (!f) return -1;
  char line[PATH_MAX + 8];
  int found = -1;
  while (found < 0 && fgets(line, sizeof line, f)) {
    if (strncmp(line, "0::", 3) != 0) continue;
    line[strcspn(line, "\n")] = '\0';
    if (strlen(line + 3) < cap) {
      strcpy(out, strcmp(line + 3, "/") == 0 ? "" : line + 3);
      found = 0;
    }
  }
  fclose(f);
  return found;
}

/* A helper that left while a tree lived (its host went away; children outlive it, as under Node)
 * could not remove that tree's cgroup; cgroup v2 has no release agent. The next helper removes what
 * has emptied since, in the bases of helpers that are gone. "Gone" is read from the cgroup, not
 * from a PID: a helper lives in its base's "helper" cgroup, so that one is populated while the
 * helper (or a child it spawned without a tree) lives, whatever PID namespace either side is in. */
static int populated(const char *dir) {
  char file[PATH_MAX + 32], buf[256];
  snprintf(file, sizeof file, "%s/cgroup.events", dir);
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno != ENOENT;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 1;
  buf[n] = '\0';
  return strstr(buf, "populated 0") == NULL;
}

static void sweep_stale(void) {
  DIR *d = opendir(home);
  if (!d) return;
  struct dirent *e;
  const char *own = strrchr(base, '/') + 1;
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, "procdesc-", 9) != 0 || strcmp(e->d_name, own) == 0) continue;
    char dir[PATH_MAX], helper[PATH_MAX + 16];
    if (snprintf(dir, sizeof dir, "%s/%s", home, e->d_name) >= (int)sizeof dir) continue;
    snprintf(helper, sizeof helper, "%s/helper", dir);
    if (populated(helper)) continue;
    DIR *g = opendir(dir);
    if (!g) continue;
    struct dirent *c;
    while ((c = readdir(g))) {
      if (c->d_type != DT_DIR || c->d_name[0] == '.') continue;
      char sub[PATH_MAX + 256];
      snprintf(sub, sizeof sub, "%s/%s", dir, c->d_name);
      rmdir(sub); /* EBUSY while a process of that tree lives */
    }
    closedir(g);
    rmdir(dir);
  }
  closedir(d);
}

void tree_init(void) {
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  char mnt[PATH_MAX / 4], own[PATH_MAX / 4], helper[PATH_MAX];
  if (cgroup2_mount(mnt, sizeof mnt) < 0 || own_cgroup(own, sizeof own) < 0) return;
  int n = snprintf(home, sizeof home, "%s%s", mnt, own);
  if (n < 0 || (size_t)n >= sizeof home) return;
  /* The PID alone could name two helpers in two PID namespaces that share a cgroup hierarchy. */
  unsigned int salt = 0;
  int rfd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (rfd >= 0) { (void)!read(rfd, &salt, sizeof salt); close(rfd); }
  n = snprintf(base, sizeof base, "%s/procdesc-%d-%08x", home, (int)getpid(), salt);
  if (n < 0 || (size_t)n >= sizeof base) { base[0] = '\0'; return; }
  /* Probe the whole path once, and stay: make base/helper and move ourselves into it. A read-only
   * cgroupfs, an undelegated subtree or an old kernel (no cgroup.kill before 5.14) fails here, not
   * per spawn. We stay below our own cgroup, so its limits still hold for us and our children. */
  snprintf(helper, sizeof helper, "%s/helper", base);
  int ok = mkdir(base, 0755) == 0 && mkdir(helper, 0755) == 0;
  char file[PATH_MAX + 16];
  snprintf(file, sizeof file, "%s/cgroup.kill", helper);
  ok = ok && access(file, W_OK) == 0;
  snprintf(file, sizeof file, "%s/cgroup.procs", helper);
  ok = ok && write_str(file, "0") == 0;
  if (!ok) {
    rmdir(helper);
    rmdir(base);
    base[0] = '\0';
    return;
  }
  sweep_stale();
}

uint32_t tree_features(void) { return base[0] ? PD_FEATURE_TREE_CGROUP : 0; }

int tree_prepare(uint64_t id) {
  if (!base[0]) return -1;
  char path[PATH_MAX];
  group_path(path, sizeof path, id, NULL);
  if (mkdir(path, 0755) < 0 && errno != EEXIST) return -1;
  group_path(path, sizeof path, id, "cgroup.procs");
  return open(path, O_WRONLY | O_CLOEXEC);
}

void tree_spawned(uint64_t id, int spawned, int kill_on_close) {
  if (!base[0]) return;
  if (!spawned) {
    char path[PATH_MAX];
    group_path(path, sizeof path, id, NULL);
    rmdir(path);
    return;
  }
  if (groups_len == groups_cap) groups = grow(groups, &groups_cap, sizeof *groups);
  groups[groups_len++] = (struct tree_cgroup){ id, kill_on_close };
}

/* After reaping: a cgroup whose last process has exited goes (rmdir fails with EBUSY before).
 * The last member to exit is a child of ours or of another member, so a SIGCHLD reaches us then
 * or, for a grandchild reaped by the child, when the child itself goes. */
void tree_sweep(void) {
  for (size_t i = 0; i < groups_len;) {
    char path[PATH_MAX];
    group_path(path, sizeof path, groups[i].id, NULL);
    if (rmdir(path) == 0 || errno == ENOENT) {
      groups[i] = groups[--groups_len];
    } else {
      i++;
    }
  }
}

void tree_kill_on_close(void) {
  for (size_t i = 0; i < groups_len; i++) {
    if (!groups[i].kill_on_close) continue;
    char path[PATH_MAX];
    group_path(path, sizeof path, groups[i].id, "cgroup.kill");
    write_str(path, "1");
  }
  /* Empty ones go now; a tree still alive keeps its directory until a later helper's sweep. The
   * helper's own cgroup and the base go too, if empty: we are still in it, so only a next helper
   * will find them empty. */
  tree_sweep();
}
