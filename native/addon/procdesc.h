// Shared declarations of the addon's files (one concern each):
//   module.cc      the exports, the constants, per-environment cleanup
//   session.cc     a Session: the helper's life and generations, exit records read
//   watches.cc     pidfds watched for their process's exit
//   deliveries.cc  exit news into JS a loop turn later, after the stdio EOFs (Node's order)
//   event_thread.cc exits without libuv (Bun, Deno): a reader thread and a threadsafe function
//   spawn_calls.cc spawn() and spawnSync(): a request in, a result out
//   request.cc     reading a request from JS, building the wire message
//   launch.cc      starting the helper without becoming its parent
//   channel.cc     the wire: sending a request, reading replies and exit records
//   sync_wait.cc   spawnSync's wait on the calling thread
//   pidfd_info.cc  PIDFD_INFO_EXIT
//   orphan_reap.cc reaping by pidfd where the host is the parent (PID 1, subreaper)
//   helper_reap.cc reaping a retired helper there
//   syscalls.cc    the stateless syscall wrappers
//   environ.cc     whether the environment block has changed (lib/node/env_snapshot.ts)
//   uv_repair.cc   freeing Node's unused Process wrap on libuv 1.52+
#ifndef PROCDESC_ADDON_H
#define PROCDESC_ADDON_H

#include <napi.h>
#include <sys/types.h>

#include <string>
#include <vector>

extern "C" {
#include "protocol.h"
}

namespace procdesc {

// One running helper, as seen from the host.
struct HelperProcess {
  int req_fd = -1;  // request channel (blocking): requests out, replies in
  int evt_fd = -1;  // event channel (non-blocking): exit records in
  pid_t pid = 0;
  uint32_t features = 0;
  uint32_t generation = 0;  // which launch of this session's helper: names its children's fate
  int pidfd = -1;  // only where the host is its parent (PID 1, subreaper), to reap it: else -1
};

// launch.cc: starts the helper as a grandchild (so the host is never its parent). 0 or -errno;
// *syscall names the step that failed.
int LaunchHelper(const std::string& path, HelperProcess* out, const char** syscall);

// channel.cc
struct SpawnMessage {
  pd_spawn_request header{};
  std::string blob;       // NUL-separated strings, see protocol.h
  std::vector<int> fds;   // host fds to pass, indexed by header.stdio
};
// Sends a spawn request and waits for its reply. 0 (reply filled, *pidfd set when reply->err is
// 0) or -errno of the transport (the helper is gone). *delivered says whether the helper got the
// request: if so, the child may exist although no reply came (the helper died meanwhile).
int RequestSpawn(const HelperProcess& helper, SpawnMessage* msg, pd_spawn_reply* reply, int* pidfd,
                 bool* delivered);
// Reads every exit record available now. 0, -EAGAIN-free: returns -errno only when the helper has
// gone away (EOF or error), after appending what it could read.
int ReadExitRecords(int evt_fd, std::vector<pd_exit_record>* out);

// pidfd_info.cc: 1 with *status (as from wait4) once the process has been reaped by anyone,
// 0 if not yet, -errno if this kernel gives non-parents no exit status (before 6.15).
int PidfdExitStatus(int pidfd, int* status);

// orphan_reap.cc: waitid(P_PIDFD) (5.4). 1 reaped (*status as from wait4, *usage if given), 0 not
// exited yet (never with block), -errno (ECHILD: we are not its parent).
struct ReapUsage {
  double utime_us = 0, stime_us = 0, maxrss_kb = 0;
};
int ReapPidfd(int pidfd, bool block, int* status, ReapUsage* usage);
// Whether orphaned descendants of ours are re-parented to us: PID 1 of a namespace, or a subreaper.
bool HostAdoptsOrphans();
Napi::Value Reap(const Napi::CallbackInfo& info);
Napi::Value HostAdoptsOrphansJs(const Napi::CallbackInfo& info);

// request.cc: a spawn request as JS passes it (lib/core/request.ts):
//   (id, flags, uid, gid, argc, envc, blob: Buffer, stdio: Int32Array)
struct SpawnArgs {
  uint32_t id = 0, flags = 0, uid = 0, gid = 0, argc = 0, envc = 0;
  const char* blob = nullptr;  // file, cwd?, argv, envp: NUL-terminated, as protocol.h lays them out
  size_t blob_len = 0;
  std::vector<int> stdio;      // per child fd: a host fd, or one of the kStdio* codes below
};
// What a child fd can be besides a host fd to place there (lib/core/native.ts has the same).
constexpr int kStdioIgnore = -1;   // /dev/null for 0-2, closed above
constexpr int kStdioPipeIn = -2;   // spawnSync: a pipe the child reads
constexpr int kStdioPipeOut = -3;  // spawnSync: a pipe the child writes
constexpr int kStdioPipeBoth = -4; // spawnSync: both
// false if an argument is not of its type (JS sees the pending exception, if any).
bool ReadSpawnArgs(napi_env env, const napi_value* argv, SpawnArgs* out);
// 0 or -errno (a stdio fd that is not open, too many fds).
int BuildSpawnMessage(const SpawnArgs& args, int umask_value, const std::vector<int>& stdio, SpawnMessage* m);

// sync_wait.cc: spawnSync's side of the host, blocking the calling thread only.
struct SyncPipe {
  int child_fd;            // the fd number in the child
  bool child_reads = false;
  bool child_writes = false;
  int host_end = -1;
  int child_end = -1;
  std::string input;
  size_t written = 0;
  std::string output;
  bool reading = false;    // still collecting what the child writes
  bool writing = false;    // still feeding it input (then shut for writing)
};
struct SyncRun {
  int64_t timeout_ms = 0;  // 0: none
  int64_t deadline_ms = -1; // on CLOCK_MONOTONIC, set by StartSyncTimer
  double max_buffer = 0;   // all pipes' output together; 0 or Infinity: none
  int kill_signal = 15;
  std::vector<SyncPipe> pipes;
  bool exited = false;
  bool killed = false;
  int status = 0;          // as from wait4
  double buffered = 0;
  int error = 0;           // -ETIMEDOUT, -ENOBUFS, or kill()'s error, as SyncProcessRunner's error_
  int pipe_error = 0;      // a failed write or read, as its pipe_error_
};
// Starts the timeout's clock (before the spawn request, as Node's runner does).
void StartSyncTimer(SyncRun* run);
// Replaces each pipe code in *stdio by the child's end of a new socketpair. 0 or -errno.
int CreateSyncPipes(std::vector<int>* stdio, SyncRun* run);
// Writes what fits of each input before the child starts, as Node's writes go out right away: a
// child that exits without reading then still had its (small) input delivered, as under Node.
void PrimeSyncInputs(SyncRun* run);
void CloseChildEnds(SyncRun* run);
void CloseSyncPipes(SyncRun* run);
// Feeds inputs, collects outputs, applies timeout and maxBuffer, and waits for the exit record on
// the request channel (or, if the helper dies meanwhile, through the pidfd). 0, or -EPIPE if the
// helper went away (the result is still complete where the kernel has PIDFD_INFO_EXIT), or
// another -errno if the exit status could not be learned.
int WaitSync(int req_fd, int pidfd, uint64_t id, SyncRun* run);

// syscalls.cc: the stateless functions of the addon (lib/core/native.ts).
Napi::Value Probe(const Napi::CallbackInfo& info);
Napi::Value Kill(const Napi::CallbackInfo& info);
Napi::Value ExitStatus(const Napi::CallbackInfo& info);
Napi::Value PidfdOpen(const Napi::CallbackInfo& info);
Napi::Value Close(const Napi::CallbackInfo& info);
Napi::Value SocketPair(const Napi::CallbackInfo& info);
Napi::Value Pipe(const Napi::CallbackInfo& info);

// environ.cc: environGeneration() -> number.
Napi::Value EnvironGeneration(const Napi::CallbackInfo& info);

// uv_repair.cc: after closing a Process wrap whose spawn failed, puts its handle back into the
// loop's handle queue if libuv (1.52+) took it out.
Napi::Value RelinkClosingProcess(const Napi::CallbackInfo& info);

}  // namespace procdesc

#endif
