import assert from 'node:assert/strict';
import { register } from 'prom-client';
import { hotCounter, parsePrometheusText, sumOf } from '../../src/metrics';

describe('hot counters (plain numbers copied into prom-client at scrape)', () => {
  it('count per label set, show pre-made slots at 0, and are one series however often they are asked for', async () => {
    const counter = hotCounter('test_hot_counter_total', 'a test counter', ['kind', 'outcome']);
    const ok = counter.slot('a', 'ok');
    counter.slot('a', 'error');
    for (let i = 0; i < 5; i++) ok.inc();
    counter.slot('b', 'ok').inc();
    assert.equal(hotCounter('test_hot_counter_total', 'asked again', ['kind', 'outcome']), counter);
    assert.equal(counter.slot('a', 'ok'), ok, 'a label set has one slot');
    const samples = parsePrometheusText(await register.metrics());
    assert.equal(sumOf(samples, 'test_hot_counter_total', { kind: 'a', outcome: 'ok' }), 5);
    assert.equal(sumOf(samples, 'test_hot_counter_total', { kind: 'a', outcome: 'error' }), 0);
    assert.ok(
      samples.some((s) => s.name === 'test_hot_counter_total' && s.labels.outcome === 'error'),
      'a slot never counted is served as 0',
    );
    ok.inc();
    assert.equal(sumOf(parsePrometheusText(await register.metrics()), 'test_hot_counter_total'), 7, 'a second scrape sees the new total');
    assert.throws(() => counter.slot('a'), /takes 2 label values/);
  });
});
