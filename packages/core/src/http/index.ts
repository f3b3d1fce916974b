export { listenInherited } from './listen-inherited.js'
export { drainServers, shouldClose, stopRequested } from './drain.js'
