// Reading and making JS values with raw Node-API, every status checked. Why not node-addon-api's
// wrappers here: while a worker thread is being terminated, JS calls start failing, and a chain of
// wrapper calls on a value that failed to come (an empty Napi::Value has no env) ends in
// Napi::Error::New(nullptr) -> napi_get_last_error_info -> a fatal error of the whole process
// (seen: "FATAL ERROR: Error::New napi_get_last_error_info"). Each helper returns false instead,
// and the caller returns nullptr: JS sees the pending exception, or nothing at all.
#ifndef PROCDESC_JS_VALUES_H
#define PROCDESC_JS_VALUES_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

namespace procdesc {

// The arguments of a call; false if there are fewer than n.
inline bool Args(napi_env env, napi_callback_info info, size_t n, napi_value* argv, napi_value* self = nullptr) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, self, nullptr) != napi_ok) return false;
  return argc >= n;
}

inline bool ToInt32(napi_env env, napi_value v, int32_t* out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

inline bool ToDouble(napi_env env, napi_value v, double* out) {
  return napi_get_value_double(env, v, out) == napi_ok;
}

inline bool ToBool(napi_env env, napi_value v, bool* out) {
  return napi_get_value_bool(env, v, out) == napi_ok;
}

// The bytes of a Buffer (or any Uint8Array).
inline bool ToBytes(napi_env env, napi_value v, const char** data, size_t* len) {
  bool is_buffer = false;
  if (napi_is_buffer(env, v, &is_buffer) != napi_ok || !is_buffer) return false;
  void* p = nullptr;
  if (napi_get_buffer_info(env, v, &p, len) != napi_ok) return false;
  *data = static_cast<const char*>(p);
  return true;
}

// The elements of an Int32Array.
inline bool ToInt32s(napi_env env, napi_value v, int32_t** data, size_t* len) {
  bool is_typed = false;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed) return false;
  napi_typedarray_type type;
  void* p = nullptr;
  if (napi_get_typedarray_info(env, v, &type, len, &p, nullptr, nullptr) != napi_ok || type != napi_int32_array) {
    return false;
  }
  *data = static_cast<int32_t*>(p);
  return true;
}

inline napi_value Int(napi_env env, double v) {
  napi_value out = nullptr;
  napi_create_double(env, v, &out);
  return out;
}

inline napi_value Str(napi_env env, const char* s) {
  napi_value out = nullptr;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &out);
  return out;
}

inline napi_value Null(napi_env env) {
  napi_value out = nullptr;
  napi_get_null(env, &out);
  return out;
}

// [-errno, syscall], as lib/core/native.ts's NativeError.
inline napi_value ErrorPair(napi_env env, int err, const char* syscall_name) {
  napi_value out = nullptr;
  if (napi_create_array_with_length(env, 2, &out) != napi_ok) return nullptr;
  if (napi_set_element(env, out, 0, Int(env, err)) != napi_ok) return nullptr;
  if (napi_set_element(env, out, 1, Str(env, syscall_name)) != napi_ok) return nullptr;
  return out;
}

}  // namespace procdesc

#endif
