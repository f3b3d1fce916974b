export { listenInherited } from './listen-inherited.js'
export { drainServers, shouldClose, stopRequested } from './drain.js'
export { OpenResponses } from './open-responses.js'
