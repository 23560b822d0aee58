// spawn() and spawnSync(): a request from JS (request.cc), the exchange with the helper
// (session.cc), and the result back to JS, made with checked raw Node-API calls (js_values.h).
#include <errno.h>
#include <unistd.h>

#include "js_values.h"
#include "session.h"

namespace procdesc {

// spawn(id, flags, uid, gid, argc, envc, blob, stdio, out: Int32Array(3))
//   -> 0, with out = [pid, pidfd, helper generation], once the child has exec'd | -errno
Napi::Value Session::Spawn(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  napi_value argv[9];
  SpawnArgs args;
  int32_t* out = nullptr;
  size_t out_len = 0;
  if (info.Length() < 9) return Napi::Value();
  for (size_t i = 0; i < 9; i++) argv[i] = info[i];
  if (!ReadSpawnArgs(env, argv, &args) || !ToInt32s(env, argv[8], &out, &out_len) || out_len < 3) {
    return Napi::Value();
  }
  SpawnMessage m;
  int err = BuildSpawnMessage(args, CurrentUmask(), args.stdio, &m);
  pd_spawn_reply reply{};
  int pidfd = -1;
  if (!err) {
    const char* syscall_name;
    err = Exchange(&m, &reply, &pidfd, &syscall_name);
  }
  if (!err) {
    out[0] = reply.pid;
    out[1] = pidfd;
    out[2] = static_cast<int32_t>(helper_.generation);
  }
  return Napi::Value(env, Int(env, err));
}

namespace {

// [error, pid, status, output]: error 0 or -errno; pid 0 if no child was made; status the wait
// status, or -1 if it is unknown; output per child fd: a Buffer for pipes the child writes, else null.
napi_value SyncResult(napi_env env, int error, int pid, int status, const std::vector<int>& stdio,
                      const SyncRun& run) {
  napi_value output = nullptr;
  if (napi_create_array_with_length(env, stdio.size(), &output) != napi_ok) return nullptr;
  for (uint32_t i = 0; i < stdio.size(); i++) {
    if (napi_set_element(env, output, i, Null(env)) != napi_ok) return nullptr;
  }
  for (const SyncPipe& p : run.pipes) {
    if (!p.child_writes) continue;
    napi_value buffer = nullptr;
    void* data = nullptr;
    if (napi_create_buffer_copy(env, p.output.size(), p.output.data(), &data, &buffer) != napi_ok) return nullptr;
    if (napi_set_element(env, output, static_cast<uint32_t>(p.child_fd), buffer) != napi_ok) return nullptr;
  }
  napi_value result = nullptr;
  if (napi_create_array_with_length(env, 4, &result) != napi_ok) return nullptr;
  napi_value items[] = {Int(env, error), Int(env, pid), Int(env, status), output};
  for (uint32_t i = 0; i < 4; i++) {
    if (napi_set_element(env, result, i, items[i]) != napi_ok) return nullptr;
  }
  return result;
}

}  // namespace

// spawnSync(id, flags, uid, gid, argc, envc, blob, stdio, timeoutMs, maxBuffer, killSignal, inputs)
//   where stdio may hold the kStdioPipe* codes and inputs[fd] (a Buffer or undefined) is written to
//   a pipe the child reads. -> [error, pid, status, output] (SyncResult above)
Napi::Value Session::SpawnSync(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  if (info.Length() < 12) return Napi::Value();
  napi_value argv[12];
  for (size_t i = 0; i < 12; i++) argv[i] = info[i];
  SpawnArgs args;
  SyncRun run;
  double timeout = 0;
  int32_t kill_signal = 15;
  uint32_t ninputs = 0;
  if (!ReadSpawnArgs(env, argv, &args) || !ToDouble(env, argv[8], &timeout) ||
      !ToDouble(env, argv[9], &run.max_buffer) || !ToInt32(env, argv[10], &kill_signal) ||
      napi_get_array_length(env, argv[11], &ninputs) != napi_ok) {
    return Napi::Value();
  }
  run.timeout_ms = static_cast<int64_t>(timeout);
  run.kill_signal = kill_signal;
  std::vector<int> stdio = args.stdio;

  StartSyncTimer(&run);
  int err = CreateSyncPipes(&stdio, &run);
  for (SyncPipe& p : run.pipes) {
    if (err || !p.child_reads || static_cast<uint32_t>(p.child_fd) >= ninputs) continue;
    napi_value input = nullptr;
    const char* data = nullptr;
    size_t len = 0;
    if (napi_get_element(env, argv[11], static_cast<uint32_t>(p.child_fd), &input) != napi_ok) {
      CloseSyncPipes(&run);
      return Napi::Value();
    }
    if (ToBytes(env, input, &data, &len)) p.input.assign(data, len);
  }
  if (!err) PrimeSyncInputs(&run);
  SpawnMessage m;
  if (!err) err = BuildSpawnMessage(args, CurrentUmask(), stdio, &m);
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
    return Napi::Value(env, SyncResult(env, err, 0, -1, stdio, SyncRun()));
  }
  int lost = WaitSync(helper_.req_fd, pidfd, m.header.id, &run);
  close(pidfd);
  CloseSyncPipes(&run);
  if (lost) Retire();        // the helper died under us; the next spawn starts a new one
  if (run.exited) lost = 0;  // the pidfd told us the status all the same
  int error = run.error ? run.error : run.pipe_error ? run.pipe_error : lost;
  return Napi::Value(env, SyncResult(env, error, reply.pid, run.exited ? run.status : -1, stdio, run));
}

}  // namespace procdesc
