export { currentTraceId, newTraceId, runWithTrace, TRACE_ID_HEADER } from './trace-context';
