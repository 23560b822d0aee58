// spawnSync's side of the host, as Node's SyncProcessRunner (src/spawn_sync.cc) does it, but
// without being the parent: the child was made by the helper with PD_SPAWN_SYNC, so its exit
// record comes back on the request channel, which nothing else reads while this thread is blocked
// here. Only the calling thread blocks (no JS runs, no event loop turns); the exit never reaches
// the async side or the host's handlers.
//
// SyncProcessRunner's semantics, kept: a pipe the child reads gets its input, then is shut for
// writing (at once when there is no input, even an empty one); every pipe the child writes is
// collected; maxBuffer counts the output of all pipes together, and past it the error is ENOBUFS;
// the timeout's error is ETIMEDOUT; either way the child gets killSignal once (SIGKILL if that
// signal cannot be sent) and every pipe is closed, and we still wait for the exit. A failed write
// (EPIPE) or read is a pipe error, reported only if nothing else went wrong.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmath>

#include "procdesc.h"

namespace procdesc {
namespace {

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void SetError(SyncRun* run, int error) {
  if (!run->error) run->error = error;
}

void SetPipeError(SyncRun* run, int error) {
  if (!run->pipe_error) run->pipe_error = error;
}

void ClosePipe(SyncPipe* p) {
  if (p->host_end >= 0) close(p->host_end);
  p->host_end = -1;
  p->reading = false;
  p->writing = false;
}

// SyncProcessRunner::Kill: once; no signal once it has exited; every pipe closed.
void Kill(int pidfd, SyncRun* run) {
  if (run->killed) return;
  run->killed = true;
  if (!run->exited) {
    long r = syscall(SYS_pidfd_send_signal, pidfd, run->kill_signal, nullptr, 0);
    if (r < 0 && errno != ESRCH) {
      SetError(run, -errno);  // an unusable killSignal: say so, and SIGKILL instead
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
    }
  }
  for (SyncPipe& p : run->pipes) ClosePipe(&p);
}

// The child has exited (its pidfd is readable) and its new parent is about to reap it. Where that
// parent is the host itself (PID 1, subreaper: orphan_reap.cc), we reap it, once the dying helper
// has handed it over.
int AwaitReaped(int pidfd, int* status) {
  for (int waited_ms = 0; waited_ms < 5000; waited_ms++) {
    if (ReapPidfd(pidfd, false, status, nullptr) == 1) return 0;
    int r = PidfdExitStatus(pidfd, status);
    if (r != 0) return r < 0 ? r : 0;
    usleep(1000);
  }
  return -ETIMEDOUT;
}

void ReadSome(int pidfd, SyncPipe* p, SyncRun* run) {
  char buf[65536];  // as SyncProcessOutputBuffer's 64 KiB
  ssize_t n = read(p->host_end, buf, sizeof buf);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    SetPipeError(run, -errno);
    p->reading = false;
    return;
  }
  if (n == 0) {
    p->reading = false;
    return;
  }
  p->output.append(buf, static_cast<size_t>(n));
  run->buffered += static_cast<double>(n);
  if (run->max_buffer > 0 && run->buffered > run->max_buffer) {
    SetError(run, -ENOBUFS);
    Kill(pidfd, run);
  }
}

void WriteSome(SyncPipe* p, SyncRun* run) {
  if (p->written < p->input.size()) {
    ssize_t n = send(p->host_end, p->input.data() + p->written, p->input.size() - p->written, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      // The child stopped reading (EPIPE): so do we, and the result says so, as Node's does.
      SetPipeError(run, -errno);
      p->written = p->input.size();
    } else {
      p->written += static_cast<size_t>(n);
    }
  }
  if (p->written == p->input.size()) {
    shutdown(p->host_end, SHUT_WR);
    p->writing = false;
  }
}

}  // namespace

int CreateSyncPipes(std::vector<int>* stdio, SyncRun* run) {
  for (size_t i = 0; i < stdio->size(); i++) {
    int code = (*stdio)[i];
    if (code != kStdioPipeIn && code != kStdioPipeOut && code != kStdioPipeBoth) continue;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) return -errno;
    SyncPipe p;
    p.child_fd = static_cast<int>(i);
    p.child_reads = code != kStdioPipeOut;
    p.child_writes = code != kStdioPipeIn;
    p.host_end = fds[0];
    p.child_end = fds[1];
    fcntl(p.host_end, F_SETFL, fcntl(p.host_end, F_GETFL) | O_NONBLOCK);
    run->pipes.push_back(std::move(p));
    (*stdio)[i] = fds[1];
  }
  return 0;
}

void PrimeSyncInputs(SyncRun* run) {
  for (SyncPipe& p : run->pipes) {
    p.writing = p.child_reads;
    p.reading = p.child_writes;
    if (p.writing) WriteSome(&p, run);
  }
}

void CloseChildEnds(SyncRun* run) {
  for (SyncPipe& p : run->pipes) {
    if (p.child_end >= 0) close(p.child_end);
    p.child_end = -1;
  }
}

void CloseSyncPipes(SyncRun* run) {
  CloseChildEnds(run);
  for (SyncPipe& p : run->pipes) ClosePipe(&p);
}

void StartSyncTimer(SyncRun* run) {
  // As SyncProcessRunner, whose kill timer starts before uv_spawn: the spawn counts too.
  run->deadline_ms = run->timeout_ms > 0 ? NowMs() + run->timeout_ms : -1;
}

int WaitSync(int req_fd, int pidfd, uint64_t id, SyncRun* run) {
  int64_t deadline = run->deadline_ms;
  bool helper_gone = false;
  int lost = 0;
  std::vector<pollfd> pfds;
  std::vector<SyncPipe*> owners;
  for (;;) {
    pfds.clear();
    owners.clear();
    // Normally the exit record comes on the request channel; if the helper died, the pidfd is
    // what tells us (readable at exit), and PIDFD_INFO_EXIT what the status was.
    if (!run->exited) pfds.push_back({helper_gone ? pidfd : req_fd, POLLIN, 0});
    for (SyncPipe& p : run->pipes) {
      short events = 0;
      if (p.reading) events |= POLLIN;
      if (p.writing) events |= POLLOUT;
      if (!events) continue;
      pfds.push_back({p.host_end, events, 0});
      owners.push_back(&p);
    }
    if (pfds.empty()) return lost;  // exited, and every pipe has ended

    int wait_ms = -1;
    if (deadline >= 0) {
      int64_t left = deadline - NowMs();
      if (left <= 0) {
        SetError(run, -ETIMEDOUT);
        Kill(pidfd, run);
        deadline = -1;
        continue;
      }
      wait_ms = left > 1000000 ? 1000000 : static_cast<int>(left);
    }
    int ready = poll(pfds.data(), pfds.size(), wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    size_t k = 0;
    if (!run->exited) {
      if (pfds[0].revents && helper_gone) {
        int r = AwaitReaped(pidfd, &run->status);
        if (r < 0) return r;
        run->exited = true;
        deadline = -1;
      } else if (pfds[0].revents) {
        pd_exit_record rec;
        ssize_t n = recv(req_fd, &rec, sizeof rec, MSG_DONTWAIT);
        if (n == static_cast<ssize_t>(sizeof rec) && rec.id == id) {
          run->exited = true;
          run->status = rec.status;
          deadline = -1;  // Node's timer stops at the exit too
        } else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR && errno != EMSGSIZE)) {
          helper_gone = true;
          lost = -EPIPE;
        }
      }
      k = 1;
    }
    for (size_t j = 0; k < pfds.size(); k++, j++) {
      SyncPipe* p = owners[j];
      short ev = pfds[k].revents;
      if ((ev & (POLLIN | POLLHUP | POLLERR)) && p->reading) ReadSome(pidfd, p, run);
      if ((ev & (POLLOUT | POLLHUP | POLLERR)) && p->writing) WriteSome(p, run);
    }
  }
}

}  // namespace procdesc
