/*
 * hostile.c - test-only Node-API addon that makes the *host* process hostile
 * to child-process libraries.
 *
 * node:child_process (libuv) learns that a child exited only through SIGCHLD:
 * its handler wakes the loop, which then calls waitpid(pid, WNOHANG) for each
 * child it knows about.  Anything else in the same process that touches
 * SIGCHLD or waitpid() can therefore make those exits vanish.  Real programs
 * do this by accident all the time (GLib's child watch, language runtimes,
 * native libraries that "clean up zombies").  This addon reproduces the three
 * classic ways it happens, so tests can show that procdesc, whose children
 * are never children of the host, is immune:
 *
 *   startReaper()           a thread stealing every exit status, waitpid(-1)
 *   ignoreSigchld()         SIGCHLD = SIG_IGN: the kernel auto-reaps children
 *   installSigchldHandler() a foreign handler that swallows SIGCHLD
 *
 * plus non-intrusive instruments (countSigchld, sigchldDisposition,
 * procStatus) used to interpret the results.
 *
 * Everything here is process-global on purpose (signal dispositions are), so
 * the addon is meant to be loaded once, in a throwaway process.
 */
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include "hostile.h"
#include "sandbox.h"

/* The callbacks live in reaper.c, sigchld.c and proc_status.c (hostile.h);
 * sandbox.c adds its own after them. */
NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"startReaper", NULL, StartReaper, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stopReaper", NULL, StopReaper, NULL, NULL, NULL, napi_enumerable, NULL},
      {"reapedPids", NULL, ReapedPids, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ignoreSigchld", NULL, IgnoreSigchld, NULL, NULL, NULL, napi_enumerable, NULL},
      {"installSigchldHandler", NULL, InstallSigchldHandler, NULL, NULL, NULL,
       napi_enumerable, NULL},
      {"countSigchld", NULL, CountSigchld, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sigchldCount", NULL, SigchldCount, NULL, NULL, NULL, napi_enumerable, NULL},
      {"resetSigchldCount", NULL, ResetSigchldCount, NULL, NULL, NULL,
       napi_enumerable, NULL},
      {"sigchldDisposition", NULL, SigchldDisposition, NULL, NULL, NULL,
       napi_enumerable, NULL},
      {"procStatus", NULL, ProcStatus, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0],
                             props) != napi_ok) {
    throw_last_error(env, "napi_define_properties");
    return NULL;
  }
  sandbox_define(env, exports);
  return exports;
}
