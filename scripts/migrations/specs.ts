import { BatchGetCommand, type DynamoDBDocumentClient, type NativeAttributeValue, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { splitTaskTitle, hasKnowledgeAreaPrefix } from '../../lambdas/shared/migrations/taskTitle.js';
import { createHash } from 'node:crypto';
import { outboxItem } from '../../lambdas/shared/messaging/index.js';
import { FINAL_STEPS, type MigrationSteps } from '../../lambdas/shared/migrations/steps.js';
import { managerEvents } from '../../lambdas/tasks/migrations/producers.js';
import type { Manager } from '../../lambdas/tasks/keys.js';
import type { BackfillSpec } from './backfill.js';

type Item = Record<string, NativeAttributeValue>;

/**
 * task-created-v1 step 4: split `"[Knowledge Area] Title"` task rows (tasks: `TASK#<uid>`/`TASK`,
 * bonus: `TASK#<uid>`/`TASK`) into `knowledge_area` + `title`. Selected: task rows whose
 * knowledge_area is absent or empty and whose title starts with `[`. The update is conditioned on
 * the very title read and an still-empty knowledge_area, so it applies once: a second split of
 * `"[Go] [Hard] X"` (whose title is `[Hard] X` after the first) cannot happen.
 */
export function splitTaskTitlesSpec(tableName: string): BackfillSpec {
  return {
    name: 'split-task-titles',
    tableName,
    filter: {
      expression: 'sk = :task AND begins_with(title, :bracket) AND (attribute_not_exists(knowledge_area) OR knowledge_area = :empty)',
      values: { ':task': 'TASK', ':bracket': '[', ':empty': '' },
    },
    plan: async (items) =>
      items.map((item): UpdateCommandInput | undefined => {
        const title = String(item.title);
        if (!hasKnowledgeAreaPrefix(title)) return undefined;
        const parts = splitTaskTitle(title);
        return {
          TableName: tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET title = :title, knowledge_area = :ka',
          ConditionExpression: 'title = :read AND (attribute_not_exists(knowledge_area) OR knowledge_area = :empty)',
          ExpressionAttributeValues: { ':title': parts.title, ':ka': parts.knowledge_area, ':read': title, ':empty': '' },
        };
      }),
  };
}

/**
 * manager-login step 7: copy the login of every manager hiring knows (`MANAGER#<uid>`/`MANAGER`
 * without a login) from the tasks table. Only fills an absent/empty login (a v1 event may have set
 * a newer one meanwhile); a manager tasks does not have is skipped and reported.
 */
export function copyManagerLoginsSpec(doc: DynamoDBDocumentClient, hiringTable: string, tasksTable: string): BackfillSpec {
  return {
    name: 'copy-manager-logins',
    tableName: hiringTable,
    filter: {
      expression: 'sk = :manager AND (attribute_not_exists(login) OR login = :empty)',
      values: { ':manager': 'MANAGER', ':empty': '' },
    },
    plan: async (items) => {
      const logins = await readLogins(doc, tasksTable, items.map((i) => String(i.manager_uid ?? String(i.pk).slice('MANAGER#'.length))));
      return items.map((item): UpdateCommandInput | undefined => {
        const uid = String(item.manager_uid ?? String(item.pk).slice('MANAGER#'.length));
        const login = logins.get(uid);
        if (!login) return undefined;
        return {
          TableName: hiringTable,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET login = :login',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(login) OR login = :empty)',
          ExpressionAttributeValues: { ':login': login, ':empty': '' },
        };
      });
    },
  };
}

/**
 * manager-login step 10: remove the `name`/`surname` columns of hiring's managers — only where a
 * login is there to show instead.
 */
export function dropManagerNamesSpec(hiringTable: string): BackfillSpec {
  return {
    name: 'drop-manager-names',
    tableName: hiringTable,
    filter: {
      expression: 'sk = :manager AND (attribute_exists(#name) OR attribute_exists(surname))',
      names: { '#name': 'name' },
      values: { ':manager': 'MANAGER' },
    },
    plan: async (items) =>
      items.map((item): UpdateCommandInput | undefined =>
        typeof item.login === 'string' && item.login !== ''
          ? {
              TableName: hiringTable,
              Key: { pk: item.pk, sk: item.sk },
              UpdateExpression: 'REMOVE #name, surname',
              ConditionExpression: 'attribute_exists(login) AND login <> :empty AND (attribute_exists(#name) OR attribute_exists(surname))',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: { ':empty': '' },
            }
          : undefined,
      ),
  };
}

async function readLogins(doc: DynamoDBDocumentClient, tasksTable: string, managerUids: string[]): Promise<Map<string, string>> {
  const logins = new Map<string, string>();
  const unique = [...new Set(managerUids)];
  for (let i = 0; i < unique.length; i += 100) {
    let keys: Item[] = unique.slice(i, i + 100).map((uid) => ({ pk: `MANAGER#${uid}`, sk: 'MANAGER' }));
    for (let round = 0; keys.length > 0; round += 1) {
      if (round > 8) throw new Error(`BatchGet on ${tasksTable} left ${keys.length} keys unprocessed`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      const result = await doc.send(new BatchGetCommand({ RequestItems: { [tasksTable]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'manager_uid, login' } } }));
      for (const row of result.Responses?.[tasksTable] ?? []) if (typeof row.login === 'string' && row.login !== '') logins.set(String(row.manager_uid), row.login);
      keys = (result.UnprocessedKeys?.[tasksTable]?.Keys ?? []) as Item[];
    }
  }
  return logins;
}

/** A uuid v4-shaped id derived from `seed` (so a rerun writes the same outbox row, not a second event). */
function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex').split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16]!, 16) % 4]!;
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

/**
 * manager-stream step 3 (with the producer on): publish the current state of every manager once, as
 * `ManagerUpdated` of the version the step publishes, through the tasks outbox, so that bonus and
 * hiring know managers that will not change again before get_manager goes away (step 4). The
 * event id derives from the manager, its version and the event version: a rerun at the same steps
 * finds the same outbox row and writes nothing, a rerun that publishes the other event version
 * writes new rows;
 * consumers apply it by last-write-wins (an equal version already stored is a no-op).
 */
export function publishManagersSpec(tasksTable: string, steps: MigrationSteps = FINAL_STEPS): BackfillSpec {
  return {
    name: 'publish-managers',
    tableName: tasksTable,
    filter: { expression: 'sk = :manager', values: { ':manager': 'MANAGER' } },
    plan: async (items) =>
      items.map((item) => {
        const manager = item as unknown as Manager;
        const [event] = managerEvents(manager, steps, new Date());
        if (!event) return undefined;
        // The event version is part of the id: a rerun at another manager-login step (v0 -> v1) is a new event.
        const eventId = stableUuid(`publish-managers:${manager.manager_uid}:${manager.version}:v${event.event_version}`);
        const row = outboxItem({ ...event, event_id: eventId } as typeof event);
        return { put: { TableName: tasksTable, Item: row, ConditionExpression: 'attribute_not_exists(pk)' } };
      }),
  };
}
