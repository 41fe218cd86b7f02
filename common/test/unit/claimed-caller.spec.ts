import assert from 'node:assert/strict';
import { Metadata } from '@grpc/grpc-js';
import { claimedCaller } from '../../src/rpc/rpc-interceptors';

describe('the caller a call claims to come from (plain gRPC, development)', () => {
  const metadata = (headers: Record<string, string>) => {
    const m = new Metadata();
    for (const [key, value] of Object.entries(headers)) m.set(key, value);
    return m;
  };

  it("reads the shop's x-caller-app, and a Dubbo Triple consumer's tri-consumer-appname", () => {
    assert.equal(claimedCaller(metadata({ 'x-caller-app': 'order' })), 'order');
    assert.equal(claimedCaller(metadata({ 'tri-consumer-appname': 'dubbo-interop-consumer' })), 'dubbo-interop-consumer');
    assert.equal(claimedCaller(metadata({ 'x-caller-app': 'order', 'tri-consumer-appname': 'other' })), 'order', "the shop's header first");
    assert.equal(claimedCaller(metadata({})), '');
  });
});
