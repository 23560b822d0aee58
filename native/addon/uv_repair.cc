// Freeing the Process wrap that Node's ChildProcess constructor makes and procdesc never uses
// (lib/node/internals.ts, internal 3). Node frees a HandleWrap only through uv_close, and its
// ProcessWrap is closable only after a spawn; procdesc spawns it with a stdio entry libuv rejects
// before it forks (uv__process_init_stdio: EINVAL for fd -1), then closes it.
//
// Since libuv 1.52.0 (libuv/libuv#4980, in Node 24 and 26) a uv_spawn that fails takes the handle
// back out of the loop's handle queue, while Node still marks the wrap initialised and closes it:
// uv__finish_close then unlinks it a second time through its stale links, which cuts every handle
// made since out of the queue and corrupts the heap (measured: glibc aborts within 300 spawns with
// 16 in flight; Node's own ChildProcess does the same on a pre-fork spawn error). So right after
// closing such a wrap we put its handle back at the tail of the queue, where its stale links say it
// was: the unlink then is an ordinary one. A handle that is still linked (libuv up to 1.51) is left
// as it is. Only public libuv structures are touched: the loop's handle_queue and closing_handles
// and the handle's type and handle_queue (struct layout is part of libuv 1.x's ABI).
#include <napi.h>
#include <uv.h>

#include "procdesc.h"

namespace procdesc {
namespace {

// struct uv__queue (uv.h, libuv 1.x): { next, prev }.
struct Link {
  Link* next;
  Link* prev;
};

Link* LinkOf(void* queue_field) { return static_cast<Link*>(queue_field); }

}  // namespace

// relinkClosingProcess() -> 1 (relinked), 0 (it was still linked), -1 (the handle closed last is
// not a process handle: nothing touched).
Napi::Value RelinkClosingProcess(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) return Napi::Number::New(env, -1);
  // uv_close pushes the handle onto the front of closing_handles: the wrap's, just closed.
  uv_handle_t* handle = loop->closing_handles;
  if (!handle || handle->type != UV_PROCESS) return Napi::Number::New(env, -1);
  Link* self = LinkOf(&handle->handle_queue);
  if (self->next->prev == self && self->prev->next == self) return Napi::Number::New(env, 0);
  Link* head = LinkOf(&loop->handle_queue);
  self->next = head;
  self->prev = head->prev;
  self->prev->next = self;
  head->prev = self;
  return Napi::Number::New(env, 1);
}

}  // namespace procdesc
