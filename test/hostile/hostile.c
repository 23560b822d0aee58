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

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "sandbox.h"

/* ------------------------------------------------------------------------ */
/* Node-API plumbing                                                         */

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

static void throw_last_error(napi_env env, const char *what) {
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

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "hostile: %s: %s", what, strerror(err));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value make_string(napi_env env, const char *s) {
  napi_value v;
  NAPI_CALL(env, napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v));
  return v;
}

static napi_value make_bool(napi_env env, bool b) {
  napi_value v;
  NAPI_CALL(env, napi_get_boolean(env, b, &v));
  return v;
}

static napi_value make_undefined(napi_env env) {
  napi_value v;
  NAPI_CALL(env, napi_get_undefined(env, &v));
  return v;
}

/* ------------------------------------------------------------------------ */
/* The reaper: a thread that steals exit statuses                            */

/*
 * Reaped pids are kept for the whole life of the process (never trimmed) so
 * the test can ask, after the fact, "did the host ever reap one of the
 * children the library spawned?".  A few thousand ints at most.
 */
static pthread_mutex_t reaper_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t *reaped;
static size_t reaped_len, reaped_cap;

static pthread_t reaper_thread;
static bool reaper_running; /* only touched from the JS thread */

static void record_reaped(pid_t pid) {
  pthread_mutex_lock(&reaper_lock);
  if (reaped_len == reaped_cap) {
    size_t cap = reaped_cap ? reaped_cap * 2 : 256;
    pid_t *grown = realloc(reaped, cap * sizeof *grown);
    if (grown == NULL) {
      /* A dropped record would make "the host reaped none of the library's
       * children" pass vacuously, and this thread cannot report errors to
       * JS: dying loudly is the only honest option. */
      fputs("hostile: reaper out of memory\n", stderr);
      abort();
    }
    reaped = grown;
    reaped_cap = cap;
  }
  reaped[reaped_len++] = pid;
  pthread_mutex_unlock(&reaper_lock);
}

static void *reaper_main(void *arg) {
  static const struct timespec idle = {0, 1000000}; /* 1 ms */
  for (;;) {
    int status;
    /* Blocking, not WNOHANG: the kernel wakes a thread sleeping in wait()
     * directly from the exiting child's exit path, whereas libuv only gets
     * there after signal -> self-pipe -> event-loop turn.  That is what makes
     * this thread win the race almost every time, like a real runtime's
     * dedicated wait thread would. */
    pid_t pid = waitpid(-1, &status, 0);
    if (pid > 0) {
      /* Cancellation is only acted upon in waitpid()/nanosleep(); make sure
       * it can never land while the list lock is held. */
      int old;
      pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
      record_reaped(pid);
      pthread_setcancelstate(old, NULL);
      continue;
    }
    if (errno == EINTR) continue;
    /* ECHILD: no children right now.  Keep polling instead of exiting, so
     * children spawned later are still raced. */
    nanosleep(&idle, NULL);
  }
  return NULL;
}

static napi_value StartReaper(napi_env env, napi_callback_info info) {
  if (reaper_running) return make_bool(env, false);

  /* Start the thread with every signal blocked.  Signals then keep being
   * delivered to Node's own threads exactly as before, so this hostility is
   * purely "someone else calls waitpid" and is not conflated with signal
   * routing effects (those are what ignoreSigchld/installSigchldHandler are
   * for). */
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  int err = pthread_create(&reaper_thread, NULL, reaper_main, NULL);
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  if (err != 0) return throw_errno(env, "pthread_create", err);

  reaper_running = true;
  return make_bool(env, true);
}

static napi_value StopReaper(napi_env env, napi_callback_info info) {
  if (!reaper_running) return make_bool(env, false);
  /* waitpid() and nanosleep() are cancellation points, so a blocked reaper
   * can be stopped without waking it by other means (e.g. a signal). */
  pthread_cancel(reaper_thread);
  pthread_join(reaper_thread, NULL);
  reaper_running = false;
  return make_bool(env, true);
}

static napi_value ReapedPids(napi_env env, napi_callback_info info) {
  /* Copy under the lock, build the JS array outside it: N-API calls can
   * allocate and run GC, and must not stall the reaper. */
  pthread_mutex_lock(&reaper_lock);
  size_t n = reaped_len;
  pid_t *copy = n ? malloc(n * sizeof *copy) : NULL;
  if (copy) memcpy(copy, reaped, n * sizeof *copy);
  pthread_mutex_unlock(&reaper_lock);
  if (n && !copy) return throw_errno(env, "malloc", ENOMEM);

  napi_value arr;
  napi_status st = napi_create_array_with_length(env, n, &arr);
  for (size_t i = 0; st == napi_ok && i < n; i++) {
    napi_value v;
    st = napi_create_int32(env, copy[i], &v);
    if (st == napi_ok) st = napi_set_element(env, arr, (uint32_t)i, v);
  }
  free(copy);
  if (st != napi_ok) {
    throw_last_error(env, "reapedPids");
    return NULL;
  }
  return arr;
}

/* ------------------------------------------------------------------------ */
/* SIGCHLD dispositions                                                      */

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

static napi_value IgnoreSigchld(napi_env env, napi_callback_info info) {
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

static napi_value InstallSigchldHandler(napi_env env, napi_callback_info info) {
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
static napi_value CountSigchld(napi_env env, napi_callback_info info) {
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

static napi_value SigchldCount(napi_env env, napi_callback_info info) {
  napi_value v;
  unsigned long n = __atomic_load_n(&sigchld_count, __ATOMIC_RELAXED);
  NAPI_CALL(env, napi_create_double(env, (double)n, &v));
  return v;
}

static napi_value ResetSigchldCount(napi_env env, napi_callback_info info) {
  __atomic_store_n(&sigchld_count, 0, __ATOMIC_RELAXED);
  return make_undefined(env);
}

/* "default" | "ignore" | "hostile" | "counting" | "foreign" (e.g. libuv's).
 * Lets a test verify, after the fact, that its hostility was still in place
 * and was not silently undone by the library re-registering its handler. */
static napi_value SigchldDisposition(napi_env env, napi_callback_info info) {
  struct sigaction cur;
  if (sigaction(SIGCHLD, NULL, &cur) != 0)
    return throw_errno(env, "sigaction(SIGCHLD, query)", errno);
  return make_string(env, describe(&cur));
}

/* ------------------------------------------------------------------------ */
/* /proc/self/status signal masks                                            */

/* Returns {SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt} as the kernel's hex
 * strings.  /proc/self is the thread-group leader, i.e. the JS main thread,
 * so SigBlk is that thread's mask; SigIgn/SigCgt are process-wide. */
static napi_value ProcStatus(napi_env env, napi_callback_info info) {
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

/* ------------------------------------------------------------------------ */

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
