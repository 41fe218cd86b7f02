/**
 * A bounded fuzz run against the running system (what `npm test` runs; the long run is
 * `npm run fuzz -w @shop/chaos`): about 300 generated requests per front door and 200 Alipay
 * notify forms, with a fixed seed. The oracle's verdicts become the assertions.
 * FUZZ_SPEC_REQUESTS / FUZZ_SPEC_NOTIFY_FORMS change the size, FUZZ_SEED the seed.
 */
import assert from 'node:assert/strict';
import { loadFuzzConfig } from '../src/fuzz/config';
import type { Finding, FuzzReport } from '../src/fuzz/report';
import { runFuzz } from '../src/fuzz/runner';

const SEED = 20_261_201;

const show = (findings: Finding[]) =>
  findings
    .slice(0, 5)
    .map(
      (finding) =>
        `\n[${finding.kind}] ${finding.where}\n${finding.request.slice(0, 600)}\n-> ${finding.answer.slice(0, 300)}\n${finding.detail.slice(0, 8).join('\n')}`,
    )
    .join('\n');

describe('API fuzzers against the running system (bounded run)', function () {
  this.timeout(30 * 60_000);
  let report: FuzzReport;

  before(async () => {
    const env = process.env;
    const config = loadFuzzConfig(env, {
      seed: env.FUZZ_SEED ? Number(env.FUZZ_SEED) : SEED,
      requestsPerDoor: Number(env.FUZZ_SPEC_REQUESTS ?? 300),
      notifyForms: Number(env.FUZZ_SPEC_NOTIFY_FORMS ?? 200),
    });
    const command = `FUZZ_SEED=${config.seed} FUZZ_SPEC_REQUESTS=${config.requestsPerDoor} FUZZ_SPEC_NOTIFY_FORMS=${config.notifyForms} (tools/chaos/test/fuzz.spec.ts)`;
    const log = env.FUZZ_VERBOSE
      ? (line: string) => console.log(line)
      : (line: string) => (/^(FAILURE|STATE CHANGE|report:|fuzz seed| {2})/.test(line) ? console.log(line) : undefined);
    ({ report } = await runFuzz(config, log, command));
  });

  it('answers every request, never with a 5xx', () => {
    const failures = report.findings.filter((finding) => finding.kind === '5xx' || finding.kind === 'no-answer');
    assert.equal(failures.length, 0, `${failures.length} requests answered 5xx or not at all:${show(failures)}`);
  });

  it('changes nothing with a refused request, a GET or a notification form, and nothing changes by itself afterwards', () => {
    const changes = report.findings.filter((finding) => finding.kind === 'state-change' || finding.kind === 'late-change');
    assert.equal(changes.length, 0, `${changes.length} state changes:${show(changes)}`);
  });

  it('never acknowledges a notification whose signature does not verify', () => {
    const forged = report.findings.filter((finding) => finding.kind === 'forged-accepted');
    assert.equal(forged.length, 0, show(forged));
  });

  it('answers errors as {code, message} with a code of the error table', () => {
    const malformed = report.findings.filter((finding) => finding.kind === 'malformed-answer');
    assert.equal(malformed.length, 0, `${malformed.length} malformed answers:${show(malformed)}`);
  });

  it('reaches the handlers with at least half of the requests, with a valid token', () => {
    for (const [door, counts] of report.doors) {
      assert.ok(counts.requests > 0, `${door}: no request sent`);
      assert.ok(
        counts.validTokenReached * 2 >= counts.requests,
        `${door}: only ${counts.validTokenReached} of ${counts.requests} requests carried a valid token and reached a handler`,
      );
    }
  });
});
