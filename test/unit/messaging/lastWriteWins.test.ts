import { describe, expect, it } from 'vitest';
import { isLastWriteWins, lastWriteWinsCondition, lastWriteWinsPut } from '../../../lambdas/shared/messaging/index.js';

describe('lastWriteWinsPut', () => {
  it('puts the entity only when no stored version exists or the stored one is lower', () => {
    const put = lastWriteWinsPut({ tableName: 't', item: { pk: 'MANAGER#1', sk: 'MANAGER', version: 4 } });
    expect(put).toEqual({
      Put: {
        TableName: 't',
        Item: { pk: 'MANAGER#1', sk: 'MANAGER', version: 4 },
        ConditionExpression: 'attribute_not_exists(#lww_version) OR #lww_version < :lww_version',
        ExpressionAttributeNames: { '#lww_version': 'version' },
        ExpressionAttributeValues: { ':lww_version': 4 },
      },
    });
    expect(isLastWriteWins(put)).toBe(true);
    expect(isLastWriteWins({ Put: { TableName: 't', Item: {} } })).toBe(false);
  });

  it('uses a custom version attribute and refuses an item without it', () => {
    const put = lastWriteWinsPut({ tableName: 't', item: { pk: 'T#1', sk: 'T', updated_at: '2026-11-24T10:00:00Z' }, versionAttribute: 'updated_at' });
    expect(put.Put!.ExpressionAttributeNames).toEqual({ '#lww_version': 'updated_at' });
    expect(() => lastWriteWinsPut({ tableName: 't', item: { pk: 'T#1', sk: 'T' } })).toThrow(/no "version" attribute/);
  });

  it('gives an Update the same condition, recognisable by the runtime', () => {
    const condition = lastWriteWinsCondition(9);
    const update = { Update: { TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET version = :lww_version', ...condition } };
    expect(isLastWriteWins(update)).toBe(true);
  });
});
