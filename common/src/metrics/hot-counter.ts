/**
 * Counters for hot paths. A prom-client Counter looks its label set up on every `inc` (it hashes
 * the labels object and validates it), even through `labels()` children. Here each label set is
 * a {@link CounterSlot} resolved once, where the labels are known (at module load, or once per
 * topic and tag), and counting is `slot.inc()`: one addition to a plain number. The values are
 * copied into the prom-client Counter of the default registry when it is collected (a scrape).
 *
 * The counters live on globalThis under their name, so that two copies of this module in one
 * process (the built dist and the sources, in a test) count into the same series instead of
 * failing on a second registration.
 */
import { Counter, register } from 'prom-client';

export class CounterSlot {
  value = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}

  inc(): void {
    this.value++;
  }
}

export interface HotCounter {
  readonly name: string;
  /** The slot of one label set (values in the order of the label names); created at the first ask, 0 until counted. */
  slot(...values: string[]): CounterSlot;
}

const COUNTERS = Symbol.for('shop.metrics.hotCounters');
type Registry = Map<string, HotCounter>;

function counters(): Registry {
  const holder = globalThis as unknown as { [COUNTERS]?: Registry };
  return (holder[COUNTERS] ??= new Map());
}

/** The counter of that name, created (and registered in prom-client's default registry) on first use. */
export function hotCounter(name: string, help: string, labelNames: readonly string[]): HotCounter {
  const existing = counters().get(name);
  if (existing) return existing;
  const slots = new Map<string, CounterSlot>();
  const created: HotCounter = {
    name,
    slot(...values: string[]): CounterSlot {
      const key = values.join('\u0000');
      let slot = slots.get(key);
      if (!slot) {
        if (values.length !== labelNames.length) throw new Error(`${name} takes ${labelNames.length} label values, not ${values.length}`);
        slot = new CounterSlot(Object.fromEntries(labelNames.map((label, i) => [label, values[i]!])));
        slots.set(key, slot);
      }
      return slot;
    },
  };
  if (!register.getSingleMetric(name)) {
    new Counter({
      name,
      help,
      labelNames: [...labelNames],
      collect() {
        this.reset();
        for (const slot of slots.values()) this.inc(slot.labels, slot.value);
      },
    });
  }
  counters().set(name, created);
  return created;
}
