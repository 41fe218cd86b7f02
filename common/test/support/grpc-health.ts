/** grpc.health.v1 Check of a provider, asked as `ops` over mutual TLS, as the local readiness probe asks it. */
import { makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { transportAs } from './infra';

/** The status of `service` ('' for the whole server) at `address`, by name: SERVING, NOT_SERVING... */
export function grpcHealthStatus(address: string, application: string, service = ''): Promise<string> {
  const Health = makeGenericClientConstructor(healthService, 'Health');
  const channel = transportAs('ops').channelTo(application);
  const client = new Health(address, channel.credentials, channel.options) as unknown as {
    Check(request: { service: string }, options: { deadline: number }, done: (error: ServiceError | null, answer: { status: string }) => void): void;
    close(): void;
  };
  return new Promise<string>((resolve, reject) => {
    client.Check({ service }, { deadline: Date.now() + 5_000 }, (error, answer) => {
      client.close();
      return error ? reject(error) : resolve(answer.status);
    });
  });
}
