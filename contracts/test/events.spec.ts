import assert from 'node:assert/strict';
import path from 'node:path';
import ts from 'typescript';
import { MalformedMessage } from '@shop/common/mq';
import { decodeEvent, Events, eventsOf, Tags, Topics, type EventName } from '../src';

const body = (value: unknown) => ({ body: Buffer.from(JSON.stringify(value)) });
const orderId = '387642541667885056';
const userId = '387642541667885057';

describe('the event catalogue', () => {
  it('every event is keyed by a required field of its body, and every tag is declared once', () => {
    for (const [name, definition] of Object.entries(Events)) {
      const keyField = (definition.body as Record<string, { optional: boolean }>)[definition.key];
      assert.ok(keyField && !keyField.optional, `${name}: its key ${definition.key} must be a required field`);
      assert.ok(Object.values(Topics).includes(definition.topic as never), `${name}: unknown topic ${definition.topic}`);
    }
    assert.deepEqual(Object.keys(Events).sort(), Object.values(Tags).sort());
  });

  it('a producer gets topic, tag and key from the catalogue', () => {
    const message = eventsOf('order').message(Tags.ORDER_PAID, { orderId, userId, points: '12' });
    assert.deepEqual(message, { topic: Topics.ORDER_EVENTS, tag: 'order.paid', keys: [orderId], body: { orderId, userId, points: '12' } });
    const deliverAt = new Date('2026-12-05T10:00:00Z');
    assert.equal(eventsOf('order').message(Tags.ORDER_PAY_DEADLINE, { orderId, payDeadline: deliverAt.toISOString() }, { deliverAt }).deliverAt, deliverAt);
    assert.deepEqual(eventsOf('pay').half(Tags.PAY_TIMEOUT, { paymentId: userId, orderId }), {
      tag: 'pay.timeout',
      keys: [userId],
      body: { paymentId: userId, orderId },
    });
  });

  it('a consumer decodes a well-formed body, optional fields left out, unknown fields allowed', () => {
    assert.deepEqual(decodeEvent(Tags.ORDER_CANCEL, body({ orderId, userId })), { orderId, userId });
    assert.deepEqual(decodeEvent(Tags.ORDER_CANCELLED, body({ orderId, userId, reason: 'r', addedLater: 1 })), { orderId, userId, reason: 'r', addedLater: 1 });
  });

  const malformed: [EventName, unknown, RegExp][] = [
    [Tags.ORDER_PAID, { orderId, userId }, /points must be a whole number as a string, got nothing/],
    [Tags.ORDER_PAID, { orderId, userId, points: 12 }, /points must be a whole number/],
    [Tags.ORDER_CANCEL, { orderId: 'abc', userId }, /orderId must be a snowflake id, got "abc"/],
    [Tags.PAY_SUCCEEDED, { paymentId: orderId, orderId, userId, amount: '12.345', tradeNo: '' }, /amount must be a decimal amount/],
    [Tags.PAY_REFUND_FINISHED, { refundId: orderId, orderId, status: 'DONE', reason: '' }, /status must be one of SUCCEEDED, FAILED/],
    [Tags.ORDER_PAY_DEADLINE, { orderId, payDeadline: 'tomorrow' }, /payDeadline must be an RFC 3339 time/],
    [Tags.ORDER_CANCELLED, { orderId, userId, reason: 7 }, /reason must be absent or a string/],
    [Tags.PAY_CLOSED, [orderId], /not a JSON object/],
    [Tags.PAY_CLOSED, null, /not a JSON object/],
  ];
  for (const [name, value, problem] of malformed) {
    it(`${name} ${JSON.stringify(value)} is malformed: ${problem.source}`, () => {
      assert.throws(
        () => decodeEvent(name, body(value)),
        (error: unknown) => error instanceof MalformedMessage && problem.test(error.message),
      );
    });
  }

  it('a body that is not JSON is malformed', () => {
    assert.throws(() => decodeEvent(Tags.PAY_CLOSED, { body: Buffer.from('{"paymentId":') }), MalformedMessage);
  });

  it('the handler a consumer registers decodes before it handles', async () => {
    const seen: unknown[] = [];
    const handler = eventsOf('user').on(Tags.ORDER_PAID, { handle: async (_tx, paid) => void seen.push(paid.points) });
    assert.equal(handler.topic, Topics.ORDER_EVENTS);
    assert.equal(handler.tag, Tags.ORDER_PAID);
    const decoded = handler.decode({ ...body({ orderId, userId, points: '3' }) } as never);
    await handler.handle(undefined as never, decoded, undefined as never, undefined);
    assert.deepEqual(seen, ['3']);
  });

  it('types: a wrong body, an unknown tag, or an event the service does not own do not compile', function () {
    this.timeout(30_000);
    const errors = compileErrors(path.join(__dirname, 'fixtures', 'miswired-events.ts'));
    assert.deepEqual(
      errors.map((e) => e.line),
      [7, 9, 11, 13, 15, 17],
      `one error per miswired line, got:\n${errors.map((e) => `${e.line}: ${e.text}`).join('\n')}`,
    );
    assert.match(errors[0]!.text, /Type 'number' is not assignable to type 'string'/);
    assert.match(errors[5]!.text, /Property 'amount' does not exist/);
  });
});

/** Type-checks one file with the project's compiler options: its errors, by line. */
function compileErrors(file: string): { line: number; text: string }[] {
  const { config } = ts.readConfigFile(path.join(__dirname, '../../tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(file));
  const program = ts.createProgram([file], { ...options, noEmit: true, composite: false, incremental: false, declaration: false, declarationMap: false });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => ({ line: d.file!.getLineAndCharacterOfPosition(d.start!).line + 1, text: ts.flattenDiagnosticMessageText(d.messageText, '\n') }));
}
