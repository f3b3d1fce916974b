export { listenInherited, listenOnHandle } from './listen-inherited.js'
export { drainServers, stopRequested } from './drain.js'
