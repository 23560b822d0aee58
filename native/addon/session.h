// One JS Session (lib/core/session.ts) = one helper at a time. Each JS copy of the library in each
// Node environment (main thread, worker) makes its own, so they never see each other's children or
// callbacks. Nothing here is process-wide and no signal handler is installed.
#ifndef PROCDESC_SESSION_H
#define PROCDESC_SESSION_H

#include <napi.h>
#include <uv.h>

#include <deque>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "procdesc.h"

namespace procdesc {

class Session;
class EventThread;

// The event channel of one helper. When a helper is replaced (it died, or a request to it failed),
// its channel is kept until it reports EOF: exit records it sent before dying are still queued
// there, and only then can JS be told which children (those of this generation) were orphaned.
struct EventChannel {
  Session* session;
  uint32_t generation;
  int fd;
  uv_poll_t poll;
};

// A pidfd watched for its process's exit (children whose helper died, processes opened by PID):
// a pidfd is readable for any holder once the process has exited (Linux 5.3).
struct PidfdWatch {
  Session* session;
  int fd;
  uv_poll_t poll;
};

// Exit news waiting to reach JS (deliveries.cc says why and how long), in the order it was read.
struct Delivery {
  enum Kind { kExit, kLost, kReadable } kind;
  pd_exit_record record;  // kExit
  int err;                // kLost: -errno
  uint32_t generation;    // kLost
  int pidfd;              // kReadable
  int polls_left;         // poll phases still to wait for before it is delivered (deliveries.cc)
};

// A retired helper of which the host is the parent, watched until it can be reaped (helper_reap.cc).
struct HelperReap {
  Session* session;
  int fd;  // its pidfd
  uv_poll_t poll;
};

// Per environment: the sessions to shut down when the environment goes away (a worker ends), and
// the environment block as environGeneration() last saw it, and its count of changes (environ.cc).
struct Instance {
  std::unordered_set<Session*> sessions;
  std::string environ_seen;
  uint64_t environ_generation = 0;
};

class Session : public Napi::ObjectWrap<Session> {
 public:
  static Napi::Function Define(Napi::Env env);

  // new Session(onExit(id, pid, status, utimeUs, stimeUs, maxrssKb), onLost(errno, generation),
  //             onReadable(pidfd), exitThread: bool)
  // exitThread: exits come through a reader thread (event_thread.cc) instead of uv_poll.
  explicit Session(const Napi::CallbackInfo& info);
  ~Session() override;

  // Everything closes, no callback runs (the environment or the session is going away). Closing
  // the request channel is how a helper learns to leave; its children live on.
  void Shutdown(bool teardown);

 private:
  friend class EventThread;  // runs OnEvents and OnPidfdReadable for its reports

  // helper.cc: the helper's life.
  int EnsureHelper(const char** syscall_name);
  void Retire(bool teardown = false);
  void ApplyRef();
  static void OnEvents(uv_poll_t* handle, int status, int events);
  static void CloseChannel(EventChannel* c, bool teardown = false);
  // Sends a built request (starting the helper, or a new one if it died); 0 or -errno.
  int Exchange(SpawnMessage* m, pd_spawn_reply* reply, int* pidfd, const char** syscall_name);
  int CurrentUmask();

  // watches.cc
  static void OnPidfdReadable(uv_poll_t* handle, int status, int events);
  static void CloseWatch(PidfdWatch* w, bool teardown = false);

  // deliveries.cc: exits, losses and readable pidfds reach JS a loop turn after they are read.
  void Defer(const Delivery& d);
  static int PollsToWait();
  void DeliverRipe();
  static void OnCheck(uv_check_t* handle);
  void CloseDeliveries(bool teardown);

  // helper_reap.cc: a retired helper is reaped by us where we are its parent.
  void ReapRetiredHelper(int pidfd, bool teardown);
  static void OnRetiredHelperReadable(uv_poll_t* handle, int status, int events);
  static void CloseHelperReap(HelperReap* r, bool teardown = false);

  // Calls into JS as Node does from its own handles: one MakeCallback per event, inside our async
  // context; an exception thrown by a listener becomes an uncaught exception.
  void CallIntoJs(Napi::FunctionReference& fn, size_t argc, const napi_value* argv);

  // The JS methods (lib/core/native.ts describes each).
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value HelperInfo(const Napi::CallbackInfo& info);
  Napi::Value Spawn(const Napi::CallbackInfo& info);      // spawn_calls.cc
  Napi::Value SpawnSync(const Napi::CallbackInfo& info);  // spawn_calls.cc
  Napi::Value SetRef(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Watch(const Napi::CallbackInfo& info);      // watches.cc
  Napi::Value Unwatch(const Napi::CallbackInfo& info);    // watches.cc

  Napi::Env env_;
  Instance* instance_;  // taken at construction: no Node-API call is needed at teardown
  uv_loop_t* loop_ = nullptr;
  HelperProcess helper_;
  std::unordered_set<EventChannel*> channels_;  // the current helper's, and retired ones draining
  uint32_t generations_ = 0;
  bool referenced_ = false;
  int status_fd_ = -1;  // /proc/self/status, for the umask
  Napi::FunctionReference on_exit_;
  Napi::FunctionReference on_lost_;
  Napi::FunctionReference on_readable_;
  std::unordered_map<int, PidfdWatch*> watches_;  // by pidfd
  std::unordered_set<HelperReap*> helper_reaps_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  uv_check_t* check_ = nullptr;  // made at the first delivery
  uv_idle_t* idle_ = nullptr;    // keeps the next poll phase from blocking while deliveries wait
  std::deque<Delivery> pending_;
  int polls_to_wait_ = 1;  // PollsToWait(), for Node's loop
  EventThread* thread_ = nullptr;  // set: no uv_* call at all (loop_ stays null)
};

}  // namespace procdesc

#endif
