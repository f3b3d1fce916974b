// sd_notify's transport: one datagram to the AF_UNIX socket systemd names in NOTIFY_SOCKET.
// Node has no unix datagram sockets (dgram is UDP only, net is stream only), so this is the one
// system call gu needs that JavaScript can't make.
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

// send(path, message): 0 once the datagram is queued, a negative errno otherwise. A path that
// starts with '@' names an abstract socket (Linux), as in systemd's own sd_notify.
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  size_t path_len = 0;
  int status = 0;
  // The length first (no buffer), so a path too long for sun_path is refused, not truncated.
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], NULL, 0, &path_len) != napi_ok || path_len == 0) status = -EINVAL;
  else if (path_len >= sizeof(addr.sun_path)) status = -ENAMETOOLONG;
  else napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof(addr.sun_path), &path_len);
  void* data = NULL; size_t length = 0;
  if (status == 0 && napi_get_buffer_info(env, argv[1], &data, &length) != napi_ok) status = -EINVAL;
  if (status == 0) {
    if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_len + (addr.sun_path[0] == '\0' ? 0 : 1));
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0) status = -errno;
    else {
      fcntl(fd, F_SETFD, FD_CLOEXEC);
      // Never block the arbiter's loop: if systemd's queue is full the message is dropped (EAGAIN).
      fcntl(fd, F_SETFL, O_NONBLOCK);
      if (sendto(fd, data, length, MSG_NOSIGNAL, (struct sockaddr*)&addr, addr_len) < 0) status = -errno;
      close(fd);
    }
  }
  napi_value result;
  napi_create_int32(env, status, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "send", NAPI_AUTO_LENGTH, js_send, NULL, &fn);
  napi_set_named_property(env, exports, "send", fn);
  return exports;
}
