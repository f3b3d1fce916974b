{
  "targets": [
    {
      "target_name": "balanced_accept",
      "sources": ["native/accept-one.c"]
    }
  ]
}
