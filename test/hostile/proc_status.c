/*
 * proc_status.c - test-only (hostile addon): procStatus(), the host's signal
 * masks as /proc/self/status tells them.
 */
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <errno.h>

#include "hostile.h"

/* Returns {SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt} as the kernel's hex
 * strings.  /proc/self is the thread-group leader, i.e. the JS main thread,
 * so SigBlk is that thread's mask; SigIgn/SigCgt are process-wide. */
napi_value ProcStatus(napi_env env, napi_callback_info info) {
  static const char *const keys[] = {"SigPnd", "ShdPnd", "SigBlk", "SigIgn",
                                     "SigCgt"};
  FILE *f = fopen("/proc/self/status", "re");
  if (!f) return throw_errno(env, "open /proc/self/status", errno);

  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok) {
    fclose(f);
    throw_last_error(env, "napi_create_object");
    return NULL;
  }
  char line[256];
  while (fgets(line, sizeof line, f)) {
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
      size_t len = strlen(keys[k]);
      if (strncmp(line, keys[k], len) != 0 || line[len] != ':') continue;
      char *val = line + len + 1;
      val += strspn(val, " \t");
      val[strcspn(val, " \t\r\n")] = '\0';
      napi_value v;
      if (napi_create_string_utf8(env, val, NAPI_AUTO_LENGTH, &v) != napi_ok ||
          napi_set_named_property(env, obj, keys[k], v) != napi_ok) {
        fclose(f);
        throw_last_error(env, "procStatus");
        return NULL;
      }
    }
  }
  fclose(f);
  return obj;
}
