{
  "targets": [
    {
      "target_name": "hostile",
      "sources": ["hostile.c", "reaper.c", "sigchld.c", "proc_status.c", "sandbox.c"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
