import { cancellationCodes } from '../../shared/messaging/index.js';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { retryWrite, WriteRaced } from '../../shared/dynamodb/index.js';
import { recordItems, ConflictError, HttpError, ValidationError, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import type { AssignmentItem } from '../keys.js';
import { assignmentIdKey, assignmentKey, candidateKey } from '../keys.js';
import type { AssignTaskBody, HiringContext } from '../types.js';
import { getItem } from '../store.js';

interface AssignmentIdItem extends AssignTaskBody {
  pk: string;
  sk: string;
  item_type: 'assignment_id';
}

const answer = (a: AssignTaskBody): HttpResponse => ({
  status: 201,
  body: { assignment_id: a.assignment_id, task_uid: a.task_uid, candidate_uid: a.candidate_uid, assigned_at: a.assigned_at },
});

const sameAssignment = (a: AssignTaskBody, b: AssignTaskBody): boolean =>
  a.task_uid === b.task_uid && a.candidate_uid === b.candidate_uid && a.assigned_at === b.assigned_at;

/**
 * `POST /internal/assignments` (assign_task, called by tasks with SigV4) {assignment_id, task_uid,
 * candidate_uid, assigned_at} -> 201 {assignment_id, task_uid, candidate_uid, assigned_at}.
 *
 * Idempotent by `assignment_id` whatever the Idempotency-Key: a marker `ASSIGNMENT_ID#<id>` is
 * written in the same transaction as the assignment, so a second delivery finds it and gets the
 * same 201 with no second effect. 404 (`body.candidate_uid`) for an unknown candidate; 409
 * `already_assigned` when the task is assigned to the candidate under another assignment id;
 * 409 `assignment_id_reused` when the id comes back with other data.
 */
export function assignTask(ctx: HiringContext): RouteHandler<AssignTaskBody> {
  return async (request) => {
    const body = request.body;
    if (Number.isNaN(Date.parse(body.assigned_at))) {
      throw new ValidationError('body.assigned_at', 'assigned_at must be an RFC 3339 date-time');
    }
    const duplicate = async (): Promise<HttpResponse | undefined> => {
      const marker = await getItem<AssignmentIdItem>(ctx.doc, ctx.tableName, assignmentIdKey(body.assignment_id));
      if (!marker) return undefined;
      if (!sameAssignment(marker, body)) {
        throw new ConflictError(`assignment_id ${body.assignment_id} was already used for another assignment`, 'assignment_id_reused');
      }
      return answer(marker);
    };
    return retryWrite(async () => {
      const seen = await duplicate();
      if (seen) return seen;
      const response = answer(body);
      const assignment: AssignmentItem = {
        ...assignmentKey(body.candidate_uid, body.task_uid),
        item_type: 'assignment',
        assignment_id: body.assignment_id,
        candidate_uid: body.candidate_uid,
        task_uid: body.task_uid,
        assigned_at: body.assigned_at,
      };
      const marker: AssignmentIdItem = { ...assignmentIdKey(body.assignment_id), item_type: 'assignment_id', ...pick(body) };
      try {
        await ctx.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { ConditionCheck: { TableName: ctx.tableName, Key: candidateKey(body.candidate_uid), ConditionExpression: 'attribute_exists(pk)' } },
              { Put: { TableName: ctx.tableName, Item: marker, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: ctx.tableName, Item: assignment, ConditionExpression: 'attribute_not_exists(pk)' } },
              ...recordItems(request.idempotency, response),
            ],
          }),
        );
        return response;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        const [candidateCheck, markerPut, assignmentPut] = codes;
        if (candidateCheck === 'ConditionalCheckFailed') {
          throw new HttpError(404, 'not_found', `candidate ${body.candidate_uid} not found`, { field: 'body.candidate_uid' });
        }
        // A concurrent delivery of the same assignment won: the next round answers with its result.
        if (markerPut === 'ConditionalCheckFailed') throw new WriteRaced('a concurrent delivery of the assignment won', { cause: error });
        if (assignmentPut === 'ConditionalCheckFailed') {
          throw new ConflictError(`task ${body.task_uid} is already assigned to candidate ${body.candidate_uid}`, 'already_assigned');
        }
        throw error;
      }
    }, { what: `assignment ${body.assignment_id}`, logger: request.logger });
  };
}

function pick(body: AssignTaskBody): AssignTaskBody {
  return { assignment_id: body.assignment_id, task_uid: body.task_uid, candidate_uid: body.candidate_uid, assigned_at: body.assigned_at };
}
