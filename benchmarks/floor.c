// The floor: what spawning costs with nothing but the kernel in the way. Each child is started with
// clone(CLONE_VM|CLONE_VFORK|CLONE_PIDFD) + execve and collected with poll(pidfd) + waitid(P_PIDFD).
// No event loop, no allocation per child, no bookkeeping beyond the pidfd.
//
// It is a worker of the benchmark harness and speaks its protocol: one command a line on stdin, one
// JSON line in reply on stdout. Durations are in milliseconds.
//   true N          N times: spawn /bin/true (stdio on /dev/null), wait for its exit
//   echo N          N times: spawn /bin/echo with stdout on a pipe, read to EOF, wait for its exit
//   sync N          the same as true (this program is synchronous anyway)
//   throughput N K  N spawns of /bin/true with K in flight; replies the elapsed time and the rate
//   kill N          N times: spawn /bin/sleep 1000, then time SIGKILL (pidfd_send_signal) -> exit
//   hold BYTES      grow the memory held (allocated and touched) to BYTES
//   sleepers N      grow the number of idle /bin/sleep 1000 children to N
//   unsleep         kill and reap every idle child
//   stats           open fds and resident memory
//   quit
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "worker_protocol.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

static int devnull = -1;
static char child_stack[64 * 1024] __attribute__((aligned(16)));

struct child_args {
  const char *path;
  char *const *argv;
  int out; // the fd for the child's stdout
};

// Runs in the child, on the parent's memory, while the parent is suspended (CLONE_VFORK): only
// async-signal-safe calls, no allocation.
static int child_main(void *p) {
  const struct child_args *a = p;
  if (dup2(devnull, 0) < 0 || dup2(a->out, 1) < 0 || dup2(devnull, 2) < 0) _exit(126);
  execve(a->path, a->argv, environ);
  _exit(127);
}

// Starts a child; returns its pidfd. Returns once the child has exec'd (or died).
static int start(const char *path, char *const *argv, int out) {
  struct child_args a = {path, argv, out};
  int pidfd = -1;
  pid_t pid = clone(child_main, child_stack + sizeof child_stack,
                    CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &a, &pidfd);
  if (pid < 0) die("clone");
  return pidfd;
}

// Waits for the child behind pidfd to exit, reaps it and closes the pidfd.
static void finish(int pidfd) {
  struct pollfd pfd = {pidfd, POLLIN, 0};
  while (poll(&pfd, 1, -1) < 0)
    if (errno != EINTR) die("poll");
  siginfo_t info;
  while (syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED, NULL) < 0)
    if (errno != EINTR) die("waitid");
  close(pidfd);
}

static char *true_argv[] = {"/bin/true", NULL};
static char *echo_argv[] = {"/bin/echo", "hello", NULL};
static char *sleep_argv[] = {"/bin/sleep", "1000", NULL};

static void run_true(const char *op, long n) {
  double *t = malloc(sizeof(double) * (n ? n : 1));
  for (long i = 0; i < n; i++) {
    double t0 = now_ms();
    finish(start("/bin/true", true_argv, devnull));
    t[i] = now_ms() - t0;
  }
  reply_times(op, t, n);
  free(t);
}

static void run_echo(long n) {
  double *t = malloc(sizeof(double) * (n ? n : 1));
  char buf[4096];
  for (long i = 0; i < n; i++) {
    double t0 = now_ms();
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) die("pipe2");
    int pidfd = start("/bin/echo", echo_argv, p[1]);
    close(p[1]);
    for (;;) {
      ssize_t r = read(p[0], buf, sizeof buf);
      if (r == 0) break;
      if (r < 0 && errno != EINTR) die("read");
    }
    close(p[0]);
    finish(pidfd);
    t[i] = now_ms() - t0;
  }
  reply_times("echo", t, n);
  free(t);
}

static void run_throughput(long n, long k) {
  if (k < 1) k = 1;
  struct pollfd *pfds = calloc(k, sizeof *pfds);
  long started = 0, done = 0, live = 0;
  double t0 = now_ms();
  while (live < k && started < n) {
    pfds[live].fd = start("/bin/true", true_argv, devnull);
    pfds[live].events = POLLIN;
    live++, started++;
  }
  while (done < n) {
    if (poll(pfds, live, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    for (long i = 0; i < live; i++) {
      if (!pfds[i].revents) continue;
      pfds[i].revents = 0;
      finish(pfds[i].fd);
      done++;
      if (started < n) {
        pfds[i].fd = start("/bin/true", true_argv, devnull);
        started++;
      } else {
        pfds[i] = pfds[--live];
        i--;
      }
    }
  }
  double elapsed = now_ms() - t0;
  printf("{\"op\":\"throughput\",\"n\":%ld,\"elapsed\":%.6f,\"rate\":%.3f}\n", n, elapsed,
         n / (elapsed / 1e3));
  fflush(stdout);
  free(pfds);
}

static void run_kill(long n) {
  double *t = malloc(sizeof(double) * (n ? n : 1));
  for (long i = 0; i < n; i++) {
    int pidfd = start("/bin/sleep", sleep_argv, devnull);
    double t0 = now_ms();
    if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0) die("pidfd_send_signal");
    finish(pidfd);
    t[i] = now_ms() - t0;
  }
  reply_times("kill", t, n);
  free(t);
}

static size_t held = 0;

static void hold(size_t bytes) {
  if (bytes > held) {
    size_t more = bytes - held;
    char *p = mmap(NULL, more, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    memset(p, 0x5a, more); // touch every page
    held = bytes;
  }
  printf("{\"op\":\"hold\",\"bytes\":%zu}\n", held);
  fflush(stdout);
}

static int *sleepers = NULL;
static long nsleepers = 0, capsleepers = 0;

static void grow_sleepers(long n) {
  if (n > capsleepers) {
    sleepers = realloc(sleepers, sizeof(int) * n);
    capsleepers = n;
  }
  while (nsleepers < n) sleepers[nsleepers++] = start("/bin/sleep", sleep_argv, devnull);
  printf("{\"op\":\"sleepers\",\"n\":%ld}\n", nsleepers);
  fflush(stdout);
}

static void unsleep(void) {
  for (long i = 0; i < nsleepers; i++)
    if (syscall(SYS_pidfd_send_signal, sleepers[i], SIGKILL, NULL, 0) < 0) die("pidfd_send_signal");
  for (long i = 0; i < nsleepers; i++) finish(sleepers[i]);
  nsleepers = 0;
  printf("{\"op\":\"unsleep\"}\n");
  fflush(stdout);
}

static void stats(void) {
  long fds = 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d) die("opendir");
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') fds++;
  closedir(d);
  fds--; // the directory's own fd
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2) die("statm");
  fclose(f);
  printf("{\"op\":\"stats\",\"fds\":%ld,\"rss\":%ld,\"heapUsed\":null,\"children\":%ld}\n", fds,
         resident * sysconf(_SC_PAGESIZE), nsleepers);
  fflush(stdout);
}

int main(void) {
  devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) die("open /dev/null");
  char line[256];
  printf("{\"op\":\"ready\",\"pid\":%d}\n", getpid());
  fflush(stdout);
  while (fgets(line, sizeof line, stdin)) {
    char op[32] = "";
    long a = 0, b = 0;
    sscanf(line, "%31s %ld %ld", op, &a, &b);
    if (!strcmp(op, "true")) run_true("true", a);
    else if (!strcmp(op, "sync")) run_true("sync", a);
    else if (!strcmp(op, "echo")) run_echo(a);
    else if (!strcmp(op, "throughput")) run_throughput(a, b);
    else if (!strcmp(op, "kill")) run_kill(a);
    else if (!strcmp(op, "hold")) hold((size_t)strtoull(line + 4, NULL, 10));
    else if (!strcmp(op, "sleepers")) grow_sleepers(a);
    else if (!strcmp(op, "unsleep")) unsleep();
    else if (!strcmp(op, "stats")) stats();
    else if (!strcmp(op, "quit")) break;
    else {
      printf("{\"error\":\"unknown command\"}\n");
      fflush(stdout);
    }
  }
  if (nsleepers) unsleep();
  return 0;
}
