export { AdminServer, collectProcessMetrics, type AdminServerOptions } from './admin-server';
export { incAfterCommit, type CommitHooks } from './after-commit';
export { CounterSlot, hotCounter, type HotCounter } from './hot-counter';
export { parsePrometheusText, sumBy, sumOf, type MetricSample } from './prometheus-text';
export { scrapeGauge } from './scrape-gauge';
