// Datagrams to AF_UNIX sockets by path: systemd's NOTIFY_SOCKET (sd_notify) and syslog's
// /dev/log. Node has no unix datagram sockets (dgram is UDP only, net is stream only), so this
// is the one kind of socket gu needs that JavaScript can't open.
#include <node_api.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

static napi_value int_value(napi_env env, int value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

// open(): an unbound datagram socket, non-blocking (a full receiver drops the message with
// EAGAIN instead of stalling the event loop) and close-on-exec; its descriptor or a negative errno.
static napi_value js_open(napi_env env, napi_callback_info info) {
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0) return int_value(env, -errno);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  fcntl(fd, F_SETFL, O_NONBLOCK);
  return int_value(env, fd);
}

// sendTo(fd, path, buffer): 0 once the datagram is queued, a negative errno otherwise. A path that
// starts with '@' names an abstract socket (Linux), as in systemd's own sd_notify.
static napi_value js_send_to(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = -1;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  size_t path_len = 0;
  void* data = NULL; size_t length = 0;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return int_value(env, -EINVAL);
  // The length first (no buffer), so a path too long for sun_path is refused, not truncated.
  if (napi_get_value_string_utf8(env, argv[1], NULL, 0, &path_len) != napi_ok || path_len == 0) return int_value(env, -EINVAL);
  if (path_len >= sizeof(addr.sun_path)) return int_value(env, -ENAMETOOLONG);
  napi_get_value_string_utf8(env, argv[1], addr.sun_path, sizeof(addr.sun_path), &path_len);
  if (napi_get_buffer_info(env, argv[2], &data, &length) != napi_ok) return int_value(env, -EINVAL);
  int abstract = addr.sun_path[0] == '@';
  if (abstract) addr.sun_path[0] = '\0';
  socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_len + (abstract ? 0 : 1));
  if (sendto(fd, data, length, MSG_NOSIGNAL, (struct sockaddr*)&addr, addr_len) < 0) return int_value(env, -errno);
  return int_value(env, 0);
}

// close(fd): 0, or a negative errno.
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; int fd = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return int_value(env, -EINVAL);
  return int_value(env, close(fd) == 0 ? 0 : -errno);
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "open", NAPI_AUTO_LENGTH, js_open, NULL, &fn); napi_set_named_property(env, exports, "open", fn);
  napi_create_function(env, "sendTo", NAPI_AUTO_LENGTH, js_send_to, NULL, &fn); napi_set_named_property(env, exports, "sendTo", fn);
  napi_create_function(env, "close", NAPI_AUTO_LENGTH, js_close, NULL, &fn); napi_set_named_property(env, exports, "close", fn);
  return exports;
}
