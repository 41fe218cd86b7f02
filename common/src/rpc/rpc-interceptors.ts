/**
 * Client interceptor: every call carries the trace id of the work in progress (a new one when
 * there is none) and the calling application's name, in gRPC metadata.
 */
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { currentTraceId, newTraceId, TRACE_ID_HEADER } from '../trace';

export const CALLER_APP_HEADER = 'x-caller-app';

export function tracingInterceptor(application: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        if (metadata.get(TRACE_ID_HEADER).length === 0) metadata.set(TRACE_ID_HEADER, currentTraceId() ?? newTraceId());
        metadata.set(CALLER_APP_HEADER, application);
        next(metadata, listener);
      },
    });
}
