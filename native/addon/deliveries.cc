// When exit news reaches JS: in the check phase of the loop iteration after the one whose poll
// phase read it, never from the poll callback itself. This is what keeps stdio EOFs before 'exit'
// (Node's order) and output from being lost to Node's flushStdio, which resumes the unread
// streams of a child once it has exited.
//
// Why the EOFs are there to be read by then: a child's exit closes its files (do_exit:
// exit_files, then the deferred fput in exit_task_work, which wakes the socketpair's peer) before
// it becomes a zombie and its parent is signalled (exit_notify). The helper's wait4 returns only
// after that, and only then does it send the exit record; a pidfd turns readable in exit_notify
// too. So whenever the host's epoll_wait reports our event channel or a pidfd readable, the
// child's stdio sockets report EPOLLIN|EPOLLHUP in the same batch, if libuv polls them (a stream
// paused with a full buffer is not polled, in Node either).
//
// Why not at once: libuv runs a batch's callbacks in the kernel's ready-list order, so an exit
// delivered from our poll callback could come before the EOF reads of that batch (measured on
// Node 20, 1000 runs: 'exit' before an 'end' 22 times; stderr-then-stdout readers lost stdout 15
// times; Node 0 and 0).
//
// Why one more iteration: Node's libuv handles the signal pipe that brings SIGCHLD after all other
// watchers of a batch (uv__io_poll: have_signals), so Node's 'exit' comes at the end of that poll
// phase. libuv 1.46-1.51 (Node 20, 22) also reads the EOF in the same callback as the last data
// when the event has EPOLLHUP; libuv 1.52 (Node 24, 26) does not: after a short read it returns,
// and the read that gives EOF comes in the next poll phase (seen with strace: read "foo\n" with
// EPOLLHUP set, read "" one epoll_pwait later), so Node 24 itself emits 'exit' before an 'end' now
// and then (6 in 150 runs). Waiting for the next iteration's poll phase lets both kinds of libuv
// read every EOF that was ready when the record came. That next poll phase must not block: an idle
// handle makes libuv poll with a zero timeout while deliveries wait. The cost is one turn of the
// loop (microseconds).
//
// Why two such poll phases on libuv 1.52+: a record can be read by a poll phase whose epoll_wait
// ran before it was sent, if the channel was readable then already (an earlier record) and our
// callback ran late (another callback of the batch took milliseconds): the record's EOFs were not
// in that batch. The next poll phase then reads the child's last data, and libuv 1.52 reads the EOF
// only in the one after (measured on Node 26, 'cat' echoing its stdin: 'exit' before stdout's EOF
// in about 1 of 400 runs, with perf showing two records read together after a 3 ms callback; 0 in
// 3000 runs with two phases). libuv 1.46-1.51 reads data and EOF in one callback, so one phase is
// enough there.
//
// The check handle is restarted at each turn, and libuv runs the latest started check handle first
// (uv_check_start inserts at the head), so exits still come before Node's setImmediate callbacks
// of the same turn.
//
// Everything a channel or a watch reports goes through this one queue, in order: an onLost must
// come after the exits its helper sent before dying (JS takes the children still listed then as
// orphans).
#include <dlfcn.h>

#include "js_values.h"
#include "session.h"

namespace procdesc {

// The poll phases a delivery waits for (above), from the running libuv, not the headers we were
// built with: one build serves every Node. Looked up, not linked: Deno 2.9 exports uv_poll_* but no
// uv_version, and an addon naming it might not load there (only Node's loop comes this way). Asked
// once per Session (its constructor), not through a function-local static: a thread-safe static
// would link libstdc++'s guard functions and their unwinding machinery (cxx_runtime.cc says why not).
int Session::PollsToWait() {
  auto version = reinterpret_cast<unsigned int (*)(void)>(dlsym(RTLD_DEFAULT, "uv_version"));
  return !version || version() >= ((1u << 16) | (52u << 8)) ? 2 : 1;
}

void Session::Defer(const Delivery& d) {
  pending_.push_back(d);
  // With the reader thread (Bun, Deno) there is no libuv loop to wait a turn in: what a report
  // brought is delivered right after its handler returns (event_thread.cc calls DeliverRipe).
  if (thread_) {
    pending_.back().polls_left = 0;
    return;
  }
  pending_.back().polls_left = polls_to_wait_;
  if (!check_) {
    check_ = new uv_check_t;
    uv_check_init(loop_, check_);
    check_->data = this;
    idle_ = new uv_idle_t;
    uv_idle_init(loop_, idle_);
  }
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(check_))) uv_check_start(check_, OnCheck);
}

// Delivers the ripe ones, one at a time from the queue's head: a listener may stop the session
// (the queue empties) or unwatch a pidfd (its pending readable goes, watches.cc).
void Session::DeliverRipe() {
  napi_env env = env_;
  Napi::HandleScope scope(env_);
  while (!pending_.empty() && pending_.front().polls_left == 0) {
    const Delivery d = pending_.front();
    pending_.pop_front();
    if (d.kind == Delivery::kExit) {
      const pd_exit_record& r = d.record;
      // The raw wait status: lib/core/exit_status.ts is its one decoder.
      napi_value argv[] = {Int(env, static_cast<double>(r.id)), Int(env, r.pid), Int(env, r.status),
                           Int(env, static_cast<double>(r.utime_us)), Int(env, static_cast<double>(r.stime_us)),
                           Int(env, static_cast<double>(r.maxrss_kb))};
      CallIntoJs(on_exit_, 6, argv);
    } else if (d.kind == Delivery::kLost) {
      napi_value argv[] = {Int(env, d.err), Int(env, d.generation)};
      CallIntoJs(on_lost_, 2, argv);
    } else {
      napi_value argv[] = {Int(env, d.pidfd)};
      CallIntoJs(on_readable_, 1, argv);
    }
  }
}

// Delivers what has waited its poll phases; the rest will have waited one more by the next check.
void Session::OnCheck(uv_check_t* handle) {
  Session* self = static_cast<Session*>(handle->data);
  self->DeliverRipe();
  if (self->check_ != handle) return;  // stop() closed it
  for (Delivery& d : self->pending_) d.polls_left--;
  uv_check_stop(handle);
  if (self->pending_.empty()) {
    uv_idle_stop(self->idle_);
    return;
  }
  uv_check_start(handle, OnCheck);
  uv_idle_start(self->idle_, [](uv_idle_t*) {});
}

// Pending deliveries are dropped with the session: no callback runs after stop().
void Session::CloseDeliveries(bool teardown) {
  pending_.clear();
  if (!check_) return;
  uv_check_stop(check_);
  uv_idle_stop(idle_);
  // At teardown without a close callback, as session.cc's Shutdown says why.
  uv_close_cb free_check = [](uv_handle_t* h) { delete reinterpret_cast<uv_check_t*>(h); };
  uv_close_cb free_idle = [](uv_handle_t* h) { delete reinterpret_cast<uv_idle_t*>(h); };
  uv_close(reinterpret_cast<uv_handle_t*>(check_), teardown ? nullptr : free_check);
  uv_close(reinterpret_cast<uv_handle_t*>(idle_), teardown ? nullptr : free_idle);
  check_ = nullptr;
  idle_ = nullptr;
}

}  // namespace procdesc
