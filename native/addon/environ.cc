// environGeneration() -> number: a count that goes up whenever the process's environment block
// differs, byte for byte, from what it was at this environment's previous call (1 at the first).
// lib/node/env_snapshot.ts keeps a plain copy of process.env for Node's spawn to read, and makes it
// again when the count is not the one it was made at. A count, not a "changed" flag: every copy of
// the JS library loaded in one environment shares this instance (a test runner's module registry,
// say), and each must see a change another one's call found first.
//
// Byte for byte, not pointer by pointer: setenv and unsetenv replace environ's entries, but putenv
// hands libc a string its caller may later change in place.
//
// environ is read without Node's env mutex (addons cannot take it). Only the main thread calls
// this, and Node changes environ from the main thread, except from workers made with
// env: SHARE_ENV; a setenv racing with this read from another thread is the hazard every getenv()
// of native code has on glibc before 2.40, which frees an outgrown environ array.
#include <string.h>
#include <unistd.h>

#include "js_values.h"
#include "procdesc.h"
#include "session.h"

namespace procdesc {

Napi::Value EnvironGeneration(const Napi::CallbackInfo& info) {
  napi_env env = info.Env();
  Instance* inst = info.Env().GetInstanceData<Instance>();
  std::string& seen = inst->environ_seen;
  bool changed = inst->environ_generation == 0;  // never read yet
  size_t at = 0;
  for (char** entry = environ; entry && *entry && !changed; entry++) {
    size_t len = strlen(*entry) + 1;  // with its NUL: "A=1" "B" differs from "A=1B"
    changed = at + len > seen.size() || memcmp(seen.data() + at, *entry, len) != 0;
    at += len;
  }
  changed = changed || at != seen.size();
  if (changed) {
    seen.clear();
    for (char** entry = environ; entry && *entry; entry++) seen.append(*entry, strlen(*entry) + 1);
    inst->environ_generation++;
  }
  return Napi::Value(env, Int(env, static_cast<double>(inst->environ_generation)));
}

}  // namespace procdesc
