// Reaping through a pidfd, for the deployment shapes where the host itself is the parent of what
// procdesc leaves behind: Node as PID 1 of a PID namespace (a container without --init) or a host
// that set PR_SET_CHILD_SUBREAPER (Linux 3.4). There the launcher's exit re-parents the helper to
// the host, and a dead helper's children land on the host too. Only their parent can reap them, and
// PIDFD_INFO_EXIT (6.15) exists only after a reap, so if we did nothing they would stay zombies and
// their exits would never be known.
//
// waitid(P_PIDFD) (Linux 5.4) reaps exactly the process a pidfd names, and only if we are its
// parent (else ECHILD): called only with pidfds of children procdesc started (and its own helper),
// it can never take a child of the host's own, unlike waitpid(-1). The raw syscall is used for its
// fifth argument, the child's rusage (glibc's waitid has none), and because older glibc headers
// lack P_PIDFD.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "js_values.h"
#include "procdesc.h"
#include "wait_status.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace procdesc {

int ReapPidfd(int pidfd, bool block, int* status, ReapUsage* usage) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  long r;
  do {
    r = syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED | (block ? 0 : WNOHANG), &ru);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return -errno;  // ECHILD: not our child (its parent is someone else), EINVAL: before 5.4
  if (si.si_pid == 0) return 0;  // WNOHANG: alive, or readable spuriously
  // Back to a wait(2) status word: lib/core/exit_status.ts is the one decoder of exits.
  int word = pd_wait_status(&si);
  if (word < 0) return 0;  // not an exit (WEXITED only, so not expected)
  *status = word;
  if (usage) {
    usage->utime_us = static_cast<double>(ru.ru_utime.tv_sec) * 1e6 + static_cast<double>(ru.ru_utime.tv_usec);
    usage->stime_us = static_cast<double>(ru.ru_stime.tv_sec) * 1e6 + static_cast<double>(ru.ru_stime.tv_usec);
    usage->maxrss_kb = static_cast<double>(ru.ru_maxrss);
  }
  return 1;
}

bool HostAdoptsOrphans() {
  // getpid() is the PID in our own namespace: 1 for a container's first process.
  if (getpid() == 1) return true;
  int on = 0;
  return prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0) == 0 && on != 0;
}

// reap(pidfd) -> [status, utimeUs, stimeUs, maxRssKb] | null (not exited yet) | -errno (ECHILD:
// we are not its parent). Never blocks.
Napi::Value Reap(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  int32_t fd = -1;
  if (!ToInt32(env, info[0], &fd)) return Napi::Value();
  int status = 0;
  ReapUsage usage;
  int r = ReapPidfd(fd, false, &status, &usage);
  if (r < 0) return Napi::Value(env, Int(env, r));
  if (r == 0) return Napi::Value(env, Null(env));
  napi_value out = nullptr;
  if (napi_create_array_with_length(env, 4, &out) != napi_ok || napi_set_element(env, out, 0, Int(env, status)) != napi_ok ||
      napi_set_element(env, out, 1, Int(env, usage.utime_us)) != napi_ok ||
      napi_set_element(env, out, 2, Int(env, usage.stime_us)) != napi_ok ||
      napi_set_element(env, out, 3, Int(env, usage.maxrss_kb)) != napi_ok)
    return Napi::Value();
  return Napi::Value(env, out);
}

// hostAdoptsOrphans() -> boolean: whether orphans of this process's descendants come to it.
Napi::Value HostAdoptsOrphansJs(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  napi_value v = nullptr;
  napi_get_boolean(env, HostAdoptsOrphans(), &v);
  return Napi::Value(env, v);
}

}  // namespace procdesc
