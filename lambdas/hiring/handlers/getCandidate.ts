import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { requireUuidV4, NotFoundError, type RouteHandler } from '../../shared/http/index.js';
import { candidateView } from '../domain/candidateView.js';
import { managerDisplayFor } from '../migrations/managerDisplay.js';
import type { AssignmentItem, CandidateItem, ManagerItem, TaskItem } from '../keys.js';
import { ASSIGNMENT_SK_PREFIX, CANDIDATE_PREFIX, managerKey, taskKey } from '../keys.js';
import type { HiringContext } from '../types.js';
import { getItems } from '../store.js';

/**
 * `GET /candidates/{candidate_uid}` -> 200 {candidate_uid, name, surname, tasks: [...]} / 404.
 * One query reads the profile and the assignments; the task and manager copies are batch-read.
 */
export function getCandidate(ctx: HiringContext): RouteHandler {
  return async (request) => {
    const candidateUid = requireUuidV4('candidate_uid', request.pathParameters.candidate_uid);
    let candidate: CandidateItem | undefined;
    const assignments: AssignmentItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${CANDIDATE_PREFIX}${candidateUid}` },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.sk === 'PROFILE') candidate = item as CandidateItem;
        else if (typeof item.sk === 'string' && item.sk.startsWith(ASSIGNMENT_SK_PREFIX)) assignments.push(item as AssignmentItem);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    if (!candidate) throw new NotFoundError(`candidate ${candidateUid} not found`);

    const tasks = await getItems<TaskItem>(ctx.doc, ctx.tableName, assignments.map((a) => taskKey(a.task_uid)));
    const managers = await getItems<ManagerItem>(ctx.doc, ctx.tableName, tasks.map((t) => managerKey(t.manager_uid)));
    return {
      status: 200,
      body: candidateView(
        candidate,
        assignments,
        new Map(tasks.map((t) => [t.task_uid, t])),
        new Map(managers.map((m) => [m.manager_uid, m])),
        managerDisplayFor(ctx.steps),
      ),
    };
  };
}
