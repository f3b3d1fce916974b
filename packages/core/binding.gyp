{
  "targets": [
    {
      "target_name": "unix_datagram",
      "sources": ["native/addon.c", "native/unix-datagram.c", "native/accept-one.c", "native/reuse-port.c"]
    }
  ]
}
