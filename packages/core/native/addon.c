// @gu/core's one native addon: unix datagrams (systemd, syslog), balanced accept's watcher and
// --reuse-port's bind.
#include <node_api.h>

void gu_register_unix_datagram(napi_env env, napi_value exports);
void gu_register_accept_one(napi_env env, napi_value exports);
void gu_register_reuse_port(napi_env env, napi_value exports);

NAPI_MODULE_INIT() {
  gu_register_unix_datagram(env, exports);
  gu_register_accept_one(env, exports);
  gu_register_reuse_port(env, exports);
  return exports;
}
