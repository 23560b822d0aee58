/*
 * sigchld.c - test-only (hostile addon): SIGCHLD dispositions.  Hostile:
 * ignoreSigchld() (SIG_IGN, the kernel auto-reaps), installSigchldHandler()
 * (a foreign handler that swallows the signal).  Instruments: countSigchld(),
 * sigchldCount(), resetSigchldCount(), sigchldDisposition().
 */
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <errno.h>
#include <signal.h>

#include "hostile.h"

/* Incremented from signal handlers: lock-free atomics are async-signal-safe,
 * a plain ++ on a shared counter is not (and may tear across threads). */
static unsigned long sigchld_count;

/* Disposition displaced by countSigchld(), to forward to. */
static struct sigaction chained;

/* The GLib-style thief: note the signal, do nothing else.  libuv never hears
 * about the exit, so it never calls waitpid() and the child stays a zombie
 * whose 'exit' is never emitted. */
static void hostile_handler(int sig, siginfo_t *si, void *ctx) {
  __atomic_fetch_add(&sigchld_count, 1, __ATOMIC_RELAXED);
}

/* The observer: note the signal, then behave exactly as whatever was
 * installed before (normally libuv's handler), so counting does not itself
 * change what the library under test experiences. */
static void counting_handler(int sig, siginfo_t *si, void *ctx) {
  __atomic_fetch_add(&sigchld_count, 1, __ATOMIC_RELAXED);
  if (chained.sa_flags & SA_SIGINFO) {
    if (chained.sa_sigaction) chained.sa_sigaction(sig, si, ctx);
  } else if (chained.sa_handler != SIG_DFL && chained.sa_handler != SIG_IGN) {
    chained.sa_handler(sig);
  }
  /* SIG_DFL for SIGCHLD means "discard", so there is nothing to forward. */
}

static const char *describe(const struct sigaction *sa) {
  if (sa->sa_flags & SA_SIGINFO) {
    if (sa->sa_sigaction == hostile_handler) return "hostile";
    if (sa->sa_sigaction == counting_handler) return "counting";
    return "foreign";
  }
  if (sa->sa_handler == SIG_DFL) return "default";
  if (sa->sa_handler == SIG_IGN) return "ignore";
  return "foreign";
}

napi_value IgnoreSigchld(napi_env env, napi_callback_info info) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_IGN;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGCHLD, &sa, &old) != 0)
    return throw_errno(env, "sigaction(SIGCHLD, SIG_IGN)", errno);
  /* Returning what was displaced lets the caller check the hostility really
   * replaced libuv's handler rather than a default disposition. */
  return make_string(env, describe(&old));
}

napi_value InstallSigchldHandler(napi_env env, napi_callback_info info) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = hostile_handler;
  sa.sa_flags = SA_RESTART | SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGCHLD, &sa, &old) != 0)
    return throw_errno(env, "sigaction(SIGCHLD, hostile)", errno);
  return make_string(env, describe(&old));
}

/*
 * Returns true when SIGCHLD deliveries are being counted afterwards.
 * Refuses (false) while SIGCHLD is SIG_IGN: replacing SIG_IGN with any
 * handler turns kernel auto-reaping back off, which is anything but
 * non-intrusive.  Caveat: if libuv later stops and restarts its SIGCHLD
 * watcher it reinstalls its own handler and counting silently stops;
 * sigchldDisposition() tells whether that happened.
 */
napi_value CountSigchld(napi_env env, napi_callback_info info) {
  struct sigaction cur;
  if (sigaction(SIGCHLD, NULL, &cur) != 0)
    return throw_errno(env, "sigaction(SIGCHLD, query)", errno);
  const char *kind = describe(&cur);
  if (strcmp(kind, "hostile") == 0 || strcmp(kind, "counting") == 0)
    return make_bool(env, true); /* already counted */
  if (strcmp(kind, "ignore") == 0) return make_bool(env, false);

  /* Fill `chained` before our handler can possibly run. */
  chained = cur;
  struct sigaction sa = cur; /* keep mask and flags (SA_NOCLDWAIT, ...) */
  sa.sa_sigaction = counting_handler;
  sa.sa_flags |= SA_SIGINFO;
  if (sigaction(SIGCHLD, &sa, NULL) != 0)
    return throw_errno(env, "sigaction(SIGCHLD, counting)", errno);
  return make_bool(env, true);
}

napi_value SigchldCount(napi_env env, napi_callback_info info) {
  napi_value v;
  unsigned long n = __atomic_load_n(&sigchld_count, __ATOMIC_RELAXED);
  NAPI_CALL(env, napi_create_double(env, (double)n, &v));
  return v;
}

napi_value ResetSigchldCount(napi_env env, napi_callback_info info) {
  __atomic_store_n(&sigchld_count, 0, __ATOMIC_RELAXED);
  return make_undefined(env);
}

/* "default" | "ignore" | "hostile" | "counting" | "foreign" (e.g. libuv's).
 * Lets a test verify, after the fact, that its hostility was still in place
 * and was not silently undone by the library re-registering its handler. */
napi_value SigchldDisposition(napi_env env, napi_callback_info info) {
  struct sigaction cur;
  if (sigaction(SIGCHLD, NULL, &cur) != 0)
    return throw_errno(env, "sigaction(SIGCHLD, query)", errno);
  return make_string(env, describe(&cur));
}
