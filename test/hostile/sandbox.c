/*
 * sandbox.c - test-only: puts the host process into the deployment shapes
 * procdesc must survive (test/hosts.test.js):
 *
 *   setChildSubreaper()       PR_SET_CHILD_SUBREAPER (Linux 3.4): orphaned
 *                             descendants are re-parented to this process,
 *                             as under a supervisor (systemd --user, tini -s)
 *   denySyscalls(names, errno) a seccomp filter (Linux 3.5; TSYNC 3.17) that
 *                             makes the named syscalls fail with errno, as a
 *                             container profile does; it applies to every
 *                             thread of the process and is inherited by all it
 *                             starts (the helper, the children). Names:
 *                             pidfd_open, pidfd_send_signal, clone3, waitid,
 *                             pidfd_getfd, clone_pidfd (clone only when
 *                             its flags ask for CLONE_PIDFD), and clone_as_qemu
 *                             (a fork-like clone, exit signal SIGCHLD, that asks
 *                             for CLONE_FILES or CLONE_PIDFD: what qemu-user 7.2
 *                             refuses with EINVAL)
 *
 * Both are process-wide and irreversible: load this in a throwaway process.
 */
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

static napi_value fail(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "sandbox: %s: %s", what, strerror(err));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value SetChildSubreaper(napi_env env, napi_callback_info info) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return fail(env, "prctl", errno);
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

static long syscall_number(const char *name) {
  if (!strcmp(name, "pidfd_open")) return SYS_pidfd_open;
  if (!strcmp(name, "pidfd_send_signal")) return SYS_pidfd_send_signal;
  if (!strcmp(name, "clone3")) return SYS_clone3;
  if (!strcmp(name, "waitid")) return SYS_waitid;
  if (!strcmp(name, "pidfd_getfd")) return SYS_pidfd_getfd;
  if (!strcmp(name, "clone_pidfd")) return SYS_clone; /* only with CLONE_PIDFD in its flags */
  if (!strcmp(name, "clone_as_qemu")) return SYS_clone; /* only as qemu-user 7.2 refuses it */
#ifdef SYS_close_range
  if (!strcmp(name, "close_range")) return SYS_close_range;
#endif
  return -1;
}

#ifdef SANDBOX_ARCH
/* Appends a rule that answers ret to clone() when its flags have any bit of mask and, unless
 * exit_signal is -1, its exit signal (CSIGNAL, the low byte) is exit_signal. clone's flags are its
 * first argument (unlike clone3's, behind a pointer a filter cannot read). qemu-user (linux-user/
 * syscall.c do_fork, 7.2) runs a clone without CLONE_VM (after dropping CLONE_VM|CLONE_VFORK, which
 * it emulates with fork) as fork() and refuses with EINVAL any flag but the exit signal and the
 * TID/TLS ones; threads (exit signal 0) pass. Expects nr loaded; leaves nr loaded. */
static unsigned deny_clone_flags(struct sock_filter *prog, unsigned k, uint32_t ret, uint32_t mask, int exit_signal) {
  const unsigned reload = exit_signal < 0 ? 3 : 6; /* instructions between the nr compare and the reload */
  prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)SYS_clone, 0, reload);
  if (exit_signal >= 0) {
    prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
    prog[k++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff);
    prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)exit_signal, 0, 3);
  }
  prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
  prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, mask, 0, 1);
  prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, ret);
  prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  return k;
}
#endif

/* denySyscalls(['pidfd_open', ...], errno) */
static napi_value DenySyscalls(napi_env env, napi_callback_info info) {
#ifndef SANDBOX_ARCH
  return fail(env, "denySyscalls", ENOSYS);
#else
  size_t argc = 2;
  napi_value argv[2];
  uint32_t n = 0;
  int32_t err = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_array_length(env, argv[0], &n) != napi_ok || n > 8 ||
      napi_get_value_int32(env, argv[1], &err) != napi_ok)
    return fail(env, "denySyscalls(names, errno)", EINVAL);
  /* arch check, load nr, one compare per name, allow. */
  struct sock_filter prog[4 + 8 * 8 + 1];
  unsigned k = 0;
  prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0);
  prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    char name[32];
    size_t len = 0;
    if (napi_get_element(env, argv[0], i, &v) != napi_ok ||
        napi_get_value_string_utf8(env, v, name, sizeof name, &len) != napi_ok)
      return fail(env, "denySyscalls: a name", EINVAL);
    long nr = syscall_number(name);
    if (nr < 0) return fail(env, name, EINVAL);
    uint32_t ret = SECCOMP_RET_ERRNO | ((uint32_t)err & SECCOMP_RET_DATA);
    /* 0x1000 CLONE_PIDFD, 0x400 CLONE_FILES */
    if (!strcmp(name, "clone_pidfd")) { k = deny_clone_flags(prog, k, ret, 0x1000, -1); continue; }
    if (!strcmp(name, "clone_as_qemu")) { k = deny_clone_flags(prog, k, ret, 0x1000 | 0x400, SIGCHLD); continue; }
    prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1);
    prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, ret);
  }
  prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  struct sock_fprog fprog = {(unsigned short)k, prog};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(env, "PR_SET_NO_NEW_PRIVS", errno);
  /* TSYNC: Node's threads (libuv's pool, V8's workers) get the filter too. */
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog);
  if (r != 0) return fail(env, "seccomp", r < 0 ? errno : EBUSY);
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
#endif
}

void sandbox_define(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"setChildSubreaper", NULL, SetChildSubreaper, NULL, NULL, NULL, napi_enumerable, NULL},
      {"denySyscalls", NULL, DenySyscalls, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
