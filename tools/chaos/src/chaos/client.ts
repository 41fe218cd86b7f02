/**
 * The load's HTTP client: JSON in and out, a deadline per request, and the retries a real
 * client makes: on a 5xx or a broken connection the same request (same Idempotency-Key) is sent
 * again a few times. Every attempt is recorded, for availability per fault window.
 */
export interface Answer {
  status: number;
  // The API's JSON answers have many shapes; scenarios read the fields they need.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface Attempt {
  at: number;
  route: string;
  /** HTTP status, or 0 when no answer came (connection refused or reset, deadline). */
  status: number;
}

export const NO_ANSWER = 0;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Client {
  readonly attempts: Attempt[] = [];

  constructor(private readonly timeoutMs = 8_000) {}

  /** One attempt; a missing answer is status 0. `route` names the request in the records. */
  async once(method: string, url: string, options: { token?: string; json?: unknown; headers?: Record<string, string>; route?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const route = options.route ?? `${method} ${new URL(url).pathname.replace(/\d{6,}/g, ':id')}`;
    let answer: Answer;
    try {
      const response = await fetch(url, {
        method,
        headers,
        body: options.json === undefined ? undefined : JSON.stringify(options.json),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // a text answer stays text
      }
      answer = { status: response.status, body };
    } catch (error) {
      answer = { status: NO_ANSWER, body: { code: 'NO_ANSWER', message: String(error) } };
    }
    this.attempts.push({ at: Date.now(), route, status: answer.status });
    return answer;
  }

  /** Sends again, with the same body and headers, while the answer is a 5xx or missing. */
  async call(method: string, url: string, options: Parameters<Client['once']>[2] = {}, tries = 4): Promise<Answer> {
    let answer = await this.once(method, url, options);
    for (let attempt = 1; attempt < tries && (answer.status === NO_ANSWER || answer.status >= 500); attempt++) {
      await sleep(Math.min(3_000, 200 * 2 ** attempt));
      answer = await this.once(method, url, options);
    }
    return answer;
  }
}
