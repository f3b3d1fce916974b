{
  "targets": [
    {
      "target_name": "notify_socket",
      "sources": ["native/notify-socket.c"]
    }
  ]
}
