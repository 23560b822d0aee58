// The addon: the host's whole native surface (lib/native.ts describes it as one interface).
// A Session is one helper; each JS copy of the library in each Node environment (main thread,
// worker) makes its own. Nothing here is process-wide and no signal handler is installed.
// Errors go back to JS as -errno plus, where useful, the syscall's name; JS builds the Error.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <napi.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "procdesc.h"

namespace procdesc {
namespace {

class Session;

// The event channel of one helper. When a helper is replaced (it died, or a request to it failed),
// its channel is kept until it reports EOF: exit records it sent before dying are still queued
// there, and only then can JS be told which children (those of this generation) were orphaned.
struct EventChannel {
  Session* session;
  uint32_t generation;
  int fd;
  uv_poll_t poll;
};

// Per environment: the sessions to shut down when the environment goes away (a worker ends).
struct Instance {
  std::unordered_set<Session*> sessions;
};

// One JS Session (lib/session.ts) = one helper. Two copies of the library in one environment
// each create their own, so they never see each other's children or callbacks.
class Session : public Napi::ObjectWrap<Session> {
 public:
  static Napi::Function Define(Napi::Env env) {
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

  // new Session(onExit(id, pid, code, signal, utimeUs, stimeUs, maxrssKb), onLost(errno, generation),
  //             onReadable(pidfd))
  explicit Session(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Session>(info), env_(info.Env()) {
    napi_get_uv_event_loop(env_, &loop_);
    on_exit_ = Napi::Persistent(info[0].As<Napi::Function>());
    on_lost_ = Napi::Persistent(info[1].As<Napi::Function>());
    on_readable_ = Napi::Persistent(info[2].As<Napi::Function>());
    async_context_ = std::make_unique<Napi::AsyncContext>(env_, "procdesc:helper", info.This().As<Napi::Object>());
    env_.GetInstanceData<Instance>()->sessions.insert(this);
  }

  ~Session() override {
    Shutdown(true);
    for (auto& w : watches_) CloseWatch(w.second, true);
    watches_.clear();
    Instance* inst = env_.GetInstanceData<Instance>();
    if (inst) inst->sessions.erase(this);
  }

  // Everything closes, no callback runs (the environment or the session is going away). Closing
  // the request channel is how a helper learns to leave; its children live on.
  // At teardown the handles are closed without a close callback and their few bytes are left:
  // once a worker's environment is gone Node may unload this addon (a worker-only user), and
  // libuv would then call a close callback in unmapped code (a SIGSEGV of the whole process).
  void Shutdown(bool teardown) {
    Retire();
    for (EventChannel* c : channels_) CloseChannel(c, teardown);
    channels_.clear();
    if (status_fd_ >= 0) close(status_fd_);
    status_fd_ = -1;
  }

 private:
  static void OnPollClosed(uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); }
  static void OnChannelClosed(uv_handle_t* h) { delete static_cast<EventChannel*>(h->data); }

  static void CloseChannel(EventChannel* c, bool teardown = false) {
    uv_poll_stop(&c->poll);
    close(c->fd);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->poll), teardown ? nullptr : OnChannelClosed);
  }

  // Lets the current helper go: its request channel closes (it exits if still alive), and its
  // event channel drains until EOF, then JS hears which generation was lost (OnEvents).
  void Retire() {
    if (helper_.req_fd >= 0) close(helper_.req_fd);
    helper_ = HelperProcess();
  }

  void ApplyRef() {
    for (EventChannel* c : channels_) {
      if (referenced_)
        uv_ref(reinterpret_cast<uv_handle_t*>(&c->poll));
      else
        uv_unref(reinterpret_cast<uv_handle_t*>(&c->poll));
    }
  }

  // Calls into JS as Node does from its own handles: one MakeCallback per event, inside our async
  // context, and an exception thrown by a listener becomes an uncaught exception.
  void CallIntoJs(Napi::FunctionReference& fn, const std::initializer_list<napi_value>& args) {
    // Raw napi here: while a worker is being terminated JS cannot run, and node-addon-api's
    // wrappers would turn that failure into a fatal error.
    std::vector<napi_value> argv(args);
    napi_value result;
    napi_status status = napi_make_callback(env_, static_cast<napi_async_context>(*async_context_), env_.Global(),
                                            fn.Value(), argv.size(), argv.data(), &result);
    bool pending = false;
    if (status != napi_ok && napi_is_exception_pending(env_, &pending) == napi_ok && pending) {
      napi_value exception;
      if (napi_get_and_clear_last_exception(env_, &exception) == napi_ok)
        napi_fatal_exception(env_, exception);  // a no-op once the environment cannot run JS
    }
  }

  static void OnEvents(uv_poll_t* handle, int status, int events) {
    EventChannel* channel = static_cast<EventChannel*>(handle->data);
    Session* self = channel->session;
    std::vector<pd_exit_record> records;
    int err = status < 0 ? status : ReadExitRecords(channel->fd, &records);
    Napi::Env env = self->env_;
    Napi::HandleScope scope(env);
    for (const pd_exit_record& r : records) {
      int code = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : 0;
      int sig = WIFSIGNALED(r.status) ? WTERMSIG(r.status) : 0;
      self->CallIntoJs(self->on_exit_,
                       {Napi::Number::New(env, static_cast<double>(r.id)), Napi::Number::New(env, r.pid),
                        Napi::Number::New(env, code), Napi::Number::New(env, sig),
                        Napi::Number::New(env, static_cast<double>(r.utime_us)),
                        Napi::Number::New(env, static_cast<double>(r.stime_us)),
                        Napi::Number::New(env, static_cast<double>(r.maxrss_kb))});
    }
    if (err) {
      // This helper is gone, and everything it sent has been read. Its remaining children live
      // on; JS watches them through their pidfds.
      uint32_t generation = channel->generation;
      if (generation == self->helper_.generation) self->Retire();
      self->channels_.erase(channel);
      CloseChannel(channel);
      self->CallIntoJs(self->on_lost_, {Napi::Number::New(env, err), Napi::Number::New(env, generation)});
    }
  }

  // 0, or -errno with *syscall set.
  int EnsureHelper(const char** syscall_name) {
    if (helper_.req_fd >= 0) return 0;
    int err = LaunchHelper(HelperPath(), &helper_, syscall_name);
    if (err) return err;
    helper_.generation = ++generations_;
    EventChannel* c = new EventChannel{this, helper_.generation, helper_.evt_fd, {}};
    uv_poll_init(loop_, &c->poll, c->fd);
    c->poll.data = c;
    uv_poll_start(&c->poll, UV_READABLE | UV_DISCONNECT, OnEvents);
    channels_.insert(c);
    ApplyRef();
    return 0;
  }

  // Computed at each helper launch (rare): a function-local static would need the C++ runtime's
  // thread-safe guards, which the prebuilt addons do without (see cxx_runtime.cc).
  static std::string HelperPath() {
    Dl_info info;
    if (!dladdr(reinterpret_cast<void*>(&HelperPathAnchor), &info) || !info.dli_fname) return std::string();
    std::string self = info.dli_fname;
    size_t slash = self.rfind('/');
    return (slash == std::string::npos ? std::string(".") : self.substr(0, slash)) + "/procdesc-helper";
  }
  static void HelperPathAnchor() {}

  int CurrentUmask() {
    // umask(2) can only be read by setting it, which would change process-wide state for a
    // moment; /proc/self/status has it since Linux 4.7.
    if (status_fd_ < 0) status_fd_ = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    char buf[4096];
    ssize_t n = status_fd_ >= 0 ? pread(status_fd_, buf, sizeof buf - 1, 0) : -1;
    if (n <= 0) return 022;
    buf[n] = '\0';
    const char* p = strstr(buf, "\nUmask:");
    return p ? static_cast<int>(strtol(p + 7, nullptr, 8)) : 022;
  }

  // start() -> 0 | [-errno, syscall]: launches the helper now (capabilities() uses it).
  Napi::Value Start(const Napi::CallbackInfo& info) {
    const char* syscall_name = "";
    int err = EnsureHelper(&syscall_name);
    return err ? ErrorPair(info.Env(), err, syscall_name) : Napi::Number::New(info.Env(), 0);
  }

  // helperInfo() -> { pid, features } | null
  Napi::Value HelperInfo(const Napi::CallbackInfo& info) {
    if (helper_.req_fd < 0) return info.Env().Null();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("pid", helper_.pid);
    o.Set("features", helper_.features);
    return o;
  }

  // spawn({ id, file, args, envPairs, cwd?, detached, uid?, gid?, stdio: (fd | -1)[] })
  //   -> [0, pid, pidfd, helper generation] | [-errno, syscall]
  Napi::Value Spawn(const Napi::CallbackInfo& info);
  Napi::Value SpawnSync(const Napi::CallbackInfo& info);
  // Sends a built request (starting the helper, or a new one if it died); 0 or -errno.
  int Exchange(SpawnMessage* m, pd_spawn_reply* reply, int* pidfd, const char** syscall_name);

  // setRef(bool): whether exits still to come keep the event loop alive.
  Napi::Value SetRef(const Napi::CallbackInfo& info) {
    referenced_ = info[0].ToBoolean();
    ApplyRef();
    return info.Env().Undefined();
  }

  // watch(pidfd, ref): calls onReadable(pidfd) once the process has exited. For children whose
  // helper died (their exit will never come as a record): a pidfd is readable for any holder (5.3).
  Napi::Value Watch(const Napi::CallbackInfo& info) {
    int fd = info[0].As<Napi::Number>().Int32Value();
    if (watches_.count(fd)) return Napi::Number::New(info.Env(), 0);
    uv_poll_t* p = new uv_poll_t;
    int err = uv_poll_init(loop_, p, fd);
    if (err) {
      delete p;
      return Napi::Number::New(info.Env(), err);
    }
    p->data = this;
    uv_poll_start(p, UV_READABLE, OnPidfdReadable);
    if (!info[1].ToBoolean()) uv_unref(reinterpret_cast<uv_handle_t*>(p));
    watches_[fd] = p;
    return Napi::Number::New(info.Env(), 0);
  }

  Napi::Value Unwatch(const Napi::CallbackInfo& info) {
    auto it = watches_.find(info[0].As<Napi::Number>().Int32Value());
    if (it != watches_.end()) {
      CloseWatch(it->second);
      watches_.erase(it);
    }
    return info.Env().Undefined();
  }

  static void CloseWatch(uv_poll_t* p, bool teardown = false) {
    uv_poll_stop(p);
    uv_close(reinterpret_cast<uv_handle_t*>(p), teardown ? nullptr : OnPollClosed);
  }

  static void OnPidfdReadable(uv_poll_t* handle, int status, int events) {
    Session* self = static_cast<Session*>(handle->data);
    int fd = -1;
    for (auto& w : self->watches_) {
      if (w.second == handle) fd = w.first;
    }
    if (fd < 0) return;
    CloseWatch(handle);
    self->watches_.erase(fd);
    Napi::HandleScope scope(self->env_);
    self->CallIntoJs(self->on_readable_, {Napi::Number::New(self->env_, fd)});
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Shutdown(false);
    return info.Env().Undefined();
  }

  static Napi::Value ErrorPair(Napi::Env env, int err, const char* syscall_name) {
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, Napi::Number::New(env, err));
    out.Set(1u, Napi::String::New(env, syscall_name));
    return out;
  }

  Napi::Env env_;
  uv_loop_t* loop_ = nullptr;
  HelperProcess helper_;
  std::unordered_set<EventChannel*> channels_;  // the current helper's, and retired ones draining
  uint32_t generations_ = 0;
  bool referenced_ = false;
  int status_fd_ = -1;  // /proc/self/status, for the umask
  Napi::FunctionReference on_exit_;
  Napi::FunctionReference on_lost_;
  Napi::FunctionReference on_readable_;
  std::unordered_map<int, uv_poll_t*> watches_;  // pidfd -> its watch
  std::unique_ptr<Napi::AsyncContext> async_context_;
};

// Appends a JS value as a C string. Like Node's Utf8Value, a string with a NUL ends at it.
void AppendString(std::string* blob, Napi::Value v) {
  std::string s = v.ToString().Utf8Value();
  blob->append(s.c_str());
  blob->push_back('\0');
}

uint32_t AppendStrings(std::string* blob, Napi::Value v) {
  if (!v.IsArray()) return 0;
  Napi::Array a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  for (uint32_t i = 0; i < n; i++) AppendString(blob, a.Get(i));
  return n;
}

// Fills m from a JS request. 0 or -errno (a stdio fd that is not open, too many fds).
int BuildSpawnMessage(Napi::Object o, int umask_value, const std::vector<int>& stdio, SpawnMessage* m) {
  pd_spawn_request& h = m->header;
  h.type = PD_REQ_SPAWN;
  h.id = static_cast<uint64_t>(o.Get("id").As<Napi::Number>().Int64Value());
  AppendString(&m->blob, o.Get("file"));
  Napi::Value cwd = o.Get("cwd");
  if (cwd.IsString()) {
    AppendString(&m->blob, cwd);
    h.flags |= PD_SPAWN_HAS_CWD;
  } else {
    // The helper's cwd is the host's of long ago: send the current one.
    char buf[4096];
    if (getcwd(buf, sizeof buf)) {
      m->blob.append(buf);
      m->blob.push_back('\0');
      h.flags |= PD_SPAWN_HAS_CWD;
    }
  }
  h.argc = AppendStrings(&m->blob, o.Get("args"));
  h.envc = AppendStrings(&m->blob, o.Get("envPairs"));
  if (o.Get("detached").ToBoolean()) h.flags |= PD_SPAWN_SETSID;
  if (o.Get("killOnClose").ToBoolean()) h.flags |= PD_SPAWN_KILL_ON_CLOSE;
  Napi::Value uid = o.Get("uid"), gid = o.Get("gid");
  if (uid.IsNumber()) {
    h.flags |= PD_SPAWN_SETUID;
    h.uid = static_cast<uint32_t>(uid.As<Napi::Number>().Int32Value());
  }
  if (gid.IsNumber()) {
    h.flags |= PD_SPAWN_SETGID;
    h.gid = static_cast<uint32_t>(gid.As<Napi::Number>().Int32Value());
  }
  h.umask = static_cast<uint32_t>(umask_value);

  if (stdio.size() > PD_MAX_STDIO) return -EMFILE;
  h.nstdio = static_cast<uint32_t>(stdio.size());
  std::unordered_map<int, int> index_of;  // one SCM_RIGHTS slot per distinct host fd
  for (size_t i = 0; i < stdio.size(); i++) {
    int fd = stdio[i];
    if (fd < 0) {
      h.stdio[i] = -1;
      continue;
    }
    auto it = index_of.find(fd);
    if (it == index_of.end()) {
      if (fcntl(fd, F_GETFD) < 0) return -errno;
      if (m->fds.size() >= PD_MAX_FDS) return -EMFILE;
      it = index_of.emplace(fd, static_cast<int>(m->fds.size())).first;
      m->fds.push_back(fd);
    }
    h.stdio[i] = static_cast<int16_t>(it->second);
  }
  return 0;
}

std::vector<int> StdioFds(Napi::Object o) {
  Napi::Array stdio = o.Get("stdio").As<Napi::Array>();
  std::vector<int> fds(stdio.Length());
  for (uint32_t i = 0; i < fds.size(); i++) fds[i] = stdio.Get(i).As<Napi::Number>().Int32Value();
  return fds;
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

Napi::Value Session::Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  SpawnMessage m;
  int err = BuildSpawnMessage(o, CurrentUmask(), StdioFds(o), &m);
  if (err) return ErrorPair(env, err, "spawn");
  pd_spawn_reply reply{};
  int pidfd = -1;
  const char* syscall_name;
  err = Exchange(&m, &reply, &pidfd, &syscall_name);
  if (err) return ErrorPair(env, err, syscall_name);
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(0u, Napi::Number::New(env, 0));
  out.Set(1u, Napi::Number::New(env, reply.pid));
  out.Set(2u, Napi::Number::New(env, pidfd));
  out.Set(3u, Napi::Number::New(env, helper_.generation));
  return out;
}

// spawnSync(request, { timeout, maxBuffer, killSignal, inputs }) where request.stdio may hold -2
// for a pipe made here. -> { error: -errno | 0, pid, status, signal, output: (Buffer | null)[] }
Napi::Value Session::SpawnSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  Napi::Object opts = info[1].As<Napi::Object>();
  std::vector<int> stdio = StdioFds(o);
  SyncRun run;
  run.timeout_ms = opts.Get("timeout").As<Napi::Number>().Int64Value();
  run.max_buffer = opts.Get("maxBuffer").As<Napi::Number>().DoubleValue();
  run.kill_signal = opts.Get("killSignal").As<Napi::Number>().Int32Value();
  Napi::Array inputs = opts.Get("inputs").As<Napi::Array>();
  Napi::Object result = Napi::Object::New(env);

  int err = CreateSyncPipes(&stdio, &run);
  for (size_t i = 0; !err && i < run.pipes.size(); i++) {
    Napi::Value in = inputs.Get(static_cast<uint32_t>(run.pipes[i].child_fd));
    if (in.IsBuffer()) {
      Napi::Buffer<char> b = in.As<Napi::Buffer<char>>();
      run.pipes[i].input.assign(b.Data(), b.Data() + b.Length());
      run.pipes[i].has_input = true;
    }
  }
  if (!err) PrimeSyncInputs(&run);
  SpawnMessage m;
  if (!err) err = BuildSpawnMessage(o, CurrentUmask(), stdio, &m);
  pd_spawn_reply reply{};
  int pidfd = -1;
  if (!err) {
    m.header.flags |= PD_SPAWN_SYNC;
    const char* syscall_name;
    err = Exchange(&m, &reply, &pidfd, &syscall_name);
  }
  CloseChildEnds(&run);
  if (err) {
    CloseSyncPipes(&run);
    result.Set("error", Napi::Number::New(env, err));
    return result;
  }
  int lost = WaitSync(helper_.req_fd, pidfd, m.header.id, &run);
  close(pidfd);
  CloseSyncPipes(&run);
  if (lost) Retire();  // the helper died under us; the next spawn starts a new one
  if (run.exited) lost = 0;  // the pidfd told us the status all the same

  result.Set("error", Napi::Number::New(env, run.error ? run.error : lost));
  result.Set("pid", Napi::Number::New(env, reply.pid));
  if (run.exited && WIFEXITED(run.status)) {
    result.Set("status", Napi::Number::New(env, WEXITSTATUS(run.status)));
    result.Set("signal", Napi::Number::New(env, 0));
  } else {
    result.Set("status", env.Null());
    result.Set("signal", Napi::Number::New(env, run.exited && WIFSIGNALED(run.status) ? WTERMSIG(run.status) : 0));
  }
  Napi::Array output = Napi::Array::New(env, stdio.size());
  for (uint32_t i = 0; i < stdio.size(); i++) output.Set(i, env.Null());
  for (const SyncPipe& p : run.pipes) {
    if (p.child_fd == 0) continue;  // the child's stdin: nothing to collect
    output.Set(static_cast<uint32_t>(p.child_fd), Napi::Buffer<char>::Copy(env, p.output.data(), p.output.size()));
  }
  result.Set("output", output);
  return result;
}

// probe() -> 0 | [-errno, syscall]: can this process use pidfds? (seccomp, gVisor, old kernels)
Napi::Value Probe(const Napi::CallbackInfo& info) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
  Napi::Env env = info.Env();
  auto fail = [&](const char* name) {
    Napi::Array out = Napi::Array::New(env, 2);
    out.Set(0u, Napi::Number::New(env, -errno));
    out.Set(1u, Napi::String::New(env, name));
    return out;
  };
  if (fd < 0) return fail("pidfd_open");
  int r = static_cast<int>(syscall(SYS_pidfd_send_signal, fd, 0, nullptr, 0));
  if (r < 0) {
    Napi::Value v = fail("pidfd_send_signal");
    close(fd);
    return v;
  }
  close(fd);
  return Napi::Number::New(env, 0);
}

// kill(pidfd, signal, group?) -> 0 | -errno. Through the pidfd: a recycled PID is never hit.
// group: PIDFD_SIGNAL_PROCESS_GROUP (6.9), the process group the pidfd's process leads.
Napi::Value Kill(const Napi::CallbackInfo& info) {
  constexpr unsigned kSignalProcessGroup = 1u << 2;
  int fd = info[0].As<Napi::Number>().Int32Value();
  int sig = info[1].As<Napi::Number>().Int32Value();
  unsigned flags = info.Length() > 2 && info[2].ToBoolean() ? kSignalProcessGroup : 0;
  int r = static_cast<int>(syscall(SYS_pidfd_send_signal, fd, sig, nullptr, flags));
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// exitStatus(pidfd) -> wait status | null (not reaped yet) | -errno (no exit info for
// non-parents on this kernel). See pidfd_info.cc.
Napi::Value ExitStatus(const Napi::CallbackInfo& info) {
  int status = 0;
  int r = PidfdExitStatus(info[0].As<Napi::Number>().Int32Value(), &status);
  if (r < 0) return Napi::Number::New(info.Env(), r);
  if (r == 0) return info.Env().Null();
  return Napi::Number::New(info.Env(), status);
}

// pidfdOpen(pid) -> pidfd | -errno: a handle on any process (5.3).
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, info[0].As<Napi::Number>().Int32Value(), 0));
  return Napi::Number::New(info.Env(), fd < 0 ? -errno : fd);
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  int r = close(fd);
  return Napi::Number::New(info.Env(), r < 0 ? -errno : 0);
}

// socketpair() -> [hostEnd, childEnd] | -errno. What libuv makes for a 'pipe' stdio entry.
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
    return Napi::Number::New(info.Env(), -errno);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), fds[0]));
  out.Set(1u, Napi::Number::New(info.Env(), fds[1]));
  return out;
}

void FinalizeInstance(Napi::Env, Instance* inst) {
  // The environment is going away: let every helper go (its children live on, as under Node).
  for (Session* s : inst->sessions) s->Shutdown(true);
  delete inst;
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<Instance, FinalizeInstance>(new Instance());
  exports.Set("Session", Session::Define(env));
  exports.Set("probe", Napi::Function::New(env, Probe, "probe"));
  exports.Set("kill", Napi::Function::New(env, Kill, "kill"));
  exports.Set("exitStatus", Napi::Function::New(env, ExitStatus, "exitStatus"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("socketpair", Napi::Function::New(env, SocketPair, "socketpair"));
  return exports;
}

}  // namespace
}  // namespace procdesc

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return procdesc::InitModule(env, exports); }
NODE_API_MODULE(procdesc, Init)
