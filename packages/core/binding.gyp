{
  "targets": [
    {
      "target_name": "gu_native",
      "sources": ["native/addon.c", "native/accept-one.c", "native/reuse-port.c"]
    }
  ]
}
