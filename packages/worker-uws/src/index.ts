export { default } from './uws-worker.js'
