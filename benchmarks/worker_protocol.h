// What the C contestants (floor.c, protocol_client.c) share of the harness's protocol: one JSON line
// a reply on stdout, durations in milliseconds, an error reply before exiting on a failure.
#ifndef PROCDESC_BENCH_WORKER_PROTOCOL_H
#define PROCDESC_BENCH_WORKER_PROTOCOL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what) {
  printf("{\"error\":\"%s: %s\"}\n", what, strerror(errno));
  fflush(stdout);
  exit(1);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void reply_times(const char *op, const double *t, long n) {
  printf("{\"op\":\"%s\",\"t\":[", op);
  for (long i = 0; i < n; i++) printf(i ? ",%.6f" : "%.6f", t[i]);
  printf("]}\n");
  fflush(stdout);
}

#endif
