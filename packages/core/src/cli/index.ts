export { main } from './main.js'
export { helpText } from './help.js'
