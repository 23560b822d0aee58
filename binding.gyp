{
  "targets": [
    {
      "target_name": "procdesc",
      "sources": [
        "native/addon/module.cc",
        "native/addon/session.cc",
        "native/addon/watches.cc",
        "native/addon/deliveries.cc",
        "native/addon/event_thread.cc",
        "native/addon/spawn_calls.cc",
        "native/addon/request.cc",
        "native/addon/syscalls.cc",
        "native/addon/environ.cc",
        "native/addon/launch.cc",
        "native/addon/channel.cc",
        "native/addon/sync_wait.cc",
        "native/addon/pidfd_info.cc",
        "native/addon/orphan_reap.cc",
        "native/addon/helper_reap.cc",
        "native/addon/uv_repair.cc",
        "native/addon/cxx_runtime.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "cflags_cc": ["-std=c++17", "-fno-exceptions"],
      "ldflags": ["-Wl,--version-script=<(module_root_dir)/native/addon/exports.map"]
    },
    {
      "target_name": "procdesc-helper",
      "type": "executable",
      "sources": ["native/helper/main.c", "native/helper/requests.c", "native/helper/reaper.c", "native/helper/pidfds.c", "native/helper/tree.c",
                  "native/helper/child.c"],
      "include_dirs": ["native"],
      "cflags": ["-Wall", "-Wextra", "-std=gnu11", "-O2"]
    }
  ]
}
