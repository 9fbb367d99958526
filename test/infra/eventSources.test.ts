import { beforeAll, describe, expect, it } from 'vitest';
import { deliveryConcurrency } from '../../lib/constructs/DeferredCalls.js';
import { synthApp } from './appTemplates.js';
import type { LooseJsonObject as Json } from '../../local/looseJson.js';


describe('SQS event sources: bounded concurrency', () => {
  let resources: Record<string, Json>;
  const sqsMappings = () =>
    Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties.EventSourceArn).includes('Queue'),
    );

  beforeAll(() => {
    resources = synthApp().servicesTemplate().toJSON().Resources as Record<string, Json>;
  });

  it('finds the SQS mappings (consumers and deferred-call deliverers)', () => {
    const paths = sqsMappings().map(([, r]) => String(r.Metadata?.['aws:cdk:path']));
    expect(paths.filter((p) => /Calls\/Deliverer\//.test(p))).toHaveLength(2);
    expect(paths.filter((p) => /From(Hiring|Tasks)\/Function\//.test(p))).toHaveLength(4);
  });

  it('gives every SQS event source a maximum concurrency, so a backlog cannot fan out without bound', () => {
    const missing = sqsMappings()
      .filter(([, r]) => r.Properties.ScalingConfig?.MaximumConcurrency === undefined)
      .map(([id]) => id);
    expect(missing).toEqual([]);
  });

  it("sizes the deferred-call deliverers against the callee's throttle (50 req/s: 2 invocations of 10 calls)", () => {
    const deliverers = sqsMappings().filter(([, r]) => /Calls\/Deliverer\//.test(String(r.Metadata?.['aws:cdk:path'])));
    for (const [id, mapping] of deliverers) {
      expect(mapping.Properties.ScalingConfig, id).toEqual({ MaximumConcurrency: 2 });
      expect(mapping.Properties.BatchSize, id).toBe(10);
    }
    expect(deliveryConcurrency([50], 10)).toBe(2);
    expect(deliveryConcurrency([500, 50], 10)).toBe(2); // the slowest target decides
    expect(deliveryConcurrency([500], 10)).toBe(25);
    expect(deliveryConcurrency([100_000], 1)).toBe(1000); // SQS's maximum
    expect(deliveryConcurrency([], 10)).toBe(2);
  });
});
