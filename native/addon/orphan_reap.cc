// Reaping through a pidfd, for the deployment shapes where the host itself is the parent of what
// procdesc leaves behind: Node as PID 1 of a PID namespace (a container without --init) or a host
// that set PR_SET_CHILD_SUBREAPER (Linux 3.4). There the launcher's exit re-parents the helper to
// the host, and a dead helper's children land on the host too. Only their parent can reap them, and
// PIDFD_INFO_EXIT (6.15) exists only after a reap, so if we did nothing they would stay zombies and
// their exits would never be known.
//
// waitid(P_PIDFD) (Linux 5.4) reaps exactly the process a pidfd names, and only if we are its
// parent (else ECHILD): called only with pidfds of children procdesc started (and its own helper),
// it can never take a child of the host's own, unlike waitpid(-1). The call itself is
// native/pidfd_reap.h's, shared with the helper.
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "js_values.h"
#include "procdesc.h"
#include "pidfd_reap.h"

namespace procdesc {

int ReapPidfd(int pidfd, bool block, int* status, ReapUsage* usage) {
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  int r = pd_reap_pidfd(pidfd, WEXITED | (block ? 0 : WNOHANG), status, &ru);
  if (r == 1 && usage) {
    usage->utime_us = static_cast<double>(ru.ru_utime.tv_sec) * 1e6 + static_cast<double>(ru.ru_utime.tv_usec);
    usage->stime_us = static_cast<double>(ru.ru_stime.tv_sec) * 1e6 + static_cast<double>(ru.ru_stime.tv_usec);
    usage->maxrss_kb = static_cast<double>(ru.ru_maxrss);
  }
  return r;
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
