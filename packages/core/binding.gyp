{
  "targets": [
    {
      "target_name": "gu_core",
      "sources": ["native/addon.c", "native/unix-datagram.c", "native/accept-one.c", "native/reuse-port.c"]
    }
  ]
}
