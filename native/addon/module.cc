// The addon's module: what it exports (lib/core/native.ts describes all of it as one interface),
// the wire constants JS needs (from protocol.h, so they are written down once), and the
// per-environment cleanup: when an environment goes away (a worker ends), its sessions let their
// helpers go (their children live on, as under Node).
#include <napi.h>

#include "js_values.h"
#include "session.h"

namespace procdesc {
namespace {

void FinalizeInstance(Napi::Env, Instance* inst) {
  for (Session* s : inst->sessions) s->Shutdown(true);
  delete inst;
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
  c.Set("SPAWN_SETSID", static_cast<double>(PD_SPAWN_SETSID));
  c.Set("SPAWN_SETUID", static_cast<double>(PD_SPAWN_SETUID));
  c.Set("SPAWN_SETGID", static_cast<double>(PD_SPAWN_SETGID));
  c.Set("SPAWN_HAS_CWD", static_cast<double>(PD_SPAWN_HAS_CWD));
  c.Set("SPAWN_KILL_ON_CLOSE", static_cast<double>(PD_SPAWN_KILL_ON_CLOSE));
  c.Set("SPAWN_TREE", static_cast<double>(PD_SPAWN_TREE));
  c.Set("SPAWN_KILL_TREE_ON_CLOSE", static_cast<double>(PD_SPAWN_KILL_TREE_ON_CLOSE));
  c.Set("FEATURE_TREE_CGROUP", static_cast<double>(PD_FEATURE_TREE_CGROUP));
  c.Set("FEATURE_CLONE_PIDFD", static_cast<double>(PD_FEATURE_CLONE_PIDFD));
  c.Set("STDIO_IGNORE", kStdioIgnore);
  c.Set("STDIO_PIPE_IN", kStdioPipeIn);
  c.Set("STDIO_PIPE_OUT", kStdioPipeOut);
  c.Set("STDIO_PIPE_BOTH", kStdioPipeBoth);
  c.Set("MAX_STDIO", PD_MAX_STDIO);
  return c;
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData<Instance, FinalizeInstance>(new Instance());
  exports.Set("Session", Session::Define(env));
  exports.Set("constants", Constants(env));
  exports.Set("probe", Napi::Function::New(env, Probe, "probe"));
  exports.Set("kill", Napi::Function::New(env, Kill, "kill"));
  exports.Set("exitStatus", Napi::Function::New(env, ExitStatus, "exitStatus"));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("reap", Napi::Function::New(env, Reap, "reap"));
  exports.Set("hostAdoptsOrphans", Napi::Function::New(env, HostAdoptsOrphansJs, "hostAdoptsOrphans"));
  exports.Set("close", Napi::Function::New(env, Close, "close"));
  exports.Set("socketpair", Napi::Function::New(env, SocketPair, "socketpair"));
  exports.Set("pipe", Napi::Function::New(env, Pipe, "pipe"));
  exports.Set("environGeneration", Napi::Function::New(env, EnvironGeneration, "environGeneration"));
  exports.Set("relinkClosingProcess", Napi::Function::New(env, RelinkClosingProcess, "relinkClosingProcess"));
  return exports;
}

}  // namespace
}  // namespace procdesc

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return procdesc::InitModule(env, exports); }
NODE_API_MODULE(procdesc, Init)
