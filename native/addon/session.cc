// The Session object: its JS face, the helper's life (started lazily, replaced when it dies, each
// launch a new generation), exit records read (deliveries.cc takes them into JS), and the event
// loop's ref on them.
#include "session.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "event_thread.h"
#include "js_values.h"

namespace procdesc {

Napi::Function Session::Define(Napi::Env env) {
  return DefineClass(env, "Session",
                     {InstanceMethod<&Session::Start>("start"),
                      InstanceMethod<&Session::HelperInfo>("helperInfo"),
                      InstanceMethod<&Session::Spawn>("spawn"),
                      InstanceMethod<&Session::SpawnSync>("spawnSync"),
                      InstanceMethod<&Session::SetRef>("setRef"),
                      InstanceMethod<&Session::Stop>("stop"),
                      InstanceMethod<&Session::Watch>("watch"),
                      InstanceMethod<&Session::Unwatch>("unwatch")});
}

Session::Session(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<Session>(info), env_(info.Env()), instance_(env_.GetInstanceData<Instance>()) {
  // Node keeps uv_poll: its callback runs in the loop's poll phase with no thread hop, which the
  // kill->exit latency (issue 17) would pay for. Bun and Deno ask for the thread (lib/core/session.ts).
  if (info[3].ToBoolean().Value()) {
    thread_ = EventThread::Create(env_, this);
    if (!thread_) Napi::Error::New(env_, "procdesc: the exit reader thread could not start").ThrowAsJavaScriptException();
  } else {
    napi_get_uv_event_loop(env_, &loop_);
    polls_to_wait_ = PollsToWait();
  }
  on_exit_ = Napi::Persistent(info[0].As<Napi::Function>());
  on_lost_ = Napi::Persistent(info[1].As<Napi::Function>());
  on_readable_ = Napi::Persistent(info[2].As<Napi::Function>());
  async_context_ = std::make_unique<Napi::AsyncContext>(env_, "procdesc:helper", info.This().As<Napi::Object>());
  instance_->sessions.insert(this);
}

// Node-API runs the finalizers of wrapped objects before the instance data's (napi_env__::DeleteMe),
// so instance_ is still there when a Session goes with its environment.
Session::~Session() {
  Shutdown(true);
  if (thread_) thread_->Detach(true);
  instance_->sessions.erase(this);
}

// At teardown the handles are closed without a close callback and their few bytes are left: once a
// worker's environment is gone Node may unload this addon (a worker-only user), and libuv would
// then call a close callback in unmapped code (a SIGSEGV of the whole process).
void Session::Shutdown(bool teardown) {
  if (teardown && thread_) thread_->BeginTeardown();
  Retire(teardown);
  for (EventChannel* c : channels_) CloseChannel(c, teardown);
  channels_.clear();
  for (auto& w : watches_) CloseWatch(w.second, teardown);
  watches_.clear();
  CloseDeliveries(teardown);
  // stop() lets a helper go that is still to be reaped (helper_reap.cc): keep watching it then.
  if (teardown) {
    for (HelperReap* r : helper_reaps_) CloseHelperReap(r, teardown);
    helper_reaps_.clear();
  }
  if (status_fd_ >= 0) close(status_fd_);
  status_fd_ = -1;
}

void Session::CloseChannel(EventChannel* c, bool teardown) {
  if (EventThread* t = c->session->thread_) {
    t->Remove(c->fd);
    close(c->fd);
    delete c;
    return;
  }
  uv_poll_stop(&c->poll);
  close(c->fd);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->poll),
           teardown ? nullptr : static_cast<uv_close_cb>([](uv_handle_t* h) { delete static_cast<EventChannel*>(h->data); }));
}

// Lets the current helper go: its request channel closes (it exits if still alive), and its event
// channel drains until EOF, then JS hears which generation was lost (OnEvents).
void Session::Retire(bool teardown) {
  if (helper_.req_fd >= 0) close(helper_.req_fd);
  if (helper_.pidfd >= 0) ReapRetiredHelper(helper_.pidfd, teardown);
  helper_ = HelperProcess();
}

void Session::ApplyRef() {
  if (thread_) return thread_->SetSessionRef(referenced_ && !channels_.empty());
  for (EventChannel* c : channels_) {
    if (referenced_)
      uv_ref(reinterpret_cast<uv_handle_t*>(&c->poll));
    else
      uv_unref(reinterpret_cast<uv_handle_t*>(&c->poll));
  }
}

void Session::CallIntoJs(Napi::FunctionReference& fn, size_t argc, const napi_value* argv) {
  napi_value result;
  napi_status status = napi_make_callback(env_, static_cast<napi_async_context>(*async_context_), env_.Global(),
                                          fn.Value(), argc, argv, &result);
  bool pending = false;
  if (status != napi_ok && napi_is_exception_pending(env_, &pending) == napi_ok && pending) {
    napi_value exception;
    if (napi_get_and_clear_last_exception(env_, &exception) == napi_ok)
      napi_fatal_exception(env_, exception);  // a no-op once the environment cannot run JS
  }
}

// Runs in the poll phase: what it reads goes to JS after the EOFs ready by now (deliveries.cc).
void Session::OnEvents(uv_poll_t* handle, int status, int events) {
  EventChannel* channel = static_cast<EventChannel*>(handle->data);
  Session* self = channel->session;
  std::vector<pd_exit_record> records;
  int err = status < 0 ? status : ReadExitRecords(channel->fd, &records);
  for (const pd_exit_record& r : records) self->Defer(Delivery{Delivery::kExit, r, 0, 0, -1, 0});
  if (err) {
    // This helper is gone, and everything it sent has been read. Its remaining children live on;
    // JS watches them through their pidfds.
    uint32_t generation = channel->generation;
    if (generation == self->helper_.generation) self->Retire();
    self->channels_.erase(channel);
    CloseChannel(channel);
    self->Defer(Delivery{Delivery::kLost, {}, err, generation, -1, 0});
  }
}

namespace {
void HelperPathAnchor() {}

// The helper binary lives beside this addon's own file, never looked up through PATH. Computed at
// each helper launch (rare): a function-local static would need the C++ runtime's thread-safe
// guards, which the prebuilt addons do without (cxx_runtime.cc).
std::string HelperPath() {
  Dl_info info;
  if (!dladdr(reinterpret_cast<void*>(&HelperPathAnchor), &info) || !info.dli_fname) return std::string();
  std::string self = info.dli_fname;
  size_t slash = self.rfind('/');
  return (slash == std::string::npos ? std::string(".") : self.substr(0, slash)) + "/procdesc-helper";
}
}  // namespace

int Session::EnsureHelper(const char** syscall_name) {
  if (helper_.req_fd >= 0) return 0;
  int err = LaunchHelper(HelperPath(), &helper_, syscall_name);
  if (err) return err;
  helper_.generation = ++generations_;
  EventChannel* c = new EventChannel{this, helper_.generation, helper_.evt_fd, {}};
  if (thread_) {
    channels_.insert(c);
    thread_->AddChannel(c);
    ApplyRef();
    return 0;
  }
  uv_poll_init(loop_, &c->poll, c->fd);
  c->poll.data = c;
  uv_poll_start(&c->poll, UV_READABLE | UV_DISCONNECT, OnEvents);
  channels_.insert(c);
  ApplyRef();
  return 0;
}

int Session::Exchange(SpawnMessage* m, pd_spawn_reply* reply, int* pidfd, const char** syscall_name) {
  *syscall_name = "spawn";
  int err = EnsureHelper(syscall_name);
  if (err) return err;
  bool delivered;
  err = RequestSpawn(helper_, m, reply, pidfd, &delivered);
  if (err && !delivered) {
    // The helper died since the last spawn and never saw this request: start a new one, once.
    Retire();
    err = EnsureHelper(syscall_name);
    if (!err) err = RequestSpawn(helper_, m, reply, pidfd, &delivered);
  }
  if (err) {
    // If it was delivered, the helper died before replying: the child may be running, but without
    // its pidfd we cannot address it. Never send the request again (it would run twice).
    *syscall_name = "spawn";
    Retire();
    return err;
  }
  return reply->err ? -reply->err : 0;
}

int Session::CurrentUmask() {
  // umask(2) can only be read by setting it, which would change process-wide state for a moment;
  // /proc/self/status has it since Linux 4.7.
  if (status_fd_ < 0) status_fd_ = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  char buf[4096];
  ssize_t n = status_fd_ >= 0 ? pread(status_fd_, buf, sizeof buf - 1, 0) : -1;
  if (n <= 0) return 022;
  buf[n] = '\0';
  const char* p = strstr(buf, "\nUmask:");
  return p ? static_cast<int>(strtol(p + 7, nullptr, 8)) : 022;
}

// start() -> 0 | [-errno, syscall]: launches the helper now (the path decision uses it).
Napi::Value Session::Start(const Napi::CallbackInfo& info) {
  const char* syscall_name = "";
  int err = EnsureHelper(&syscall_name);
  return Napi::Value(info.Env(), err ? ErrorPair(info.Env(), err, syscall_name) : Int(info.Env(), 0));
}

// helperInfo() -> { pid, features } | null
Napi::Value Session::HelperInfo(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  if (helper_.req_fd < 0) return Napi::Value(env, Null(env));
  napi_value o = nullptr;
  if (napi_create_object(env, &o) != napi_ok) return Napi::Value();
  if (napi_set_named_property(env, o, "pid", Int(env, helper_.pid)) != napi_ok) return Napi::Value();
  if (napi_set_named_property(env, o, "features", Int(env, helper_.features)) != napi_ok) return Napi::Value();
  return Napi::Value(env, o);
}

// setRef(bool): whether exits still to come keep the event loop alive.
Napi::Value Session::SetRef(const Napi::CallbackInfo& info) {
  bool ref = false;
  if (!ToBool(info.Env(), info[0], &ref)) return Napi::Value();
  referenced_ = ref;
  ApplyRef();
  return info.Env().Undefined();
}

Napi::Value Session::Stop(const Napi::CallbackInfo& info) {
  Shutdown(false);
  return info.Env().Undefined();
}

}  // namespace procdesc
