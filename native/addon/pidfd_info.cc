// A process's exit status from its pidfd, for holders that are not its parent: PIDFD_GET_INFO with
// PIDFD_INFO_EXIT (Linux 6.15). We need it when the helper (the parent) has died: the children were
// re-parented and reaped by someone else, and only our pidfds are left to ask.
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "procdesc.h"

namespace procdesc {

int PidfdExitStatus(int pidfd, int* status) {
  // struct pidfd_info, version 0 (64 bytes); exit_code took the place of spare0 in 6.15. Declared
  // here because the system's <linux/pidfd.h> may predate it.
  struct {
    uint64_t mask;
    uint64_t cgroupid;
    uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
    int32_t exit_code;
  } info{};
  static_assert(sizeof(info) == 64, "PIDFD_INFO_SIZE_VER0");
  constexpr uint64_t kInfoExit = 1u << 3;
  constexpr unsigned long kGetInfo = _IOWR(0xFF, 11, decltype(info));
  // ENOTTY/EINVAL: older than 6.4/6.15. ESRCH: reaped on a kernel that kept no exit info, or the
  // reap is happening right now: release_task() records the status (pidfs_exit) and then unhashes
  // the task, and a call between the two finds the task, reads no PID for it and fails (Linux 6.18,
  // fs/pidfs.c pidfd_info; a tight loop beside a reaping parent hits it in ~1 reap in 8). A second
  // call starts after the unhash, so after the status was recorded: it gets the status, or ESRCH
  // again where the kernel records none.
  for (int attempt = 0;; attempt++) {
    info = {};
    info.mask = kInfoExit;
    if (ioctl(pidfd, kGetInfo, &info) == 0) break;
    if (errno != ESRCH || attempt == 1) return -errno;
  }
  if (!(info.mask & kInfoExit)) return 0;  // alive, or a zombie not reaped yet
  *status = info.exit_code;
  return 1;
}

}  // namespace procdesc
