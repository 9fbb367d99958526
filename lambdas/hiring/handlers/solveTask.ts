import { randomUUID } from 'node:crypto';
import { retryWrite, WriteRaced } from '../../shared/dynamodb/index.js';
import { correlationIdOf, recordItems, requireUuidV4, ConflictError, HttpError, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import { cancellationCodes, writeWithOutbox } from '../../shared/messaging/index.js';
import { buildEvent } from '../../shared/registry/index.js';
import type { AssignmentItem, CandidateItem, SolutionItem, TaskItem } from '../keys.js';
import { assignmentKey, candidateKey, solutionKey, taskKey } from '../keys.js';
import type { AddSolutionBody, HiringContext } from '../types.js';
import { getItem } from '../store.js';

const notAssigned = (taskUid: string, candidateUid: string) =>
  new ConflictError(`task ${taskUid} is not assigned to candidate ${candidateUid}`, 'not_assigned');
const alreadySolved = (taskUid: string, candidateUid: string) =>
  new ConflictError(`candidate ${candidateUid} already solved task ${taskUid}`, 'already_solved');

/**
 * `POST /tasks/{task_uid}/solutions` {candidate_uid} -> 201 {task_uid, candidate_uid, solved_at,
 * task_manager_uid}; 404 for an unknown task or candidate; 409 `not_assigned` / `already_solved`.
 *
 * One transaction: a check that the task copy still has the version read (so the manager named in
 * the event is the task's manager at this moment: a concurrent update_task makes it fail, and the
 * handler re-reads and retries), `solved_at` on the assignment (only if assigned and not solved),
 * the solution, the outbox `TaskSolved` v0 and the idempotency record. Conflicts with concurrent
 * writers of the task (other solutions, update_task) are retried by `retryWrite`; 409
 * `write_conflict` when they outlast its budget.
 */
export function solveTask(ctx: HiringContext): RouteHandler<AddSolutionBody> {
  return async (request) => {
    const taskUid = requireUuidV4('task_uid', request.pathParameters.task_uid);
    const candidateUid = request.body.candidate_uid;
    return retryWrite(async () => {
      // One round trip: a retry under contention costs little.
      const [task, candidate, assignment] = await Promise.all([
        getItem<TaskItem>(ctx.doc, ctx.tableName, taskKey(taskUid)),
        getItem<CandidateItem>(ctx.doc, ctx.tableName, candidateKey(candidateUid)),
        getItem<AssignmentItem>(ctx.doc, ctx.tableName, assignmentKey(candidateUid, taskUid)),
      ]);
      if (!task) throw new HttpError(404, 'not_found', `task ${taskUid} not found`, { field: 'path.task_uid' });
      if (!candidate) throw new HttpError(404, 'not_found', `candidate ${candidateUid} not found`, { field: 'body.candidate_uid' });
      if (!assignment) throw notAssigned(taskUid, candidateUid);
      if (assignment.solved_at !== undefined) throw alreadySolved(taskUid, candidateUid);

      const now = ctx.now();
      const solved_at = now.toISOString();
      const solution: SolutionItem = {
        ...solutionKey(taskUid, candidateUid),
        item_type: 'solution',
        task_uid: taskUid,
        candidate_uid: candidateUid,
        task_manager_uid: task.manager_uid,
        solved_at,
      };
      const response: HttpResponse = {
        status: 201,
        body: { task_uid: taskUid, candidate_uid: candidateUid, solved_at, task_manager_uid: task.manager_uid },
      };
      const event = buildEvent(
        'TaskSolved',
        '0',
        { task_uid: taskUid, task_manager_uid: task.manager_uid, candidate_uid: candidateUid, solved_at },
        { producer: 'hiring', producedAt: now, correlationId: correlationIdOf(request), eventId: randomUUID() },
      );
      try {
        await writeWithOutbox(ctx.doc, ctx.tableName, {
          changes: [
            {
              ConditionCheck: {
                TableName: ctx.tableName,
                Key: taskKey(taskUid),
                ConditionExpression: 'version = :read',
                ExpressionAttributeValues: { ':read': task.version },
              },
            },
            {
              Update: {
                TableName: ctx.tableName,
                Key: assignmentKey(candidateUid, taskUid),
                UpdateExpression: 'SET solved_at = :solved_at',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(solved_at)',
                ExpressionAttributeValues: { ':solved_at': solved_at },
              },
            },
            { Put: { TableName: ctx.tableName, Item: solution, ConditionExpression: 'attribute_not_exists(pk)' } },
            ...recordItems(request.idempotency, response),
          ],
          events: [event],
        });
        return response;
      } catch (error) {
        const [taskCheck, assignmentUpdate, solutionPut] = cancellationCodes(error) ?? [];
        // Solved (or unassigned) meanwhile: the next read answers with the right 409.
        if (assignmentUpdate === 'ConditionalCheckFailed' || solutionPut === 'ConditionalCheckFailed') throw new WriteRaced('the assignment changed while solving', { cause: error });
        // The task changed (another manager?): the next read takes its new version and manager.
        if (taskCheck === 'ConditionalCheckFailed') throw new WriteRaced('the task changed while solving', { cause: error });
        throw error;
      }
    }, { what: `the solution of task ${taskUid} by candidate ${candidateUid}`, logger: request.logger });
  };
}
