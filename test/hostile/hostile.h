/*
 * hostile.h - what the files of the test-only hostile addon share: Node-API
 * plumbing (static inline: each file has its own copy, nothing is exported)
 * and the callbacks hostile.c exports (reaper.c, sigchld.c, proc_status.c).
 */
#ifndef HOSTILE_HOSTILE_H
#define HOSTILE_HOSTILE_H
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* On failure, raise a JS exception (unless one is already pending) and bail
 * out of the current callback; JS then sees the throw. */
#define NAPI_CALL(env, call)                                                   \
  do {                                                                         \
    napi_status status_ = (call);                                              \
    if (status_ != napi_ok) {                                                  \
      throw_last_error((env), #call);                                          \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

static inline void throw_last_error(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  char msg[256];
  snprintf(msg, sizeof msg, "hostile: %s failed: %s", what,
           info && info->error_message ? info->error_message : "unknown error");
  napi_throw_error(env, NULL, msg);
}

static inline napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "hostile: %s: %s", what, strerror(err));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static inline napi_value make_string(napi_env env, const char *s) {
  napi_value v;
  NAPI_CALL(env, napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v));
  return v;
}

static inline napi_value make_bool(napi_env env, bool b) {
  napi_value v;
  NAPI_CALL(env, napi_get_boolean(env, b, &v));
  return v;
}

static inline napi_value make_undefined(napi_env env) {
  napi_value v;
  NAPI_CALL(env, napi_get_undefined(env, &v));
  return v;
}

/* reaper.c: a thread that steals exit statuses */
napi_value StartReaper(napi_env env, napi_callback_info info);
napi_value StopReaper(napi_env env, napi_callback_info info);
napi_value ReapedPids(napi_env env, napi_callback_info info);

/* sigchld.c: SIGCHLD dispositions, hostile and instrumental */
napi_value IgnoreSigchld(napi_env env, napi_callback_info info);
napi_value InstallSigchldHandler(napi_env env, napi_callback_info info);
napi_value CountSigchld(napi_env env, napi_callback_info info);
napi_value SigchldCount(napi_env env, napi_callback_info info);
napi_value ResetSigchldCount(napi_env env, napi_callback_info info);
napi_value SigchldDisposition(napi_env env, napi_callback_info info);

/* proc_status.c: /proc/self/status signal masks */
napi_value ProcStatus(napi_env env, napi_callback_info info);

#endif
