export { listenInherited, listenOnHandle } from './listen-inherited.js'
export { drain, drainServers, stopRequested, type Drainable } from './drain.js'
export { nodeRequestListener, type NodeEngineListener } from './node-listener.js'
export { NodeRequestView, NodeResponseView, type NodeRequest, type NodeResponse } from './node-views.js'
