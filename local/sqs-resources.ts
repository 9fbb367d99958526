/**
 * Creates the template's `AWS::SQS::Queue`s on the local SQS server (fauxqs) and records their real
 * URLs on the resolver. fauxqs names a queue `arn:aws:sqs:us-east-1:000000000000:<name>` and
 * `<endpoint>/000000000000/<name>`, the same shape as the resolver's local ARNs.
 *
 * Idempotent: an existing queue keeps its messages; changed attributes are applied with
 * SetQueueAttributes. DLQs are created before the queues that redrive to them.
 */
import { CreateQueueCommand, GetQueueUrlCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CloudAssembly, Resolver, ResourceRef } from './assembly.js';

export interface LocalQueue {
  readonly key: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  /** Attributes as sent to the server. */
  readonly attributes: Record<string, string>;
}

const PASSED_THROUGH = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
] as const;

/** Queue attributes (SQS API form) from the template's properties. */
export function queueAttributes(props: Record<string, unknown>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    if (props[name] !== undefined) attributes[name] = String(props[name]);
  }
  const redrive = props.RedrivePolicy as { deadLetterTargetArn?: string; maxReceiveCount?: number | string } | undefined;
  if (redrive) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: redrive.deadLetterTargetArn,
      maxReceiveCount: Number(redrive.maxReceiveCount),
    });
  }
  if (props.RedriveAllowPolicy !== undefined) {
    attributes.RedriveAllowPolicy = typeof props.RedriveAllowPolicy === 'string' ? props.RedriveAllowPolicy : JSON.stringify(props.RedriveAllowPolicy);
  }
  return attributes;
}

/** Creates (or finds) every queue of the assembly; returns them by resource key. */
export async function createQueues(assembly: CloudAssembly, resolver: Resolver, sqs: SQSClient): Promise<Map<string, LocalQueue>> {
  const refs = assembly.resources('AWS::SQS::Queue');
  const arnToRef = new Map(refs.map((ref) => [resolver.getAtt(ref, 'Arn') as string, ref]));
  const done = new Map<string, LocalQueue>();
  const visiting = new Set<string>();

  const create = async (ref: ResourceRef): Promise<LocalQueue> => {
    const existing = done.get(ref.key);
    if (existing) return existing;
    if (visiting.has(ref.key)) throw new Error(`${ref.key}: redrive policies form a cycle`);
    visiting.add(ref.key);
    const props = resolver.properties(ref);
    const attributes = queueAttributes(props);
    const dlqArn = (props.RedrivePolicy as { deadLetterTargetArn?: string } | undefined)?.deadLetterTargetArn;
    if (dlqArn) {
      const dlq = arnToRef.get(dlqArn);
      if (!dlq) throw new Error(`${ref.key}: RedrivePolicy targets ${dlqArn}, which is not a queue of this assembly`);
      await create(dlq);
    }
    const name = resolver.physicalName(ref);
    const arn = resolver.getAtt(ref, 'Arn') as string;
    let url: string;
    try {
      ({ QueueUrl: url = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes })));
    } catch (error) {
      if ((error as { name?: string }).name !== 'QueueNameExists' && !/already exists/i.test(String((error as Error).message))) throw error;
      ({ QueueUrl: url = '' } = await sqs.send(new GetQueueUrlCommand({ QueueName: name })));
      const { FifoQueue: _fifo, ...settable } = attributes;
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: settable }));
    }
    resolver.setAttribute(ref.key, 'Ref', url);
    resolver.setAttribute(ref.key, 'QueueUrl', url);
    const queue: LocalQueue = { key: ref.key, name, url, arn, attributes };
    done.set(ref.key, queue);
    return queue;
  };

  for (const ref of refs) await create(ref);
  return done;
}
