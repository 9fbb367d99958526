/**
 * `npm run dlq -- list | show <queue> [--max N] [--json] | redrive <queue>` for the local runtime's queues.
 *
 * DLQs come from the assembly `npm start` runs (`.local/cdk.out`, or `--assembly DIR`); the SQS
 * server from `.local/endpoints.json` (`local.sqs`, written by `npm start`; or `--sqs URL`).
 * `<queue>`: construct id (`BonusFromHiringDeadLetterQueue`), logical id, `<stack>/<logicalId>`, queue
 * name, or an unambiguous part of one (`bonusfromhiring`).
 */
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudAssembly } from '../local/assembly.js';
import { findDeadLetterQueues, listDeadLetterQueues, pickDeadLetterQueue, redriveDeadLetters, showDeadLetters } from '../local/dlq.js';
import { DEFAULT_ENDPOINTS_FILE, readEndpointsFile } from '../local/endpointsFile.js';
import { ATTR_FAILURE_KIND, ATTR_FAILURE_REASON } from '../lambdas/shared/messaging/constants.js';

const USAGE = 'usage: npm run dlq -- list | show <queue> [--max N] [--json] | redrive <queue>  [--assembly DIR] [--sqs URL] [--endpoints FILE]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    assembly: { type: 'string', default: '.local/cdk.out' },
    endpoints: { type: 'string', default: DEFAULT_ENDPOINTS_FILE },
    sqs: { type: 'string' },
    max: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const out = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const [command, id] = positionals;
  if (!command || !['list', 'show', 'redrive'].includes(command) || (command !== 'list' && !id)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const assembly = CloudAssembly.load(values.assembly);
  const endpoint = values.sqs ?? readEndpointsFile(values.endpoints).local?.sqs;
  if (!endpoint) throw new Error(`${values.endpoints} has no local.sqs: it does not describe the offline runtime (restart \`npm start\`, or pass --sqs URL)`);
  const sqs = new SQSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    if (command === 'list') {
      const dlqs = await listDeadLetterQueues(assembly, sqs).catch((error: Error) => {
        throw new Error(`the SQS server at ${endpoint} is not answering (${error.message}): is \`npm start\` running?`);
      });
      if (values.json) {
        out(JSON.stringify(dlqs, null, 2));
        return 0;
      }
      const width = Math.max(...dlqs.map((q) => q.id.length), 5);
      out(`${'queue'.padEnd(width)}  depth  kind                    redrives to`);
      for (const q of dlqs) {
        const depth = q.depth === undefined ? 'n/a' : String(q.depth);
        out(`${q.id.padEnd(width)}  ${depth.padStart(5)}  ${q.role.padEnd(22)}  ${q.sources.map((s) => s.name).join(', ') || '-'}`);
      }
      const total = dlqs.reduce((sum, q) => sum + (q.depth ?? 0), 0);
      out(`\n${dlqs.length} DLQs, ${total} message(s). \`npm run dlq -- show <queue>\` to read them.`);
      return 0;
    }
    const q = pickDeadLetterQueue(findDeadLetterQueues(assembly), id!);
    if (command === 'show') {
      const letters = await showDeadLetters(sqs, q, { max: values.max ? Number(values.max) : undefined });
      if (values.json) {
        out(JSON.stringify(letters, null, 2));
        return 0;
      }
      out(`${q.id} (${q.name}): ${letters.length} message(s)`);
      for (const [i, m] of letters.entries()) {
        out(`\n#${i + 1} ${m.messageId}  sent ${m.sentAt ?? '?'}  received ${m.receiveCount ?? '?'}x`);
        out(`  failure-kind:   ${m.failureKind ?? '(none: redriven by SQS after maxReceiveCount, or an EventBridge delivery failure)'}`);
        if (m.failureReason) out(`  failure-reason: ${m.failureReason}`);
        for (const [k, v] of Object.entries(m.attributes)) if (k !== ATTR_FAILURE_KIND && k !== ATTR_FAILURE_REASON) out(`  ${k}: ${v}`);
        let body = m.body;
        try {
          const parsed = JSON.parse(body) as Record<string, unknown>;
          body = JSON.stringify(parsed['detail-type'] ? { 'detail-type': parsed['detail-type'], source: parsed.source, detail: parsed.detail } : parsed);
        } catch {
          // raw body
        }
        out(`  body: ${body.length > 600 ? `${body.slice(0, 600)}…` : body}`);
      }
      return 0;
    }
    const result = await redriveDeadLetters(sqs, q, { max: values.max ? Number(values.max) : undefined });
    out(`Redrove ${result.moved} message(s) from ${result.from} to ${result.to}.`);
    return 0;
  } finally {
    sqs.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`✗ ${error.message}\n`);
    process.exit(1);
  },
);
