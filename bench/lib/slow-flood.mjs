#!/usr/bin/env node
// A slow-client flood, run as its own process so it never shares the prober's event loop: keeps
// COUNT connections open to 127.0.0.1:PORT, reopening any the server closes (as a slowloris does).
// usage: node bench/lib/slow-flood.mjs PORT COUNT idle|slow-header|slow-body [everyMs=5000]
// Every second it prints one JSON line: { open, opened, closedByServer, responses408 }.
import net from 'node:net'

const [port, count, mode, every = '5000'] = process.argv.slice(2)
const target = Number(count)
const everyMs = Number(every)
const HEAD = { 'slow-header': 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 'slow-body': 'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048576\r\nContent-Type: application/octet-stream\r\n\r\n', idle: '' }[mode]
if (HEAD === undefined) throw new Error(`mode must be idle, slow-header or slow-body, not ${mode}`)

const open = new Set()
let opened = 0
let closedByServer = 0
let responses408 = 0
let connecting = 0

function connect() {
  connecting++
  const socket = net.connect({ port: Number(port), host: '127.0.0.1' })
  socket.setNoDelay(true)
  socket.on('connect', () => {
    connecting--
    opened++
    open.add(socket)
    if (HEAD) socket.write(HEAD)
  })
  socket.on('data', (data) => {
    if (data.toString('latin1', 0, 12) === 'HTTP/1.1 408') responses408++
  })
  socket.on('error', () => {})
  socket.on('close', () => {
    if (open.delete(socket)) closedByServer++
    else connecting--
    setTimeout(fill, 10)
  })
}

// Opens what is missing, a few hundred at a time so the SYN queue is not the thing measured.
function fill() {
  const missing = target - open.size - connecting
  for (let i = 0; i < Math.min(missing, 200); i++) connect()
}

setInterval(fill, 50)
// One byte every `everyMs` on each connection, spread over the interval.
if (mode !== 'idle') {
  setInterval(() => {
    for (const socket of open) if (Math.random() < 100 / everyMs) socket.write('a')
  }, 100)
}
setInterval(() => process.stdout.write(`${JSON.stringify({ open: open.size, opened, closedByServer, responses408 })}\n`), 1000)
fill()
