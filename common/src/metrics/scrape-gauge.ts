import { Gauge, register } from 'prom-client';

/**
 * A gauge read when Prometheus scrapes, for values that only a query knows (rows in a state,
 * the oldest one's age): `read` runs once per scrape, nothing runs between scrapes. A failed
 * read (MySQL down) serves NaN for that scrape, never a reassuring 0 nor a failed scrape of
 * every other metric. Registered once per name in the default registry.
 */
export function scrapeGauge(name: string, help: string, read: () => Promise<number>): void {
  if (register.getSingleMetric(name)) return;
  new Gauge({
    name,
    help,
    async collect() {
      try {
        this.set(await read());
      } catch {
        this.set(Number.NaN);
      }
    },
  });
}
