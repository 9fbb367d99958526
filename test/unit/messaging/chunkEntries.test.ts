import { describe, expect, it } from 'vitest';
import { chunkEntries } from '../../../lambdas/shared/messaging/chunkEntries.js';
import { putEventsEntrySize } from '../../../lambdas/shared/messaging/putEventsEntrySize.js';

const entry = (detailBytes: number) => ({ Source: 's', DetailType: 'd', Detail: 'x'.repeat(detailBytes) });

describe('chunkEntries', () => {
  it('puts at most 10 entries in a call, keeping order', () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    const chunks = chunkEntries(items, () => entry(10));
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(chunks.flat()).toEqual(items);
  });

  it('closes a call before it would exceed 256 KB', () => {
    // 100 KB entries: two fit (200 KB + 4 bytes), a third would not.
    const items = Array.from({ length: 5 }, (_, i) => i);
    const chunks = chunkEntries(items, () => entry(100 * 1024));
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 1]);
    for (const chunk of chunks) {
      expect(chunk.reduce((sum) => sum + putEventsEntrySize(entry(100 * 1024)), 0)).toBeLessThanOrEqual(256 * 1024);
    }
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(putEventsEntrySize({ Source: 'é', DetailType: '', Detail: '€' })).toBe(2 + 3);
    expect(putEventsEntrySize({ Source: 'a', Time: new Date(), Resources: ['arn:x'] })).toBe(14 + 1 + 5);
  });
});
