// A one-shot helper the arbiter runs to put its bound sockets (descriptors 3..) into the listening
// state. It exits before its event loop ever polls, so it never accepts a connection, and the
// arbiter itself never listens through libuv (which would make it accept connections too).
import { Server } from 'node:net'

const backlog = Number(process.argv[2])
const count = Number(process.argv[3])

for (let i = 0; i < count; i++) {
  const server = new Server()
  server.once('error', (error: NodeJS.ErrnoException) => {
    process.stdout.write(JSON.stringify({ index: i, code: error.code ?? 'EUNKNOWN', message: error.message }))
    process.exit(1)
  })
  // With a descriptor, net.Server calls listen(2) synchronously; errors surface on the next tick.
  // The backlog goes as an argument: node:net ignores `backlog` in the options when given an `fd`.
  server.listen({ fd: 3 + i }, backlog)
  if (!server.listening) break
}
process.nextTick(() => process.exit(0))
