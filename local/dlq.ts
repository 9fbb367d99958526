/**
 * Dead-letter queues of a synthesized app on the local SQS server: which queues are DLQs, how many
 * messages they hold, what those messages say (`failure-kind` / `failure-reason` attributes), and a
 * redrive back to the queue whose RedrivePolicy points at the DLQ (what the console's "Start DLQ
 * redrive" does on AWS). Used by `npm run dlq`.
 *
 * A DLQ is a queue some queue's RedrivePolicy targets, a rule target's DeadLetterConfig, an event
 * source mapping's OnFailure destination, or a queue whose logical id says DeadLetter / Dlq / Failure /
 * Unresolved (the outbox republisher's queue of failures it could not resolve).
 * Local queue names are resolved the way the runtime resolves them (`Resolver.physicalName`).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { constructId, Resolver, type CloudAssembly, type ResourceRef } from './assembly.js';
import { ATTR_FAILURE_KIND, ATTR_FAILURE_REASON } from '../lambdas/shared/messaging/constants.js';

export interface DeadLetterQueue {
  /** `<stack>/<logicalId>`. */
  readonly key: string;
  /** Construct id, e.g. `BonusFromHiringDeadLetterQueue` (accepted by show/redrive, as are key, logical id, name). */
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  /** Why it counts as a DLQ. */
  readonly role: 'redrive-target' | 'on-failure-destination' | 'rule-dead-letter' | 'by-name';
  /** The queue(s) whose RedrivePolicy targets it: where a redrive sends messages. */
  readonly sources: ReadonlyArray<{ key: string; name: string; arn: string }>;
}

export interface DeadLetterQueueStatus extends DeadLetterQueue {
  readonly url?: string;
  /** Visible + in flight + delayed; undefined when the queue does not exist on the server. */
  readonly depth?: number;
}

export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly failureKind?: string;
  readonly failureReason?: string;
  readonly attributes: Record<string, string>;
  readonly receiveCount?: number;
  readonly sentAt?: string;
}

const BY_NAME = /dead-?letter|dlq|failure|unresolved/i;

function arnsIn(value: unknown, into: Set<string>): void {
  if (typeof value === 'string' && value.startsWith('arn:aws:sqs:')) into.add(value);
  else if (Array.isArray(value)) for (const v of value) arnsIn(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) arnsIn(v, into);
}

/** The assembly's DLQs (every stack), sorted by construct id. */
export function findDeadLetterQueues(assembly: CloudAssembly, resolver = new Resolver(assembly)): DeadLetterQueue[] {
  const queues = assembly.resources('AWS::SQS::Queue');
  const arnOf = (ref: ResourceRef) => resolver.getAtt(ref, 'Arn') as string;
  const byArn = new Map(queues.map((q) => [arnOf(q), q]));
  const roles = new Map<string, DeadLetterQueue['role']>();
  const sources = new Map<string, Array<{ key: string; name: string; arn: string }>>();
  // Only the properties needed: others (a stream ARN) are known only once the runtime created the table.
  const prop = (ref: ResourceRef, name: string): unknown => resolver.resolve(ref.stack, ref.resource.Properties?.[name], `${ref.key} ${name}`);
  const mark = (arn: string, role: DeadLetterQueue['role']) => {
    if (byArn.has(arn) && !roles.has(arn)) roles.set(arn, role);
  };

  for (const q of queues) {
    const redrive = prop(q, 'RedrivePolicy') as { deadLetterTargetArn?: string } | undefined;
    if (!redrive?.deadLetterTargetArn) continue;
    mark(redrive.deadLetterTargetArn, 'redrive-target');
    const list = sources.get(redrive.deadLetterTargetArn) ?? [];
    list.push({ key: q.key, name: resolver.physicalName(q), arn: arnOf(q) });
    sources.set(redrive.deadLetterTargetArn, list);
  }
  for (const mapping of assembly.resources('AWS::Lambda::EventSourceMapping')) {
    const found = new Set<string>();
    arnsIn((prop(mapping, 'DestinationConfig') as Record<string, unknown> | undefined)?.OnFailure, found);
    for (const arn of found) mark(arn, 'on-failure-destination');
  }
  for (const rule of assembly.resources('AWS::Events::Rule')) {
    const found = new Set<string>();
    for (const target of (prop(rule, 'Targets') as Array<Record<string, unknown>> | undefined) ?? []) arnsIn(target.DeadLetterConfig, found);
    for (const arn of found) mark(arn, 'rule-dead-letter');
  }
  for (const q of queues) if (BY_NAME.test(q.logicalId)) mark(arnOf(q), 'by-name');

  return [...roles.entries()]
    .map(([arn, role]) => {
      const ref = byArn.get(arn)!;
      return { key: ref.key, id: constructId(ref.logicalId), name: resolver.physicalName(ref), arn, role, sources: sources.get(arn) ?? [] };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** One DLQ by construct id, logical id, `<stack>/<logicalId>` or queue name (case-insensitive). */
export function pickDeadLetterQueue(dlqs: readonly DeadLetterQueue[], id: string): DeadLetterQueue {
  const wanted = id.toLowerCase();
  const matches = dlqs.filter((q) => [q.id, q.key, q.key.split('/')[1]!, q.name].some((n) => n.toLowerCase() === wanted));
  if (matches.length === 1) return matches[0]!;
  const partial = matches.length ? matches : dlqs.filter((q) => q.id.toLowerCase().includes(wanted) || q.name.toLowerCase().includes(wanted));
  if (partial.length === 1) return partial[0]!;
  const known = dlqs.map((q) => q.id).join(', ');
  throw new Error(partial.length ? `${id} matches several DLQs: ${partial.map((q) => q.id).join(', ')}` : `No DLQ ${id}. DLQs: ${known}`);
}

async function urlOf(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (/NonExistentQueue|does not exist/i.test(`${(error as Error).name} ${(error as Error).message}`)) return undefined;
    throw error;
  }
}

/** Every DLQ with its current depth on the server. */
export async function listDeadLetterQueues(assembly: CloudAssembly, sqs: SQSClient): Promise<DeadLetterQueueStatus[]> {
  return Promise.all(
    findDeadLetterQueues(assembly).map(async (q) => {
      const url = await urlOf(sqs, q.name);
      if (!url) return { ...q };
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      const depth = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'].reduce(
        (sum, a) => sum + Number((Attributes as Record<string, string>)[a] ?? 0),
        0,
      );
      return { ...q, url, depth };
    }),
  );
}

const text = (attributes: Record<string, MessageAttributeValue> | undefined) =>
  Object.fromEntries(Object.entries(attributes ?? {}).map(([k, v]) => [k, v.StringValue ?? (v.BinaryValue ? `<${v.BinaryValue.length} bytes>` : '')]));

/** Receives every visible message once (hidden for `visibilitySeconds`, deleted only by the caller). */
async function receiveAll(sqs: SQSClient, url: string, visibilitySeconds: number, max: number): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, max - all.length),
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    all.push(...Messages);
    if (Messages.length === 0 || all.length >= max) return all;
  }
}

async function queueUrlOrThrow(sqs: SQSClient, q: DeadLetterQueue): Promise<string> {
  const url = await urlOf(sqs, q.name);
  if (!url) throw new Error(`${q.id} (${q.name}) does not exist on the SQS server: is this the server the runtime uses?`);
  return url;
}

/**
 * The DLQ's messages with their failure attributes. Peeks: each message becomes visible again right
 * away (visibility set back to 0), so a show never hides messages from a redrive or another show.
 */
export async function showDeadLetters(sqs: SQSClient, q: DeadLetterQueue, options: { max?: number } = {}): Promise<DeadLetter[]> {
  const url = await queueUrlOrThrow(sqs, q);
  const messages = await receiveAll(sqs, url, 30, options.max ?? 100);
  for (let i = 0; i < messages.length; i += 10) {
    const batch = messages.slice(i, i + 10);
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: batch.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })) }));
  }
  return messages.map((m) => {
    const attributes = text(m.MessageAttributes);
    return {
      messageId: m.MessageId!,
      body: m.Body ?? '',
      failureKind: attributes[ATTR_FAILURE_KIND],
      failureReason: attributes[ATTR_FAILURE_REASON],
      attributes,
      receiveCount: m.Attributes?.ApproximateReceiveCount === undefined ? undefined : Number(m.Attributes.ApproximateReceiveCount),
      sentAt: m.Attributes?.SentTimestamp ? new Date(Number(m.Attributes.SentTimestamp)).toISOString() : undefined,
    };
  });
}

export interface RedriveResult {
  readonly from: string;
  readonly to: string;
  readonly moved: number;
}

/**
 * Moves every message of the DLQ back to its source queue (body and message attributes unchanged,
 * as SQS's redrive does), deleting each from the DLQ only after the send succeeded: a failure
 * midway leaves the rest in the DLQ, never loses one. Messages dead-lettered after the redrive
 * started (one that failed again) stay for the next redrive. A DLQ without exactly one source queue (an
 * OnFailure destination holds stream invocation records, not events) cannot be redriven.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  q: DeadLetterQueue,
  options: { max?: number; /** Called after each moved batch (tests: a consumer failing in between). */ afterBatch?: () => Promise<void> } = {},
): Promise<RedriveResult> {
  if (q.sources.length !== 1) {
    throw new Error(
      q.sources.length === 0
        ? `${q.id} is no queue's RedrivePolicy target (${q.role}): nothing to redrive it to. Stream failure records name the batch to replay; read them with \`show\`.`
        : `${q.id} is the DLQ of several queues (${q.sources.map((s) => s.name).join(', ')}): redrive is ambiguous`,
    );
  }
  const source = q.sources[0]!;
  const from = await queueUrlOrThrow(sqs, q);
  const to = await urlOf(sqs, source.name);
  if (!to) throw new Error(`the source queue ${source.name} does not exist on the SQS server`);
  let moved = 0;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  // Only what was dead-lettered before the redrive started: a message that fails again comes back
  // to the DLQ at once, and moving it again would loop for as long as the consumer keeps failing.
  const startedAt = Date.now();
  while (moved < max) {
    const received = await receiveAll(sqs, from, 60, Math.min(10, max - moved));
    const newer = received.filter((m) => Number(m.Attributes?.SentTimestamp ?? 0) > startedAt);
    if (newer.length) {
      await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: from, Entries: newer.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })) }));
    }
    const messages = received.filter((m) => !newer.includes(m));
    if (messages.length === 0) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: to,
        Entries: messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', MessageAttributes: m.MessageAttributes })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
    const done = messages.filter((_, i) => ok.has(i));
    if (done.length) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: from, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    moved += done.length;
    await options.afterBatch?.();
    if (sent.Failed?.length) throw new Error(`redrive stopped after ${moved}: ${sent.Failed.map((f) => `${f.Code} ${f.Message}`).join('; ')}`);
  }
  return { from: q.name, to: source.name, moved };
}
