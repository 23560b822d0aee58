// Exit delivery without libuv, for runtimes whose uv_poll is missing or broken (Bun 1.4's uv_poll_*
// abort the process; Deno 2.9's fires once, denoland/deno#36317). One reader thread per session
// waits (epoll) on the helpers' event channels and on watched pidfds, and only says "this one is
// readable" to the JS thread through a napi_threadsafe_function, which Node, Bun and Deno all
// implement. Everything else (reading records, the Session's state, the calls into JS) stays on
// the JS thread, in the same code the uv_poll callbacks run (session.cc, watches.cc).
#ifndef PROCDESC_EVENT_THREAD_H
#define PROCDESC_EVENT_THREAD_H

#include <node_api.h>
#include <pthread.h>
#include <stdint.h>

#include <unordered_map>

namespace procdesc {

class Session;
struct EventChannel;
struct PidfdWatch;

class EventThread {
 public:
  // nullptr if the thread, the epoll set or the threadsafe function cannot be made.
  static EventThread* Create(napi_env env, Session* session);

  // The Session goes: the thread is stopped and joined, nothing more reaches the Session.
  // teardown: the environment is going away, no Node-API call (the runtime finalizes the
  // threadsafe function itself); else it is released here. Either way the object deletes itself
  // once both the Session and the threadsafe function are done with it (Finalize).
  void Detach(bool teardown);
  // The environment is going: from now on no Node-API call (ref/unref) is made.
  void BeginTeardown() { teardown_ = true; }

  // JS thread only. Each fd is reported once per Add/re-arm (EPOLLONESHOT), so the thread never
  // spins on data the JS thread has not read yet.
  void AddChannel(EventChannel* c);
  void AddWatch(PidfdWatch* w, bool ref);
  // Before the fd is closed: its pending reports, if any, are then dropped (their token is gone).
  void Remove(int fd);
  // Whether the helpers' channels keep the event loop alive (the watches say so each).
  void SetSessionRef(bool ref);

 private:
  struct Target {
    EventChannel* channel;  // one of the two
    PidfdWatch* watch;
    int fd;
    bool ref;
  };
  EventThread() = default;
  ~EventThread();
  void StopThread();
  // The threadsafe function's finalizer: after it, napi_call_threadsafe_function may not be called
  // at all (Node frees the function at environment teardown whatever threads still use it).
  static void Finalize(napi_env env, void* data, void* hint);
  static void* Run(void* self);
  static void CallJs(napi_env env, napi_value js_cb, void* context, void* data);
  uint64_t Add(Target t);
  bool Arm(uint64_t token, int op);
  void ApplyRef();

  napi_env env_ = nullptr;
  Session* session_ = nullptr;
  napi_threadsafe_function tsfn_ = nullptr;
  pthread_t thread_{};
  bool running_ = false;
  bool finalized_ = false;
  bool teardown_ = false;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd: written to stop the thread
  uint64_t next_token_ = 1;  // 0 is the wake fd's
  std::unordered_map<uint64_t, Target> targets_;  // touched on the JS thread only
  std::unordered_map<int, uint64_t> by_fd_;
  bool session_ref_ = false;
  bool referenced_ = false;  // what the threadsafe function is now
};

}  // namespace procdesc

#endif
