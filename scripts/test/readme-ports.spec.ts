import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The fixed ports a stack script binds by default: its `: "${NAME_PORT:=1234}"` lines. */
function defaultPorts(file: string): Map<string, number> {
  return new Map([...read(file).matchAll(/: "\$\{([A-Z_]+_PORT):=(\d+)\}"/g)].map((match) => [match[1] ?? '', Number(match[2])]));
}

describe("README's free-port list", () => {
  it('names every port the local stack listens on, and no other', () => {
    const ports = new Map([...defaultPorts('deploy/local/infra.sh'), ...defaultPorts('deploy/local/system.sh')]);
    const broker = ports.get('RMQ_BROKER_PORT');
    assert.ok(broker, 'infra.sh sets RMQ_BROKER_PORT');
    // The broker opens two more beside its listenPort (deploy/local/lib/rocketmq.sh sets only that
    // one): its fast channel at listenPort - 2 and its HA port at listenPort + 1.
    const expected = new Set([...ports.values(), broker - 2, broker + 1]);
    assert.ok(expected.size >= 15, `found only ${[...ports.keys()].join(', ')}`);

    const line = read('README.md').match(/^- Free ports: (.*)$/m)?.[1];
    assert.ok(line, 'README.md has a "- Free ports:" line');
    const listed = new Set([...line.matchAll(/\b\d{4,5}\b/g)].map((match) => Number(match[0])));
    assert.deepEqual([...listed].sort(), [...expected].sort());
  });
});
