{
  "targets": [
    {
      "target_name": "hostile",
      "sources": ["hostile.c"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
