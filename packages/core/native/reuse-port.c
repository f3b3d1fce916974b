// A TCP socket bound with SO_REUSEPORT (--reuse-port). The option must be set between socket()
// and bind() for the bind to share an address, and node 20's net module can't set it.
#include <node_api.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

// bindReusePort(host, port, ipv6): a bound (not listening) descriptor, or a negative errno.
// `host` is a numeric address, as gu's bind addresses are.
static napi_value js_bind_reuse_port(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char host[64] = {0}; size_t len; int port = 0; bool ipv6 = false;
  napi_get_value_string_utf8(env, argv[0], host, sizeof(host), &len);
  napi_get_value_int32(env, argv[1], &port);
  napi_get_value_bool(env, argv[2], &ipv6);
  struct sockaddr_storage addr; memset(&addr, 0, sizeof(addr)); socklen_t addrlen;
  int result = -EINVAL;
  if (ipv6) {
    struct sockaddr_in6* a = (struct sockaddr_in6*)&addr;
    a->sin6_family = AF_INET6; a->sin6_port = htons(port); addrlen = sizeof(*a);
    if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) goto done;
  } else {
    struct sockaddr_in* a = (struct sockaddr_in*)&addr;
    a->sin_family = AF_INET; a->sin_port = htons(port); addrlen = sizeof(*a);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) goto done;
  }
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) { result = -errno; goto done; }
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
      bind(fd, (struct sockaddr*)&addr, addrlen) != 0) {
    result = -errno;
    close(fd);
    goto done;
  }
  result = fd;
done:;
  napi_value out; napi_create_int32(env, result, &out);
  return out;
}

void gu_register_reuse_port(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "bindReusePort", NAPI_AUTO_LENGTH, js_bind_reuse_port, NULL, &fn);
  napi_set_named_property(env, exports, "bindReusePort", fn);
}
