// The fetch side of bench/fetch.mjs: the benchmark's two answers as a Hono app (its default export).
import { requireFromE2e } from './fetch-deps.mjs'

const { Hono } = requireFromE2e('hono')
const TEXT = 'Hello, World!'

export default new Hono().get('/', (c) => c.text(TEXT)).get('/json', (c) => c.json({ message: TEXT }))
