export { AdminServer, collectProcessMetrics, type AdminServerOptions } from './admin-server';
export { CounterSlot, hotCounter, type HotCounter } from './hot-counter';
export { parsePrometheusText, sumBy, sumOf, type MetricSample } from './prometheus-text';
