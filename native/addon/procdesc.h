// Shared declarations of the addon's files: launching the helper and talking to it.
#ifndef PROCDESC_ADDON_H
#define PROCDESC_ADDON_H

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

// sync_wait.cc: spawnSync's side of the host, blocking the calling thread only.
struct SyncPipe {
  int child_fd;      // the fd number in the child
  int host_end = -1;
  int child_end = -1;
  bool has_input = false;
  std::string input;
  size_t written = 0;
  std::string output;
  bool reading = false;
};
struct SyncRun {
  int64_t timeout_ms = 0;   // 0: none
  double max_buffer = 0;    // per pipe; 0 or Infinity: none
  int kill_signal = 15;
  std::vector<SyncPipe> pipes;
  bool exited = false;
  int status = 0;           // as from wait4
  int error = 0;            // -ETIMEDOUT, -ENOBUFS, as Node's spawnSync reports them
};
// Replaces each -2 in *stdio by the child's end of a new socketpair. 0 or -errno.
int CreateSyncPipes(std::vector<int>* stdio, SyncRun* run);
// Writes what fits of each input before the child starts, as Node's writes go out right away: a
// child that exits without reading then still had its (small) input delivered, as under Node.
void PrimeSyncInputs(SyncRun* run);
void CloseChildEnds(SyncRun* run);
void CloseSyncPipes(SyncRun* run);
// Feeds inputs, collects outputs, applies timeout and maxBuffer, and waits for the exit record
// on the request channel (or, if the helper dies meanwhile, through the pidfd). 0, or -EPIPE if
// the helper went away (the result is still complete where the kernel has PIDFD_INFO_EXIT), or
// another -errno if the exit status could not be learned.
int WaitSync(int req_fd, int pidfd, uint64_t id, SyncRun* run);

}  // namespace procdesc

#endif
