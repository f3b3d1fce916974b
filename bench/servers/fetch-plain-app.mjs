// The fetch side of bench/fetch.mjs without a framework: a bare fetch handler (its default export).
const TEXT = 'Hello, World!'

export default {
  fetch(request) {
    if (request.url.endsWith('/json')) return Response.json({ message: TEXT })
    return new Response(TEXT, { headers: { 'content-type': 'text/plain; charset=UTF-8' } })
  },
}
