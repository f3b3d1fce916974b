// The benchmark's two answers as a fetch handler, for gu -k uws's fast path (bench/uws.mjs).
const TEXT = 'Hello, World!'

export default {
  fetch(request) {
    if (request.url.endsWith('/json')) return Response.json({ message: 'Hello, World!' })
    return new Response(TEXT, { headers: { 'content-type': 'text/plain' } })
  },
}
