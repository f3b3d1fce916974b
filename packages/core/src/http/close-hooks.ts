// One 'close' listener per response for all of gu's own per-response work (the connection guard,
// the request's end): with a second listener node keeps an array, and copies it on every emit.

/** Called once with the response when it closes ('close' follows 'finish', or comes alone on an abort). */
export type CloseHook<R> = (res: R) => void

const FIRST = Symbol('gu.closeHook')
const MORE = Symbol('gu.closeHooks')

type Hooked<R> = { [FIRST]?: CloseHook<R>; [MORE]?: CloseHook<R> | Array<CloseHook<R>> }
interface Emitter {
  on(event: 'close', listener: () => void): unknown
}

function runCloseHooks(this: Emitter & Hooked<Emitter>): void {
  this[FIRST]!(this)
  const more = this[MORE]
  if (more === undefined) return
  if (typeof more === 'function') return more(this)
  for (const hook of more) hook(this)
}

/** Runs `hook` when `res` closes, after the hooks added before it. */
export function addCloseHook<R extends Emitter>(res: R, hook: CloseHook<R>): void {
  const hooked = res as R & Hooked<R>
  if (hooked[FIRST] === undefined) {
    hooked[FIRST] = hook
    res.on('close', runCloseHooks)
    return
  }
  const more = hooked[MORE]
  hooked[MORE] = more === undefined ? hook : typeof more === 'function' ? [more, hook] : [...more, hook]
}
