import net from 'node:net'

// Below Linux's ephemeral range (32768-60999): the kit's own client connections take their
// local ports from there, and one could take a port between this probe and gu's bind.
const LOW = 20_000
const HIGH = 32_000

/**
 * A loopback port nobody listens on right now. The kit binds an explicit port rather than `:0`
 * because classes with `sockets: 'self'` bind each address themselves, in every worker.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW))
    if (await canListen(port)) return port
  }
  throw new Error(`no free loopback port found between ${LOW} and ${HIGH}`)
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)))
  })
}
