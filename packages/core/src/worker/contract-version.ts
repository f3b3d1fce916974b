/**
 * The worker contract this core speaks. 1 was the node:http listener contract; 2 is the
 * engine-neutral request API (`beginRequest`). A class declares the version it was written for.
 */
export const CONTRACT_VERSION = 2
