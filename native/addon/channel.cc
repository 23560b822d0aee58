// The host's side of the wire (protocol.h): sending a spawn request with its fds, waiting for the
// reply, draining exit records.
#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "procdesc.h"

namespace procdesc {
namespace {

// Large argv/env (up to ARG_MAX and beyond, so that execve itself says E2BIG as under Node)
// would not fit in one SEQPACKET message: they travel in a memfd instead.
int BlobToMemfd(const std::string& blob) {
  int fd = memfd_create("procdesc-request", MFD_CLOEXEC);
  if (fd < 0) return -errno;
  size_t off = 0;
  while (off < blob.size()) {
    ssize_t w = write(fd, blob.data() + off, blob.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return -e;
    }
    off += static_cast<size_t>(w);
  }
  return fd;
}

int SendRequest(int fd, SpawnMessage* m) {
  int memfd = -1;
  pd_spawn_request& h = m->header;
  h.blob_len = static_cast<uint32_t>(m->blob.size());
  if (m->blob.size() > PD_INLINE_MAX) {
    memfd = BlobToMemfd(m->blob);
    if (memfd < 0) return memfd;
    h.flags |= PD_SPAWN_BLOB_IN_MEMFD;
  }
  size_t nfds = m->fds.size() + (memfd >= 0 ? 1 : 0);
  h.nfds = static_cast<uint32_t>(nfds);

  iovec iov[2] = {{&h, sizeof h}, {const_cast<char*>(m->blob.data()), m->blob.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = memfd >= 0 ? 1 : 2;
  std::vector<char> ctl(CMSG_SPACE(sizeof(int) * (nfds ? nfds : 1)), 0);
  if (nfds) {
    msg.msg_control = ctl.data();
    msg.msg_controllen = ctl.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    if (!m->fds.empty()) memcpy(CMSG_DATA(c), m->fds.data(), sizeof(int) * m->fds.size());
    if (memfd >= 0) memcpy(CMSG_DATA(c) + sizeof(int) * m->fds.size(), &memfd, sizeof(int));
  }
  // For the helper's choice to yield (requests.c host_waits_here_alone). sched_getcpu: rseq or the
  // vDSO where there is one, else one getcpu syscall. gettid through syscall(): glibc has no
  // wrapper before 2.30, and the prebuilt addon targets 2.28.
  h.host_tid = static_cast<int32_t>(syscall(SYS_gettid));
  h.host_cpu = sched_getcpu();
  ssize_t n;
  while ((n = sendmsg(fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  int err = n < 0 ? -errno : 0;
  if (memfd >= 0) close(memfd);
  return err;
}

}  // namespace

int RequestSpawn(const HelperProcess& helper, SpawnMessage* m, pd_spawn_reply* reply, int* pidfd,
                 bool* delivered) {
  *pidfd = -1;
  *delivered = false;
  int err = SendRequest(helper.req_fd, m);
  if (err) return err;  // SEQPACKET sends whole messages: the helper never saw it
  *delivered = true;

  union {
    cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } ctl;
  msghdr msg{};
  for (;;) {
    iovec iov = {reply, sizeof *reply};
    msg = msghdr{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof ctl.buf;
    ssize_t n;
    while ((n = recvmsg(helper.req_fd, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    if (n < 0) return -errno;
    if (n == 0) return -EPIPE;  // EOF: the helper is gone
    // Only the reply to this request counts; anything else (a record nobody waits for any more)
    // is dropped, with any fd it carried.
    if (n == static_cast<ssize_t>(sizeof *reply) && !(msg.msg_flags & MSG_TRUNC) && reply->id == m->header.id) break;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
        int stray;
        memcpy(&stray, CMSG_DATA(c), sizeof(int));
        close(stray);
      }
    }
  }
  if (reply->err == 0 && (msg.msg_flags & MSG_CTRUNC)) {
    // The child runs but its pidfd could not be received (no free fd here). Untracked it must not
    // stay: ask the helper, its unreaping parent, to kill it; report what Node would: EMFILE.
    pd_kill_request kill{PD_REQ_KILL, 0, reply->id};
    while (send(helper.req_fd, &kill, sizeof kill, MSG_NOSIGNAL) < 0 && errno == EINTR) {
    }
    reply->err = EMFILE;
    return 0;
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len >= CMSG_LEN(sizeof(int)))
      memcpy(pidfd, CMSG_DATA(c), sizeof(int));
  }
  if (reply->err == 0 && *pidfd < 0) return -EPROTO;
  return 0;
}

int ReadExitRecords(int evt_fd, std::vector<pd_exit_record>* out) {
  pd_exit_record batch[PD_EXIT_BATCH];
  for (;;) {
    ssize_t n = recv(evt_fd, batch, sizeof batch, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return 0;
      return -errno;
    }
    if (n == 0) return -EPIPE;
    size_t count = static_cast<size_t>(n) / sizeof batch[0];
    out->insert(out->end(), batch, batch + count);
  }
}

}  // namespace procdesc
