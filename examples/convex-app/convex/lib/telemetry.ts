/**
 * Bounds of the public telemetry mutations (`monitoring.recordClientSamples`,
 * `monitoring.reportClientError`). Plain constants with no server imports, so the UI can clip
 * what it sends to the same numbers.
 */

/** Most samples one `recordClientSamples` call may carry (the UI sends one per call). */
export const MAX_SAMPLES_PER_CALL = 50;
/** Longest duration accepted (ms); longer ones are clock glitches, not latencies. */
export const MAX_DURATION_MS = 10 * 60 * 1000;
/** Longest sample name, error name and source (characters). */
export const MAX_NAME = 100;
/** Longest error message a client may report (characters). */
export const MAX_ERROR_MESSAGE = 2000;
