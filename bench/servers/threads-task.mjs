// The bare baseline's piscina task: the same handler as threads-app.mjs, nothing around it.
import { work } from './threads-app.mjs'

export default function task(path) {
  return work(path)
}
