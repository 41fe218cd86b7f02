/**
 * The benches' customers, signed up at a pace the machine can take: sign-up and login hash
 * passwords (scrypt, CPU-bound by design, two at a time in the user service), so they go eight at
 * a time, and one refused with 503 (the hashing queue full, or a deadline on a busy machine) is
 * tried again after a second, as a client honouring Retry-After would, with a new username (the
 * first may or may not exist). The retries are counted, so a report says when set-up struggled.
 */
import { newCustomer } from '../../../web/order-web/test/support/shop-api';

export type Customer = Awaited<ReturnType<typeof newCustomer>>;

const AT_A_TIME = 8;
const TRIES = 5;

export async function signUpCustomers(
  admin: string,
  count: number,
  setup: Parameters<typeof newCustomer>[1] = {},
): Promise<{ customers: Customer[]; retries: number }> {
  let retries = 0;
  const one = async (): Promise<Customer> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await newCustomer(admin, setup);
      } catch (error) {
        if (attempt >= TRIES || !/\b503\b/.test(String(error))) throw error;
        retries++;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };
  const customers: Customer[] = [];
  while (customers.length < count) customers.push(...(await Promise.all(Array.from({ length: Math.min(AT_A_TIME, count - customers.length) }, one))));
  if (retries > 0) console.warn(`set-up: ${retries} sign-ups answered 503 and were tried again`);
  return { customers, retries };
}
