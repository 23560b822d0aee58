// A spawn request as JS hands it over (lib/core/request.ts builds it): the header's numbers, the
// strings already laid out as the wire wants them (file, cwd?, argv, envp, each NUL-terminated),
// and one int per child fd. Here they become a SpawnMessage: the header, and each distinct host
// fd once in the SCM_RIGHTS list (protocol.h).
#include <errno.h>
#include <fcntl.h>

#include <unordered_map>

#include "js_values.h"
#include "procdesc.h"

namespace procdesc {

bool ReadSpawnArgs(napi_env env, const napi_value* argv, SpawnArgs* out) {
  int32_t id = 0, flags = 0, uid = 0, gid = 0, argc = 0, envc = 0;
  if (!ToInt32(env, argv[0], &id) || !ToInt32(env, argv[1], &flags) || !ToInt32(env, argv[2], &uid) ||
      !ToInt32(env, argv[3], &gid) || !ToInt32(env, argv[4], &argc) || !ToInt32(env, argv[5], &envc)) {
    return false;
  }
  if (!ToBytes(env, argv[6], &out->blob, &out->blob_len)) return false;
  int32_t* stdio = nullptr;
  size_t nstdio = 0;
  if (!ToInt32s(env, argv[7], &stdio, &nstdio)) return false;
  out->id = static_cast<uint32_t>(id);
  out->flags = static_cast<uint32_t>(flags);
  out->uid = static_cast<uint32_t>(uid);
  out->gid = static_cast<uint32_t>(gid);
  out->argc = static_cast<uint32_t>(argc);
  out->envc = static_cast<uint32_t>(envc);
  out->stdio.assign(stdio, stdio + nstdio);
  return true;
}

int BuildSpawnMessage(const SpawnArgs& a, int umask_value, const std::vector<int>& stdio, SpawnMessage* m) {
  pd_spawn_request& h = m->header;
  h.type = PD_REQ_SPAWN;
  h.id = a.id;
  // The flags the wire reserves for itself are set by the sender, never taken from JS.
  h.flags = a.flags & ~(PD_SPAWN_BLOB_IN_MEMFD | PD_SPAWN_SYNC);
  h.uid = a.uid;
  h.gid = a.gid;
  h.umask = static_cast<uint32_t>(umask_value);
  h.argc = a.argc;
  h.envc = a.envc;
  m->blob.assign(a.blob, a.blob_len);

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

}  // namespace procdesc
