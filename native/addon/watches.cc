// Pidfds watched for their process's exit, for children whose helper died (their exit record will
// never come) and for processes opened by PID. A pidfd is readable for any holder once the process
// has exited (Linux 5.3); each watch calls onReadable(pidfd) once and is gone.
#include <errno.h>

#include "event_thread.h"
#include "js_values.h"
#include "session.h"

namespace procdesc {

// watch(pidfd, ref) -> 0 | -errno
Napi::Value Session::Watch(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  int32_t fd = -1;
  bool ref = true;
  if (!ToInt32(env, info[0], &fd) || !ToBool(env, info[1], &ref)) return Napi::Value();
  if (watches_.count(fd)) return Napi::Value(env, Int(env, 0));
  PidfdWatch* w = new PidfdWatch{this, fd, {}};
  if (thread_) {
    watches_[fd] = w;
    thread_->AddWatch(w, ref);
    return Napi::Value(env, Int(env, 0));
  }
  int err = uv_poll_init(loop_, &w->poll, fd);
  if (err) {
    delete w;
    return Napi::Value(env, Int(env, err));
  }
  w->poll.data = w;
  uv_poll_start(&w->poll, UV_READABLE, OnPidfdReadable);
  if (!ref) uv_unref(reinterpret_cast<uv_handle_t*>(&w->poll));
  watches_[fd] = w;
  return Napi::Value(env, Int(env, 0));
}

// unwatch(pidfd)
Napi::Value Session::Unwatch(const Napi::CallbackInfo& info) {
  int32_t fd = -1;
  if (!ToInt32(info.Env(), info[0], &fd)) return Napi::Value();
  auto it = watches_.find(fd);
  if (it != watches_.end()) {
    CloseWatch(it->second);
    watches_.erase(it);
  }
  // A readable pidfd still waiting to be delivered: JS may close that fd now, and a new watch
  // on a reused fd number must not hear it.
  for (auto d = pending_.begin(); d != pending_.end();) {
    d = d->kind == Delivery::kReadable && d->pidfd == fd ? pending_.erase(d) : d + 1;
  }
  return info.Env().Undefined();
}

void Session::CloseWatch(PidfdWatch* w, bool teardown) {
  if (EventThread* t = w->session->thread_) {
    t->Remove(w->fd);  // the pidfd itself is JS's to close
    delete w;
    return;
  }
  uv_poll_stop(&w->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll),
           teardown ? nullptr : static_cast<uv_close_cb>([](uv_handle_t* h) { delete static_cast<PidfdWatch*>(h->data); }));
}

void Session::OnPidfdReadable(uv_poll_t* handle, int status, int events) {
  PidfdWatch* w = static_cast<PidfdWatch*>(handle->data);
  Session* self = w->session;
  int fd = w->fd;
  self->watches_.erase(fd);
  CloseWatch(w);
  // Into JS after the EOFs that are ready by now have been read (deliveries.cc).
  self->Defer(Delivery{Delivery::kReadable, {}, 0, 0, fd, 0});
}

}  // namespace procdesc
