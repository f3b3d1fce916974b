// Accept exactly one connection per readiness event, and stop watching while busy.
// libuv's own listen accepts every pending connection at once; a sync worker must take only
// the one it can serve and leave the rest in the kernel's queue for idle workers.
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async_context;
  int fd;
  int active;
  int tcp;
} watcher_t;

// Readable: accept one connection (or learn that another worker won it: -EAGAIN) and hand
// the descriptor, or the negative errno, to JavaScript.
static void on_readable(uv_poll_t* handle, int status, int events) {
  watcher_t* w = (watcher_t*)handle->data;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  napi_value cb, global, argv[1];
  napi_get_reference_value(w->env, w->callback, &cb);
  napi_get_global(w->env, &global);
  int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  napi_create_int32(w->env, fd >= 0 ? fd : -errno, &argv[0]);
  napi_value result;
  napi_make_callback(w->env, w->async_context, global, cb, 1, argv, &result);
  napi_close_handle_scope(w->env, scope);
}

// watch(fd, onAccept): a watcher for a listening descriptor (not yet polling).
static napi_value js_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  watcher_t* w = calloc(1, sizeof(watcher_t));
  w->env = env;
  napi_get_value_int32(env, argv[0], &w->fd);
  uv_loop_t* loop; napi_get_uv_event_loop(env, &loop);
  int err = uv_poll_init(loop, &w->poll, w->fd);
  if (err != 0) {
    free(w);
    napi_throw_error(env, NULL, uv_strerror(err));
    return NULL;
  }
  w->poll.data = w;
  napi_create_reference(env, argv[1], 1, &w->callback);
  // Callbacks run in an async context of their own, so async_hooks and AsyncLocalStorage see them.
  napi_value resource_name;
  napi_create_string_utf8(env, "gu.acceptOne", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &w->async_context);
  // Asked once here, so each accepted connection can be wrapped without asking again.
  struct sockaddr_storage addr; socklen_t len = sizeof(addr);
  w->tcp = getsockname(w->fd, (struct sockaddr*)&addr, &len) == 0 && (addr.ss_family == AF_INET || addr.ss_family == AF_INET6);
  napi_value ext; napi_create_external(env, w, NULL, NULL, &ext);
  return ext;
}

// deferAccept(watcher, seconds): TCP_DEFER_ACCEPT on a TCP listener (0 turns it off): the kernel
// hands over a connection only once data has arrived on it, or after about `seconds`.
// 0 on success, a negative errno otherwise (-ENOTSUP where the system has no such option).
static napi_value js_defer_accept(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2]; void* p;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_external(env, argv[0], &p);
  watcher_t* w = (watcher_t*)p;
  int seconds = 0;
  napi_get_value_int32(env, argv[1], &seconds);
  int status = -ENOTSUP;
#ifdef TCP_DEFER_ACCEPT
  if (w->tcp) status = setsockopt(w->fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof(seconds)) == 0 ? 0 : -errno;
#endif
  napi_value result; napi_create_int32(env, status, &result);
  return result;
}

// noDelay(watcher): TCP_NODELAY on a TCP listener. Linux copies it to every connection accepted
// from it, sparing a setsockopt per connection (hasNoDelay checks that it did).
// 0 on success, a negative errno otherwise (-ENOTSUP on a unix socket).
static napi_value js_no_delay(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; void* p;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_external(env, argv[0], &p);
  watcher_t* w = (watcher_t*)p;
  int one = 1;
  int status = !w->tcp ? -ENOTSUP : setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0 ? 0 : -errno;
  napi_value result; napi_create_int32(env, status, &result);
  return result;
}

// hasNoDelay(fd): whether a connection's descriptor has TCP_NODELAY set.
static napi_value js_has_no_delay(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int fd = -1; napi_get_value_int32(env, argv[0], &fd);
  int value = 0; socklen_t len = sizeof(value);
  int set = getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &len) == 0 && value != 0;
  napi_value result; napi_get_boolean(env, set, &result);
  return result;
}

static watcher_t* get(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; void* p;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_external(env, argv[0], &p);
  return (watcher_t*)p;
}
static napi_value js_resume(napi_env env, napi_callback_info info) {
  watcher_t* w = get(env, info); if (!w->active) { uv_poll_start(&w->poll, UV_READABLE, on_readable); w->active = 1; } return NULL;
}
static napi_value js_pause(napi_env env, napi_callback_info info) {
  watcher_t* w = get(env, info); if (w->active) { uv_poll_stop(&w->poll); w->active = 0; } return NULL;
}
static napi_value js_is_tcp(napi_env env, napi_callback_info info) {
  napi_value result; napi_get_boolean(env, get(env, info)->tcp, &result); return result;
}
// Accept one connection now, without waiting for readiness: a descriptor, or a negative errno
// (-EAGAIN when the queue is empty). Under load the queue is rarely empty, so a worker that just
// finished a request takes the next one without touching epoll.
static napi_value js_accept_now(napi_env env, napi_callback_info info) {
  watcher_t* w = get(env, info);
  int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  napi_value result; napi_create_int32(env, fd >= 0 ? fd : -errno, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "watch", NAPI_AUTO_LENGTH, js_watch, NULL, &fn); napi_set_named_property(env, exports, "watch", fn);
  napi_create_function(env, "resume", NAPI_AUTO_LENGTH, js_resume, NULL, &fn); napi_set_named_property(env, exports, "resume", fn);
  napi_create_function(env, "pause", NAPI_AUTO_LENGTH, js_pause, NULL, &fn); napi_set_named_property(env, exports, "pause", fn);
  napi_create_function(env, "isTcp", NAPI_AUTO_LENGTH, js_is_tcp, NULL, &fn); napi_set_named_property(env, exports, "isTcp", fn);
  napi_create_function(env, "deferAccept", NAPI_AUTO_LENGTH, js_defer_accept, NULL, &fn); napi_set_named_property(env, exports, "deferAccept", fn);
  napi_create_function(env, "acceptNow", NAPI_AUTO_LENGTH, js_accept_now, NULL, &fn); napi_set_named_property(env, exports, "acceptNow", fn);
  napi_create_function(env, "noDelay", NAPI_AUTO_LENGTH, js_no_delay, NULL, &fn); napi_set_named_property(env, exports, "noDelay", fn);
  napi_create_function(env, "hasNoDelay", NAPI_AUTO_LENGTH, js_has_no_delay, NULL, &fn); napi_set_named_property(env, exports, "hasNoDelay", fn);
  return exports;
}
