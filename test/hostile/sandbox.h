/* sandbox.c: deployment shapes for tests (subreaper, seccomp filters). */
#ifndef HOSTILE_SANDBOX_H
#define HOSTILE_SANDBOX_H
#include <node_api.h>
void sandbox_define(napi_env env, napi_value exports);
#endif
