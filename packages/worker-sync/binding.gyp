{
  "targets": [
    {
      "target_name": "accept_one",
      "sources": ["native/accept-one.c"]
    }
  ]
}
