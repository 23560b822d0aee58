// Reaping a retired helper where the host is its parent (PID 1, or a subreaper: orphan_reap.cc).
// Elsewhere the helper's parent is init or a subreaper above us, which reaps it, and the launcher
// never kept its pidfd (HelperProcess::pidfd is -1). A helper is retired when it died or when we
// let it go (its request channel closed, so it exits on its own): either way it becomes a zombie
// of ours a moment later, and its pidfd turns readable once it has exited (Linux 5.3).
#include <unistd.h>

#include "session.h"

namespace procdesc {

void Session::ReapRetiredHelper(int pidfd, bool teardown) {
  int status = 0;
  if (ReapPidfd(pidfd, false, &status, nullptr) != 0 || teardown || thread_) {
    // Reaped, not ours after all, or the environment is going away: nothing more to watch. With the
    // reader thread (Bun, Deno) there is no libuv loop to watch it from: a helper that has not
    // exited yet stays a zombie there until the host exits (a known limit, README).
    close(pidfd);
    return;
  }
  HelperReap* r = new HelperReap{this, pidfd, {}};
  if (uv_poll_init(loop_, &r->poll, pidfd) != 0) {
    close(pidfd);
    delete r;
    return;
  }
  r->poll.data = r;
  uv_poll_start(&r->poll, UV_READABLE, OnRetiredHelperReadable);
  // A dying helper must not keep the event loop alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->poll));
  helper_reaps_.insert(r);
}

void Session::OnRetiredHelperReadable(uv_poll_t* handle, int status, int events) {
  HelperReap* r = static_cast<HelperReap*>(handle->data);
  int wait_status = 0;
  // 0: readable spuriously (ptrace), keep watching.
  if (status == 0 && ReapPidfd(r->fd, false, &wait_status, nullptr) == 0) return;
  r->session->helper_reaps_.erase(r);
  CloseHelperReap(r);
}

void Session::CloseHelperReap(HelperReap* r, bool teardown) {
  uv_poll_stop(&r->poll);
  close(r->fd);
  uv_close(reinterpret_cast<uv_handle_t*>(&r->poll),
           teardown ? nullptr : static_cast<uv_close_cb>([](uv_handle_t* h) { delete static_cast<HelperReap*>(h->data); }));
}

}  // namespace procdesc
