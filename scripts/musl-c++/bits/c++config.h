// Debian's libstdc++ headers are configured for glibc; the musl addons use them over musl's
// headers (Debian has no musl C++ toolchain). This overlay, first on the include path, adapts the
// few places that assume glibc. Only header code is affected: the addon links none of libstdc++'s
// compiled code that would care (see native/addon/cxx_runtime.cc and scripts/prebuild.js).
#ifndef PROCDESC_MUSL_CXXCONFIG_H
#define PROCDESC_MUSL_CXXCONFIG_H
// bits/os_defines.h (gnu-linux) tests glibc versions; musl is none of them.
#ifndef __GLIBC_PREREQ
#define __GLIBC_PREREQ(major, minor) 0
#endif
#include_next <bits/c++config.h>
// Functions glibc has and musl 1.2.3 lacks: libstdc++'s inline code then uses the portable ones.
#undef _GLIBCXX_USE_PTHREAD_COND_CLOCKWAIT
#undef _GLIBCXX_USE_PTHREAD_MUTEX_CLOCKLOCK
#undef _GLIBCXX_USE_PTHREAD_RWLOCK_CLOCKLOCK
// The gnu locale model's name for musl's locale_t.
#define __locale_t locale_t
#endif
