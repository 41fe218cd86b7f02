import assert from 'node:assert/strict';
import { WorkQueue, WorkQueueFull } from '../../src/domain/work-queue';

/** A job that finishes when told to. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, job: () => opened.then(() => 'done') };
}

describe('user: the bounded work queue of password hashing', () => {
  it('runs at most `concurrency` jobs at once, the next as soon as one ends', async () => {
    const queue = new WorkQueue(2, 10);
    const gates = [gate(), gate(), gate()];
    const results = gates.map((g) => queue.run(g.job));
    await Promise.resolve();
    assert.deepEqual(queue.load, { running: 2, waiting: 1 });
    gates[0]!.open();
    await results[0];
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(queue.load, { running: 2, waiting: 0 }, 'the waiting job took the free place');
    gates[1]!.open();
    gates[2]!.open();
    assert.deepEqual(await Promise.all(results), ['done', 'done', 'done']);
    assert.deepEqual(queue.load, { running: 0, waiting: 0 });
  });

  it('refuses at once beyond `maxWaiting`, and takes jobs again once there is room', async () => {
    const queue = new WorkQueue(1, 1);
    const first = gate();
    const second = gate();
    const running = queue.run(first.job);
    const waiting = queue.run(second.job);
    await assert.rejects(
      queue.run(async () => 'never'),
      WorkQueueFull,
    );
    first.open();
    second.open();
    await Promise.all([running, waiting]);
    assert.equal(await queue.run(async () => 'again'), 'again');
  });

  it('frees the place of a job that failed', async () => {
    const queue = new WorkQueue(1, 0);
    await assert.rejects(
      queue.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await queue.run(async () => 'next'), 'next');
  });

  it('refuses a job that would wait longer than maxWaitMs at the pace jobs have been going', async () => {
    const queue = new WorkQueue(1, 100, 50);
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('slow'), 30));
    assert.equal(await queue.run(slow), 'slow', 'the first job sets the pace (about 30 ms)');
    const first = gate();
    const running = queue.run(first.job);
    const waiting = queue.run(slow);
    assert.ok(queue.expectedWaitMs > 50, `two jobs ahead at ~30 ms each (${queue.expectedWaitMs.toFixed(0)} ms)`);
    await assert.rejects(queue.run(slow), WorkQueueFull, 'a third would wait about 60 ms');
    first.open();
    await Promise.all([running, waiting]);
    assert.equal(await queue.run(slow), 'slow', 'room again once the queue drained');
  });
});
