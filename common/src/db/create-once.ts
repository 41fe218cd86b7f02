/**
 * Idempotent creation keyed by a client's request id, stored in a UNIQUE column: the same
 * request id returns what the first request created. Without a request id it simply creates.
 * Two concurrent requests with one id: the unique key lets one insert win, the other reads it.
 */
export async function createOnce<T>(
  requestId: string,
  find: (requestId: string) => Promise<T | undefined>,
  create: (requestId: string | null) => Promise<T>,
): Promise<T> {
  if (!requestId) return create(null);
  const existing = await find(requestId);
  if (existing !== undefined) return existing;
  try {
    return await create(requestId);
  } catch (error) {
    const winner = await find(requestId);
    if (winner !== undefined) return winner;
    throw error;
  }
}
