// Both app interfaces through real frameworks: Express 5 (it swaps req/res prototypes) and Hono.
import { createHash } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { appDir, cleanup, get, startGu } from './helpers.js'

afterAll(cleanup)

const EXPRESS = `
import express from 'express'
export const app = express()
app.use(express.json())
app.get('/', (req, res) => res.send('hello express ' + process.pid))
app.get('/users/:id', (req, res) => res.json({ id: req.params.id, q: req.query.q, ip: req.ip, host: req.hostname }))
app.post('/json', (req, res) => res.status(201).set('x-got', String(req.body.n)).json({ doubled: req.body.n * 2 }))
app.get('/redirect', (req, res) => res.redirect('/users/7'))
app.get('/cookies', (req, res) => res.cookie('a', '1').cookie('b', '2').send('ok'))
app.get('/stream', (req, res) => {
  res.type('application/octet-stream')
  let i = 0
  const more = () => { while (i < 64) { if (!res.write(Buffer.alloc(64 * 1024, i++))) return res.once('drain', more) } res.end() }
  more()
})
app.post('/echo', (req, res) => req.pipe(res))
app.get('/fail', () => { throw new Error('on purpose') })
`

const HONO = `
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
const app = new Hono()
app.get('/', (c) => c.text('hello hono ' + process.pid))
app.get('/users/:id', (c) => c.json({ id: c.req.param('id'), q: c.req.query('q'), ua: c.req.header('user-agent') }))
app.post('/json', async (c) => c.json({ doubled: (await c.req.json()).n * 2 }, 201))
app.post('/echo', (c) => new Response(c.req.raw.body, { headers: { 'content-type': 'application/octet-stream' } }))
app.get('/stream', (c) => stream(c, async (s) => { for (let i = 0; i < 64; i++) await s.write(new Uint8Array(64 * 1024).fill(i)) }))
app.get('/fail', () => { throw new Error('on purpose') })
export default app
`

function expectedStream(): string {
  const hash = createHash('sha256')
  for (let i = 0; i < 64; i++) hash.update(Buffer.alloc(64 * 1024, i))
  return hash.digest('hex')
}

describe.each([
  ['Express 5', 'app.mjs:app', EXPRESS, 'express'],
  ['Hono', 'app.mjs', HONO, 'hono'],
])('%s', (_name, module, source, word) => {
  it('serves routes, params, JSON both ways, big bodies both ways, and a 500 for a throw', async () => {
    const { url, gu } = await startGu(appDir({ 'app.mjs': source }), module)
    const hello = await get(`${url}/`)
    expect(hello.status).toBe(200)
    expect(hello.text).toBe(`hello ${word} ${gu.workers()[0]}`)

    const user = await get(`${url}/users/42?q=x`, { headers: { 'user-agent': 'uws-test' } })
    expect(user.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(user.text)).toMatchObject({ id: '42', q: 'x' })

    const json = await get(`${url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 21 }) })
    expect(json.status).toBe(201)
    expect(JSON.parse(json.text)).toEqual({ doubled: 42 })

    const big = Buffer.alloc(6 * 1024 * 1024)
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i)
    const echo = await get(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: big })
    expect(echo.status).toBe(200)
    expect(echo.body.equals(big)).toBe(true)

    const streamed = await get(`${url}/stream`)
    expect(streamed.body.length).toBe(64 * 64 * 1024)
    expect(createHash('sha256').update(streamed.body).digest('hex')).toBe(expectedStream())

    const head = await get(`${url}/`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body.length).toBe(0)

    const fail = await get(`${url}/fail`)
    expect(fail.status).toBe(500)
    expect((await get(`${url}/`)).status).toBe(200)
    expect(gu.log).not.toMatch(/Uncaught exception|Unhandled rejection/)
  })
})

describe('Express 5 specifics', () => {
  it('redirects, sets several cookies, and reports the client address', async () => {
    const { url } = await startGu(appDir({ 'app.mjs': EXPRESS }), 'app.mjs:app')
    const redirect = await get(`${url}/redirect`)
    expect(redirect.status).toBe(302)
    expect(redirect.headers.location).toBe('/users/7')
    const cookies = await get(`${url}/cookies`)
    expect(cookies.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    const user = await get(`${url}/users/1`)
    expect(JSON.parse(user.text)).toMatchObject({ ip: '127.0.0.1', host: '127.0.0.1' })
  })
})
