// A host with nothing in it but procdesc's wire protocol (native/protocol.h): it starts the helper
// it is given, asks it for /bin/true (stdio ignored, in this process's directory and with its
// environment, as procdesc sends Node's), takes the reply and the pidfd, and waits for the exit
// record on the event channel. So it pays for the helper's path (the request, the helper's work,
// its clone, the reply, the record) and nothing of Node's: beside the floor and procdesc in one run
// (benchmarks/layers.js), it splits scenario 1's distance to the floor into the helper's share and
// the Node host's.
//
// `protocol_client HELPER [KB]`: with KB, the client also writes one byte in every cache line of a
// KB-sized buffer before each spawn, untimed, as a stand-in for the memory a host's JavaScript
// touches between two spawns (the child's exec and exit then run on colder caches).
//
// It speaks the harness's protocol as floor.c does (one command a line on stdin, one JSON line out):
//   true N   N times: spawn /bin/true through the helper and wait for its exit record
//   quit
// It starts the helper itself, with fork and execve, and is its parent: a benchmark, not a host.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "worker_protocol.h"

extern char **environ;

static int req_fd = -1, evt_fd = -1;
static struct pd_spawn_request request;
static char *blob;
static size_t blob_len;
static char *touched;
static size_t touched_len;

static void start_helper(const char *path) {
  int req[2], evt[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, req) < 0 ||
      socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, evt) < 0)
    die("socketpair");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    // As the addon's launch.cc gives them: /dev/null on 0-2, the channels on fds 3 and 4, each source
    // first lifted above them so that no dup2 overwrites another's (dup2 clears CLOEXEC).
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    int from[3] = {fcntl(null_fd, F_DUPFD_CLOEXEC, 10), fcntl(req[1], F_DUPFD_CLOEXEC, 10),
                   fcntl(evt[1], F_DUPFD_CLOEXEC, 10)};
    if (null_fd < 0 || from[0] < 0 || from[1] < 0 || from[2] < 0) _exit(126);
    if (dup2(from[0], 0) < 0 || dup2(from[0], 1) < 0 || dup2(from[0], 2) < 0 || dup2(from[1], PD_REQ_FD) < 0 ||
        dup2(from[2], PD_EVT_FD) < 0)
      _exit(126);
    syscall(SYS_close_range, PD_EVT_FD + 1, ~0U, 0); // nothing else of ours (Linux 5.9; else left open)
    char *argv[] = {(char *)path, NULL};
    char *envp[] = {NULL};
    execve(path, argv, envp);
    _exit(127);
  }
  close(req[1]);
  close(evt[1]);
  req_fd = req[0];
  evt_fd = evt[0];
  struct pd_hello hello;
  if (recv(req_fd, &hello, sizeof hello, 0) != (ssize_t)sizeof hello || hello.magic != PD_HELLO_MAGIC ||
      hello.request_size != sizeof(struct pd_spawn_request)) {
    errno = EPROTO;
    die("the helper's hello");
  }
}

// file, the current directory, argv[0], then this process's environment, each NUL-terminated
// (protocol.h): what procdesc sends for the same spawn.
static void build_request(void) {
  static const char file[] = "/bin/true";
  static char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) die("getcwd");
  size_t len = 2 * sizeof file + strlen(cwd) + 1;
  uint32_t envc = 0;
  for (char **e = environ; *e; e++, envc++) len += strlen(*e) + 1;
  if (len > PD_INLINE_MAX) { // procdesc would send it in a memfd; this client does not
    errno = E2BIG;
    die("environment");
  }
  blob = malloc(len);
  if (!blob) die("malloc");
  char *p = blob;
  p = stpcpy(p, file) + 1;
  p = stpcpy(p, cwd) + 1;
  p = stpcpy(p, file) + 1;
  for (char **e = environ; *e; e++) p = stpcpy(p, *e) + 1;
  blob_len = len;
  request.type = PD_REQ_SPAWN;
  request.flags = PD_SPAWN_HAS_CWD;
  mode_t mask = umask(022); // read by setting it: this program has one thread
  umask(mask);
  request.umask = mask;
  request.argc = 1;
  request.envc = envc;
  request.nstdio = 3;
  request.stdio[0] = request.stdio[1] = request.stdio[2] = -1; // 'ignore': /dev/null
  request.blob_len = (uint32_t)blob_len;
}

static void spawn_and_wait(void) {
  request.id++;
  request.host_tid = (int32_t)syscall(SYS_gettid);
  request.host_cpu = sched_getcpu();
  struct iovec iov[2] = {{&request, sizeof request}, {blob, blob_len}};
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
  if (sendmsg(req_fd, &msg, MSG_NOSIGNAL) < 0) die("sendmsg");

  struct pd_spawn_reply reply;
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } ctl;
  struct iovec riov = {&reply, sizeof reply};
  struct msghdr rmsg = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
  ssize_t got = recvmsg(req_fd, &rmsg, MSG_CMSG_CLOEXEC);
  if (got < 0) die("recvmsg");
  if (got != (ssize_t)sizeof reply || reply.id != request.id || (rmsg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
    errno = got == 0 ? EPIPE : EPROTO;
    die("the reply");
  }
  if (reply.err) {
    errno = reply.err;
    die("spawn");
  }
  struct cmsghdr *c = CMSG_FIRSTHDR(&rmsg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
    errno = EPROTO;
    die("the reply's pidfd");
  }
  int pidfd;
  memcpy(&pidfd, CMSG_DATA(c), sizeof pidfd);

  // One child at a time: the next record is this child's.
  struct pd_exit_record records[PD_EXIT_BATCH];
  struct pollfd pfd = {evt_fd, POLLIN, 0};
  for (;;) {
    if (poll(&pfd, 1, -1) < 0 && errno != EINTR) die("poll");
    ssize_t n = recv(evt_fd, records, sizeof records, MSG_DONTWAIT);
    if (n > 0) {
      if (n != (ssize_t)sizeof records[0] || records[0].id != request.id) {
        errno = EPROTO;
        die("the exit record");
      }
      break;
    }
    if (n == 0) {
      errno = EPIPE;
      die("the event channel");
    }
    if (errno != EAGAIN && errno != EINTR) die("recv");
  }
  close(pidfd);
}

static void touch_memory(void) {
  for (size_t i = 0; i < touched_len; i += 64) touched[i]++;
}

static void run_true(long n) {
  double *t = malloc(sizeof(double) * (n ? n : 1));
  if (!t) die("malloc");
  for (long i = 0; i < n; i++) {
    touch_memory();
    double t0 = now_ms();
    spawn_and_wait();
    t[i] = now_ms() - t0;
  }
  reply_times("true", t, n);
  free(t);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    errno = EINVAL;
    die("usage: protocol_client HELPER [KB]");
  }
  touched_len = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) * 1024 : 0;
  if (touched_len) {
    touched = calloc(1, touched_len);
    if (!touched) die("calloc");
  }
  start_helper(argv[1]);
  build_request();
  printf("{\"op\":\"ready\",\"pid\":%d}\n", (int)getpid());
  fflush(stdout);
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    long n;
    if (strncmp(line, "quit", 4) == 0) break;
    if (sscanf(line, "true %ld", &n) == 1) {
      run_true(n);
    } else {
      printf("{\"error\":\"unknown command\"}\n");
      fflush(stdout);
    }
  }
  return 0;
}
