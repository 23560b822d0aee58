{
  "targets": [
    {
      "target_name": "hostile",
      "sources": ["hostile.c", "sandbox.c"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
