// The reader thread (event_thread.h says why it exists). The thread owns nothing but its epoll
// wait: it hands each readiness report (a token, never a pointer: the target may be gone by the time
// the report is run) to the JS thread, which looks the token up, runs the same handler the uv_poll
// path runs, and re-arms the fd if it is still wanted.
//
// Teardown: the thread is woken through an eventfd and joined both when the Session goes (the
// addon may be unloaded after a worker's environment goes) and when the threadsafe function is
// finalized (Node frees it at environment teardown, and a thread that still called it would use
// freed memory), whichever comes first. A report still queued then runs with env == NULL and is
// dropped untouched. The object goes when both are done with it.
#include "event_thread.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "session.h"

namespace procdesc {

EventThread* EventThread::Create(napi_env env, Session* session) {
  EventThread* t = new EventThread();
  t->env_ = env;
  t->session_ = session;
  t->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  t->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  napi_value name = nullptr;
  bool ok = t->epoll_fd_ >= 0 && t->wake_fd_ >= 0 &&
            napi_create_string_utf8(env, "procdesc:exits", NAPI_AUTO_LENGTH, &name) == napi_ok &&
            // No queue limit: the thread never blocks in napi_call_threadsafe_function, so
            // StopThread() can always wake and join it.
            napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, t, Finalize, t, CallJs,
                                            &t->tsfn_) == napi_ok;
  if (ok) {
    // Unreferenced until a child runs, as an idle uv_poll handle would be.
    napi_unref_threadsafe_function(env, t->tsfn_);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = 0;
    ok = epoll_ctl(t->epoll_fd_, EPOLL_CTL_ADD, t->wake_fd_, &ev) == 0 &&
         pthread_create(&t->thread_, nullptr, Run, t) == 0;
  }
  if (!ok) {
    if (!t->tsfn_) {
      delete t;
    } else {
      t->session_ = nullptr;
      napi_release_threadsafe_function(t->tsfn_, napi_tsfn_abort);  // Finalize deletes it
    }
    return nullptr;
  }
  t->running_ = true;
  return t;
}

EventThread::~EventThread() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void EventThread::StopThread() {
  if (!running_) return;
  uint64_t one = 1;
  while (write(wake_fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
  pthread_join(thread_, nullptr);
  running_ = false;
}

void EventThread::Detach(bool teardown) {
  StopThread();
  targets_.clear();
  by_fd_.clear();
  session_ = nullptr;
  if (finalized_) {
    delete this;
    return;
  }
  if (!teardown && !teardown_) napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
}

void EventThread::Finalize(napi_env, void* data, void*) {
  EventThread* self = static_cast<EventThread*>(data);
  self->StopThread();
  self->finalized_ = true;
  self->tsfn_ = nullptr;
  if (!self->session_) delete self;
}

void* EventThread::Run(void* arg) {
  EventThread* self = static_cast<EventThread*>(arg);
  epoll_event events[16];
  for (;;) {
    int n = epoll_wait(self->epoll_fd_, events, 16, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return nullptr;
    }
    for (int i = 0; i < n; i++) {
      uint64_t token = events[i].data.u64;
      if (token == 0) return nullptr;  // StopThread()
      // Blocking mode with no queue limit never waits; napi_closing: the environment is going.
      if (napi_call_threadsafe_function(self->tsfn_, reinterpret_cast<void*>(static_cast<uintptr_t>(token)),
                                        napi_tsfn_blocking) != napi_ok)
        return nullptr;
    }
  }
}

void EventThread::CallJs(napi_env env, napi_value, void* context, void* data) {
  if (env == nullptr) return;  // being finalized: the EventThread may be gone already
  EventThread* self = static_cast<EventThread*>(context);
  if (!self->session_) return;  // detached: only Finalize is still to come
  uint64_t token = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(data));
  auto it = self->targets_.find(token);
  if (it == self->targets_.end()) return;  // removed since the thread saw it
  Target t = it->second;
  // The handlers are the uv_poll callbacks: their handle only carries the target in ->data. They
  // must stay free of libuv calls (Bun aborts in them), as they are today:
  // what they read is queued and delivered below (deliveries.cc).
  Session* session = self->session_;
  if (t.channel) {
    Session::OnEvents(&t.channel->poll, 0, UV_READABLE);
    // Still there (the helper did not go): wait for the next records.
    if (self->targets_.count(token)) self->Arm(token, EPOLL_CTL_MOD);
  } else {
    Session::OnPidfdReadable(&t.watch->poll, 0, UV_READABLE);  // a watch fires once
  }
  // What the handler queued (deliveries.cc), now that it is done with its channel or watch.
  session->DeliverRipe();
}

uint64_t EventThread::Add(Target t) {
  uint64_t token = next_token_++;
  targets_[token] = t;
  by_fd_[t.fd] = token;
  if (!Arm(token, EPOLL_CTL_ADD) && tsfn_) {
    // Not pollable (never for a socket or a pidfd): report it at once, as poll would say POLLERR.
    napi_call_threadsafe_function(tsfn_, reinterpret_cast<void*>(static_cast<uintptr_t>(token)), napi_tsfn_nonblocking);
  }
  ApplyRef();
  return token;
}

bool EventThread::Arm(uint64_t token, int op) {
  epoll_event ev{};
  // EPOLLRDHUP / EPOLLHUP: the helper's end closed (it died), which the handler reads as EOF.
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.u64 = token;
  return epoll_ctl(epoll_fd_, op, targets_[token].fd, &ev) == 0;
}

void EventThread::AddChannel(EventChannel* c) {
  c->poll.data = c;
  Add(Target{c, nullptr, c->fd, false});
}

void EventThread::AddWatch(PidfdWatch* w, bool ref) {
  w->poll.data = w;
  Add(Target{nullptr, w, w->fd, ref});
}

void EventThread::Remove(int fd) {
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end()) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  targets_.erase(it->second);
  by_fd_.erase(it);
  ApplyRef();
}

void EventThread::SetSessionRef(bool ref) {
  session_ref_ = ref;
  ApplyRef();
}

// The loop stays alive while the session's children run (session_ref_) or a referenced watch waits.
void EventThread::ApplyRef() {
  bool want = session_ref_;
  for (auto& entry : targets_) want = want || (entry.second.watch && entry.second.ref);
  if (want == referenced_ || !tsfn_ || teardown_) return;
  referenced_ = want;
  if (want)
    napi_ref_threadsafe_function(env_, tsfn_);
  else
    napi_unref_threadsafe_function(env_, tsfn_);
}

}  // namespace procdesc
