// The few pieces of the C++ runtime the addon uses, defined here so that the prebuilt addons link
// no libstdc++ code that throws. The addon is built with -fno-exceptions; libstdc++'s own
// operator new and std::__throw_* throw real exceptions, and linking them pulls in the exception
// and unwinding machinery, which needs glibc 2.34+ symbols (_dl_find_object, pthread_once@2.34,
// arc4random...) and cannot be linked into a musl addon at all. What libstdc++ itself does when
// it is built without exceptions is what we do: report and abort. Nothing in the addon catches.
//
// std::string is instantiated here for the same reason (its out-of-line members otherwise come
// from libstdc++, compiled with exceptions). The export map (exports.map) keeps all of this local
// to the addon: it never interposes on another library's operator new.
#include <stdio.h>
#include <stdlib.h>

#include <new>
#include <string>

namespace {

[[noreturn]] void Fatal(const char* what, const char* detail) {
  fprintf(stderr, "procdesc: fatal: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

void* Allocate(std::size_t n) {
  void* p = malloc(n ? n : 1);
  if (!p) Fatal("out of memory", nullptr);
  return p;
}

}  // namespace

void* operator new(std::size_t n) { return Allocate(n); }
void* operator new[](std::size_t n) { return Allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return malloc(n ? n : 1); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return malloc(n ? n : 1); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, std::size_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t) noexcept { free(p); }

namespace std {

void __throw_bad_alloc() { Fatal("std::bad_alloc", nullptr); }
void __throw_bad_array_new_length() { Fatal("std::bad_array_new_length", nullptr); }
void __throw_length_error(const char* s) { Fatal("std::length_error", s); }
void __throw_logic_error(const char* s) { Fatal("std::logic_error", s); }
void __throw_out_of_range(const char* s) { Fatal("std::out_of_range", s); }
void __throw_out_of_range_fmt(const char* s, ...) { Fatal("std::out_of_range", s); }
void __throw_bad_function_call() { Fatal("std::bad_function_call", nullptr); }
void __throw_system_error(int) { Fatal("std::system_error", nullptr); }

template class basic_string<char>;

}  // namespace std

extern "C" void __cxa_pure_virtual() { Fatal("pure virtual method called", nullptr); }
