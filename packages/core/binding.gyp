{
  "targets": [
    {
      "target_name": "unix_datagram",
      "sources": ["native/unix-datagram.c"]
    }
  ]
}
