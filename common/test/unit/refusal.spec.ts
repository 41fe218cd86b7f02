import assert from 'node:assert/strict';
import { DomainError, ErrorCode, refusable, refuse } from '../../src/errors';

describe('refusals thrown out of a transaction', () => {
  it('come back as the DomainError value; other errors pass through', async () => {
    const refused = await refusable(Promise.reject(new Error('x')).catch(() => refuse(ErrorCode.NOT_FOUND, 'goods 1 not found')));
    assert.ok(refused instanceof DomainError);
    assert.deepEqual([refused.code, refused.message], [ErrorCode.NOT_FOUND, 'goods 1 not found']);
    const given = new DomainError(ErrorCode.INVALID_ARGUMENT, 'bad lines');
    assert.equal(await refusable((async () => refuse(given))()), given);
    assert.equal(await refusable(Promise.resolve(7)), 7);
    await assert.rejects(refusable(Promise.reject(new Error('the database went away'))), /the database went away/);
  });
});
