// When exit news reaches JS: in the check phase of the loop iteration whose poll phase read it,
// never from the poll callback itself. This is what keeps Node's order, stdio EOFs before 'exit'.
//
// Why it holds: a child's exit closes its files (do_exit: exit_files, and the deferred fput runs
// in exit_task_work) before it is made a zombie and its parent signalled (exit_notify). The
// helper's wait4 returns only after that, and only then does it send the exit record; a pidfd
// turns readable in exit_notify too. So when the host's epoll_wait reports our event channel or a
// pidfd readable, the child's stdio socketpairs already report EOF (EPOLLHUP) in the same batch,
// if anyone polls them. But libuv runs a batch's callbacks in the kernel's ready-list order, and an
// exit delivered from our poll callback could run before the pipes' EOF reads of that batch
// (measured: 'exit' before an EOF 3 in 200 runs, and output lost to Node's flushStdio, which
// resumes unread streams when 'exit' comes). Node itself never runs that risk: libuv handles the
// signal pipe that brings SIGCHLD after all other watchers of the batch (uv__io_poll,
// have_signals), so 'exit' comes after every EOF read there. Our check handle runs right after the
// poll phase, in the same iteration: one iteration of deferral is enough, as the EOFs are already
// in that batch. It is (re)started for each batch, and libuv runs the latest started check handle
// first (uv_check_start inserts at the head), so we also run before Node's setImmediate callbacks,
// as the exits Node emits in the poll phase do.
//
// Everything a channel or a watch reports goes through this one queue, in order: an onLost must
// come after the exits its helper sent before dying (JS takes the children still listed then as
// orphans).
#include "js_values.h"
#include "session.h"

namespace procdesc {

void Session::Defer(const Delivery& d) {
  if (!check_) {
    check_ = new uv_check_t;
    uv_check_init(loop_, check_);
    check_->data = this;
  }
  pending_.push_back(d);
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(check_))) uv_check_start(check_, OnCheck);
}

// One at a time from the queue's head: a listener may stop the session (the queue empties) or
// unwatch a pidfd (its pending readable goes, watches.cc).
void Session::OnCheck(uv_check_t* handle) {
  Session* self = static_cast<Session*>(handle->data);
  uv_check_stop(handle);
  napi_env env = self->env_;
  Napi::HandleScope scope(self->env_);
  while (!self->pending_.empty()) {
    const Delivery d = self->pending_.front();
    self->pending_.pop_front();
    if (d.kind == Delivery::kExit) {
      const pd_exit_record& r = d.record;
      // The raw wait status: lib/core/exit_status.ts is its one decoder.
      napi_value argv[] = {Int(env, static_cast<double>(r.id)), Int(env, r.pid), Int(env, r.status),
                           Int(env, static_cast<double>(r.utime_us)), Int(env, static_cast<double>(r.stime_us)),
                           Int(env, static_cast<double>(r.maxrss_kb))};
      self->CallIntoJs(self->on_exit_, 6, argv);
    } else if (d.kind == Delivery::kLost) {
      napi_value argv[] = {Int(env, d.err), Int(env, d.generation)};
      self->CallIntoJs(self->on_lost_, 2, argv);
    } else {
      napi_value argv[] = {Int(env, d.pidfd)};
      self->CallIntoJs(self->on_readable_, 1, argv);
    }
  }
}

// Pending deliveries are dropped with the session: no callback runs after stop().
void Session::CloseDeliveries(bool teardown) {
  pending_.clear();
  if (!check_) return;
  uv_check_stop(check_);
  uv_close(reinterpret_cast<uv_handle_t*>(check_),
           teardown ? nullptr : static_cast<uv_close_cb>([](uv_handle_t* h) { delete reinterpret_cast<uv_check_t*>(h); }));
  check_ = nullptr;
}

}  // namespace procdesc
