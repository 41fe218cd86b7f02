/** The hooks every end-to-end spec starts with, in one place. */
import { adminLogin } from './shop-api';
import { SystemState } from './system-state';

export interface SystemUnderTest {
  admin: { token: string; userId: string };
  state: SystemState;
}

/**
 * Before the spec's tests: the admin signs in and a reader of the services' tables opens,
 * handed to `use`; after them the reader closes. A spec keeps what it needs in its own
 * variables: `withSystem((system) => ({ admin: { token: admin }, state } = system));`
 */
export function withSystem(use: (system: SystemUnderTest) => void): void {
  let state: SystemState | undefined;
  before(async () => {
    state = await SystemState.open();
    use({ admin: await adminLogin(), state });
  });
  after(async () => {
    await state?.close();
  });
}
