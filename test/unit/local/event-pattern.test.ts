import { describe, expect, it } from 'vitest';
import { compileEventPattern, EventPatternError } from '../../../local/event-pattern.js';

const matches = (pattern: unknown, event: unknown) => compileEventPattern(pattern, 'TestRule')(event);

const orderEvent = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Order Placed',
  source: 'shop.orders',
  account: '000000000000',
  time: '2026-03-14T09:26:53Z',
  region: 'eu-west-1',
  resources: ['arn:aws:shop:eu-west-1:000000000000:order/42'],
  detail: {
    status: 'placed',
    total: 250,
    items: [{ sku: 'A-1', qty: 2 }, { sku: 'B-7', qty: 1 }],
    tags: ['gift', 'express'],
    customer: { tier: 'Gold', email: 'ann@example.org', ip: '10.0.3.17' },
    note: null,
    empty: '',
    file: 'reports/2026/q1.PDF',
  },
};

describe('compileEventPattern', () => {
  it('matches exact values, with OR inside an array and AND across keys', () => {
    expect(matches({ source: ['shop.orders'], 'detail-type': ['Order Placed', 'Order Paid'] }, orderEvent)).toBe(true);
    expect(matches({ source: ['shop.orders'], 'detail-type': ['Order Paid'] }, orderEvent)).toBe(false);
    expect(matches({ detail: { total: [250] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { total: ['250'] } }, orderEvent)).toBe(false);
  });

  it('descends nested objects and treats event arrays as "any element"', () => {
    expect(matches({ detail: { customer: { tier: ['Gold'] } } }, orderEvent)).toBe(true);
    expect(matches({ detail: { tags: ['express'] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { tags: ['slow'] } }, orderEvent)).toBe(false);
    expect(matches({ detail: { items: { sku: ['B-7'] } } }, orderEvent)).toBe(true);
    expect(matches({ resources: [{ suffix: 'order/42' }] }, orderEvent)).toBe(true);
  });

  it('matches null and the empty string as values', () => {
    expect(matches({ detail: { note: [null] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { empty: [''] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { status: [null] } }, orderEvent)).toBe(false);
  });

  it('supports prefix and suffix, also ignoring case', () => {
    expect(matches({ time: [{ prefix: '2026-03-14' }] }, orderEvent)).toBe(true);
    expect(matches({ region: [{ prefix: 'us-' }] }, orderEvent)).toBe(false);
    expect(matches({ detail: { file: [{ suffix: '.pdf' }] } }, orderEvent)).toBe(false);
    expect(matches({ detail: { file: [{ suffix: { 'equals-ignore-case': '.pdf' } }] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { customer: { tier: [{ prefix: { 'equals-ignore-case': 'gO' } }] } } }, orderEvent)).toBe(true);
  });

  it('supports equals-ignore-case and wildcard', () => {
    expect(matches({ detail: { status: [{ 'equals-ignore-case': 'PLACED' }] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { file: [{ wildcard: 'reports/*/q1.*' }] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { file: [{ wildcard: 'reports/*/q2.*' }] } }, orderEvent)).toBe(false);
    expect(matches({ v: [{ wildcard: 'a\\*b' }] }, { v: 'a*b' })).toBe(true);
    expect(matches({ v: [{ wildcard: 'a\\*b' }] }, { v: 'axb' })).toBe(false);
  });

  it('supports anything-but with a value, a list, prefix, suffix, ignore-case and wildcard', () => {
    expect(matches({ detail: { status: [{ 'anything-but': 'cancelled' }] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { status: [{ 'anything-but': ['placed', 'paid'] }] } }, orderEvent)).toBe(false);
    expect(matches({ detail: { total: [{ 'anything-but': [100, 200] }] } }, orderEvent)).toBe(true);
    expect(matches({ region: [{ 'anything-but': { prefix: 'eu-' } }] }, orderEvent)).toBe(false);
    expect(matches({ region: [{ 'anything-but': { prefix: 'us-' } }] }, orderEvent)).toBe(true);
    expect(matches({ detail: { file: [{ 'anything-but': { suffix: '.PDF' } }] } }, orderEvent)).toBe(false);
    expect(matches({ detail: { status: [{ 'anything-but': { 'equals-ignore-case': ['PLACED'] } }] } }, orderEvent)).toBe(false);
    expect(matches({ detail: { file: [{ 'anything-but': { wildcard: '*/2026/*' } }] } }, orderEvent)).toBe(false);
    // a missing field does not satisfy anything-but
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } }, orderEvent)).toBe(false);
  });

  it('supports numeric ranges', () => {
    expect(matches({ detail: { total: [{ numeric: ['>', 0, '<=', 250] }] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { total: [{ numeric: ['<', 250] }] } }, orderEvent)).toBe(false);
    expect(matches({ detail: { total: [{ numeric: ['=', 250] }] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { items: { qty: [{ numeric: ['>=', 2] }] } } }, orderEvent)).toBe(true);
    expect(matches({ detail: { status: [{ numeric: ['>', 0] }] } }, orderEvent)).toBe(false);
  });

  it('supports exists true and false', () => {
    expect(matches({ detail: { customer: { email: [{ exists: true }] } } }, orderEvent)).toBe(true);
    expect(matches({ detail: { coupon: [{ exists: false }] } }, orderEvent)).toBe(true);
    expect(matches({ detail: { coupon: [{ exists: true }] } }, orderEvent)).toBe(false);
    expect(matches({ detail: { status: [{ exists: false }] } }, orderEvent)).toBe(false);
    expect(matches({ other: { deep: [{ exists: false }] } }, orderEvent)).toBe(true);
  });

  it('supports cidr and $or', () => {
    expect(matches({ detail: { customer: { ip: [{ cidr: '10.0.0.0/16' }] } } }, orderEvent)).toBe(true);
    expect(matches({ detail: { customer: { ip: [{ cidr: '10.1.0.0/16' }] } } }, orderEvent)).toBe(false);
    const either = { detail: { $or: [{ total: [{ numeric: ['>', 1000] }] }, { customer: { tier: ['Gold'] } }] } };
    expect(matches(either, orderEvent)).toBe(true);
    expect(matches({ $or: [{ source: ['a'] }, { source: ['b'] }] }, orderEvent)).toBe(false);
  });

  it('matches DynamoDB stream records as Lambda filter criteria do', () => {
    const record = { eventName: 'INSERT', dynamodb: { NewImage: { pk: { S: 'OUTBOX#1' }, n: { N: '3' } } } };
    expect(matches({ eventName: ['INSERT'], dynamodb: { NewImage: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } }, record)).toBe(true);
    expect(matches({ eventName: ['MODIFY'] }, record)).toBe(false);
  });

  it('accepts a JSON string and rejects unsupported operators loudly, naming the owner', () => {
    expect(compileEventPattern('{"source":["shop.orders"]}', 'R')(orderEvent)).toBe(true);
    expect(() => compileEventPattern({ source: [{ contains: 'x' }] }, 'MyRule')).toThrow(EventPatternError);
    expect(() => compileEventPattern({ source: [{ contains: 'x' }] }, 'MyRule')).toThrow(/MyRule.*contains/);
    expect(() => compileEventPattern({ source: 'x' }, 'MyRule')).toThrow(/MyRule/);
    expect(() => compileEventPattern({ n: [{ numeric: ['!=', 1] }] }, 'MyRule')).toThrow(/MyRule/);
    expect(() => compileEventPattern('{bad', 'MyRule')).toThrow(/MyRule/);
  });
});
