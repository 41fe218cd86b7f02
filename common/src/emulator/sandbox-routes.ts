/** The control routes every local payment gateway has: its fault queue and its notification switch. */
import type { FastifyInstance } from 'fastify';
import { notificationSwitchSchema, type NotificationSwitch, type NotificationSwitchState } from './notification-switch';

/** A gateway's faults as its control API shows them (its own request and fault shapes). */
export interface SandboxFaults<Request, Fault> {
  add(request: Request): Fault;
  pending(): Fault[];
  clear(): void;
}

/**
 * GET/POST/DELETE /sandbox/faults (the body checked by the gateway's `faultSchema`) and
 * GET/POST /sandbox/notifications.
 */
export function registerFaultAndSwitchRoutes<Request, Fault>(
  app: FastifyInstance,
  deps: { faults: SandboxFaults<Request, Fault>; faultSchema: object; notificationSwitch: NotificationSwitch },
): void {
  const { faults, notificationSwitch } = deps;
  app.get('/sandbox/faults', async () => ({ faults: faults.pending() }));
  app.post<{ Body: Request }>('/sandbox/faults', { schema: { body: deps.faultSchema } }, async (request) => ({
    fault: faults.add(request.body as Request),
    faults: faults.pending(),
  }));
  app.delete('/sandbox/faults', async () => {
    faults.clear();
    return { faults: faults.pending() };
  });

  app.get('/sandbox/notifications', async () => notificationSwitch.current());
  app.post<{ Body: NotificationSwitchState }>('/sandbox/notifications', { schema: { body: notificationSwitchSchema } }, async (request) =>
    notificationSwitch.set(request.body),
  );
}
