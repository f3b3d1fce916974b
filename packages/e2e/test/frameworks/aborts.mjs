// How many responses the client abandoned, per process (the matrix asks after a client aborts).
let count = 0
export const noteAbort = () => void count++
export const aborted = () => count
