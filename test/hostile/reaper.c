/*
 * reaper.c - test-only (hostile addon): startReaper(), a thread stealing
 * every exit status with waitpid(-1); stopReaper(); reapedPids().
 */
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "hostile.h"

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

napi_value StartReaper(napi_env env, napi_callback_info info) {
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

napi_value StopReaper(napi_env env, napi_callback_info info) {
  if (!reaper_running) return make_bool(env, false);
  /* waitpid() and nanosleep() are cancellation points, so a blocked reaper
   * can be stopped without waking it by other means (e.g. a signal). */
  pthread_cancel(reaper_thread);
  pthread_join(reaper_thread, NULL);
  reaper_running = false;
  return make_bool(env, true);
}

napi_value ReapedPids(napi_env env, napi_callback_info info) {
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
