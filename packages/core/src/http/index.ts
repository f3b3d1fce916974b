export { listenInherited } from './listen-inherited.js'
export { drainServers, stopRequested } from './drain.js'
