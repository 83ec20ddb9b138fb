/** How PendingRuns lays out one run (shared with its frozen copy). */

/** meta byte of a slot: in use, log id kept as a string, run id kind (bits 2-3), status (bits 4-5). */
export const USED = 1;
export const LOG_ID_STRING = 2;
export const RUN_SHIFT = 2;
export const RUN_NONE = 0;
export const RUN_UUID = 1;
export const RUN_STRING = 2;
export const STATUS_SHIFT = 4;
/** 32-bit words per slot: log id (4), run id (4). */
export const WORDS = 8;
