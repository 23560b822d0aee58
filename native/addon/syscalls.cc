// The addon's stateless functions: each is one system call (or two), returning 0, a value, or
// -errno; JS builds the errors (lib/core/errno.ts). Raw syscalls where glibc has no wrapper
// (pidfd_open 5.3, pidfd_send_signal 5.1: glibc 2.36 has them, the glibc we target does not).
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "js_values.h"
#include "procdesc.h"

namespace procdesc {

// probe() -> 0 | [-errno, syscall]: may this process signal through pidfds (seccomp, gVisor, old
// kernels)? Every kill() of ours goes through pidfd_send_signal (5.1), and the helper path cannot do
// without it. Asked with fd -1: the kernel answers EBADF when the syscall is there and allowed, and a
// sandbox that denies it answers ENOSYS or EPERM first, so no pidfd_open is needed for the probe
// (a profile may deny pidfd_open alone: the helper gets its children's pidfds from clone(CLONE_PIDFD),
// and lib/core/path.ts checks pidfd_open only where the helper would need it).
Napi::Value Probe(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  int r = static_cast<int>(syscall(SYS_pidfd_send_signal, -1, 0, nullptr, 0));
  if (r < 0 && errno != EBADF) return Napi::Value(env, ErrorPair(env, -errno, "pidfd_send_signal"));
  return Napi::Value(env, Int(env, 0));
}

// kill(pidfd, signal, group?) -> 0 | -errno. Through the pidfd: a recycled PID is never hit.
// group: PIDFD_SIGNAL_PROCESS_GROUP (6.9), the process group the pidfd's process leads.
Napi::Value Kill(const Napi::CallbackInfo& info) {
  constexpr unsigned kSignalProcessGroup = 1u << 2;
  napi_env env = info.Env();
  int32_t fd = -1, sig = 0;
  bool group = false;
  if (!ToInt32(env, info[0], &fd) || !ToInt32(env, info[1], &sig)) return Napi::Value();
  if (info.Length() > 2) ToBool(env, info[2], &group);
  int r = static_cast<int>(syscall(SYS_pidfd_send_signal, fd, sig, nullptr, group ? kSignalProcessGroup : 0));
  return Napi::Value(env, Int(env, r < 0 ? -errno : 0));
}

// exitStatus(pidfd) -> wait status | null (not reaped yet) | -errno (no exit info for
// non-parents on this kernel). See pidfd_info.cc.
Napi::Value ExitStatus(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  int32_t fd = -1;
  if (!ToInt32(env, info[0], &fd)) return Napi::Value();
  int status = 0;
  int r = PidfdExitStatus(fd, &status);
  if (r < 0) return Napi::Value(env, Int(env, r));
  if (r == 0) return Napi::Value(env, Null(env));
  return Napi::Value(env, Int(env, status));
}

// pidfdOpen(pid) -> pidfd | -errno: a handle on any process (5.3).
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  int32_t pid = 0;
  if (!ToInt32(env, info[0], &pid)) return Napi::Value();
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  return Napi::Value(env, Int(env, fd < 0 ? -errno : fd));
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  int32_t fd = -1;
  if (!ToInt32(env, info[0], &fd)) return Napi::Value();
  int r = close(fd);
  return Napi::Value(env, Int(env, r < 0 ? -errno : 0));
}

namespace {
// A fresh fd pair as [fds[0], fds[1]] | -errno (made by make, which returns -1 and sets errno).
// If the array cannot be made, the pair is closed: nothing leaks into a pending exception.
template <typename Make>
Napi::Value FdPair(napi_env env, Make make) {
  int fds[2];
  if (make(fds) < 0) return Napi::Value(env, Int(env, -errno));
  napi_value out = nullptr;
  if (napi_create_array_with_length(env, 2, &out) != napi_ok || napi_set_element(env, out, 0, Int(env, fds[0])) != napi_ok ||
      napi_set_element(env, out, 1, Int(env, fds[1])) != napi_ok) {
    close(fds[0]);
    close(fds[1]);
    return Napi::Value();
  }
  return Napi::Value(env, out);
}
}  // namespace

// socketpair() -> [hostEnd, childEnd] | -errno. What libuv makes for a 'pipe' stdio entry.
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  return FdPair(info.Env(), [](int* fds) { return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds); });
}

// pipe() -> [readEnd, writeEnd] | -errno: a kernel pipe between two children (a pipeline stage's
// stdout and the next one's stdin); the host passes both ends in spawn requests, then closes them,
// so no byte of the pipeline passes through the host. CLOEXEC: only the dup2 in a child keeps it.
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  return FdPair(info.Env(), [](int* fds) { return pipe2(fds, O_CLOEXEC); });
}

}  // namespace procdesc
