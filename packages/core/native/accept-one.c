// Accept one connection per readiness event, and stop watching on request. libuv's listen
// accepts every queued connection at once, so the first worker to wake takes a whole burst;
// balanced accept (src/http/balanced-accept.ts) takes connections one at a time and leaves
// the rest in the kernel's queue for the workers that hold fewer.
// (@gu/worker-sync builds the same watcher for its own, one-request-at-a-time use.)
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <sys/socket.h>
#include <netinet/in.h>
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

static int accept_one(int fd) {
  int conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  return conn >= 0 ? conn : -errno;
}

// Readable: accept one connection (-EAGAIN if another worker won it) and hand the descriptor,
// or the negative errno, to JavaScript.
static void on_readable(uv_poll_t* handle, int status, int events) {
  watcher_t* w = (watcher_t*)handle->data;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  napi_value cb, global, argv[1], result;
  napi_get_reference_value(w->env, w->callback, &cb);
  napi_get_global(w->env, &global);
  napi_create_int32(w->env, accept_one(w->fd), &argv[0]);
  napi_make_callback(w->env, w->async_context, global, cb, 1, argv, &result);
  napi_close_handle_scope(w->env, scope);
}

// watch(fd, onAccept): a watcher for a listening descriptor, not yet polling.
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
  napi_value name;
  napi_create_string_utf8(env, "gu.balancedAccept", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->async_context);
  struct sockaddr_storage addr; socklen_t len = sizeof(addr);
  w->tcp = getsockname(w->fd, (struct sockaddr*)&addr, &len) == 0 && (addr.ss_family == AF_INET || addr.ss_family == AF_INET6);
  napi_value ext; napi_create_external(env, w, NULL, NULL, &ext);
  return ext;
}

static watcher_t* get(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; void* p;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_external(env, argv[0], &p);
  return (watcher_t*)p;
}
static napi_value js_resume(napi_env env, napi_callback_info info) {
  watcher_t* w = get(env, info); if (!w->active && w->fd >= 0) { uv_poll_start(&w->poll, UV_READABLE, on_readable); w->active = 1; } return NULL;
}
static napi_value js_pause(napi_env env, napi_callback_info info) {
  watcher_t* w = get(env, info); if (w->active) { uv_poll_stop(&w->poll); w->active = 0; } return NULL;
}
static napi_value js_is_tcp(napi_env env, napi_callback_info info) {
  napi_value result; napi_get_boolean(env, get(env, info)->tcp, &result); return result;
}
// The watcher itself stays allocated (JavaScript may still hold it; every call checks fd < 0).
static void on_closed(uv_handle_t* handle) {
  watcher_t* w = (watcher_t*)handle->data;
  napi_delete_reference(w->env, w->callback);
  napi_async_destroy(w->env, w->async_context);
}
// closeWatcher(watcher): stop watching and close this process's descriptor of the listening socket, so
// a worker that stops accepting no longer keeps the socket listening (once every process that
// held it has let go, the kernel refuses new connections instead of queueing them).
static napi_value js_close(napi_env env, napi_callback_info info) {
  watcher_t* w = get(env, info);
  if (w->fd < 0) return NULL;
  uv_poll_stop(&w->poll);
  w->active = 0;
  close(w->fd);
  w->fd = -1;
  uv_close((uv_handle_t*)&w->poll, on_closed);
  return NULL;
}
// acceptNow(watcher): accept one queued connection without waiting: a descriptor, or a negative
// errno (-EAGAIN: nothing is queued).
static napi_value js_accept_now(napi_env env, napi_callback_info info) {
  watcher_t* w = get(env, info);
  napi_value result; napi_create_int32(env, w->fd >= 0 ? accept_one(w->fd) : -EBADF, &result); return result;
}

void gu_register_accept_one(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "watch", NAPI_AUTO_LENGTH, js_watch, NULL, &fn); napi_set_named_property(env, exports, "watch", fn);
  napi_create_function(env, "resume", NAPI_AUTO_LENGTH, js_resume, NULL, &fn); napi_set_named_property(env, exports, "resume", fn);
  napi_create_function(env, "pause", NAPI_AUTO_LENGTH, js_pause, NULL, &fn); napi_set_named_property(env, exports, "pause", fn);
  napi_create_function(env, "isTcp", NAPI_AUTO_LENGTH, js_is_tcp, NULL, &fn); napi_set_named_property(env, exports, "isTcp", fn);
  napi_create_function(env, "acceptNow", NAPI_AUTO_LENGTH, js_accept_now, NULL, &fn); napi_set_named_property(env, exports, "acceptNow", fn);
  napi_create_function(env, "closeWatcher", NAPI_AUTO_LENGTH, js_close, NULL, &fn); napi_set_named_property(env, exports, "closeWatcher", fn);
}
