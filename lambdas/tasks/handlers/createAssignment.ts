import { pendingCallPut } from '../../shared/calls/index.js';
import { ConflictError, HttpError, NotFoundError, recordItems, type HttpRequest, type HttpResponse, type RouteHandler } from '../../shared/http/index.js';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { retryWrite } from '../../shared/dynamodb/index.js';
import type { TasksApiContext } from '../types.js';
import { assignmentView, newAssignment } from '../domain/assignment.js';
import { assignTaskCall } from '../domain/hiringCalls.js';
import { linkBehaviour } from '../../shared/migrations/plan.js';
import { writeWithOutbox } from '../../shared/messaging/index.js';
import { taskAssignedEvent } from '../migrations/producers.js';
import { assignmentItem, failedConditionIndex, putNew } from '../store.js';
import type { CreateAssignmentBody } from '../types.js';

/**
 * `POST /tasks/{task_uid}/assignments` -> 201 `{assignment_id, task_uid, candidate_uid}`.
 * 404 for an unknown task, 404 (field `body.candidate_uid`) for a candidate tasks has not learnt
 * from `NewCandidate` yet, 409 `already_assigned` when the task is already assigned to the
 * candidate (a retry with the same `Idempotency-Key` replays the first answer instead).
 * The assignment, the pending assign_task call to hiring and the idempotency record commit
 * together; then the call is tried at once (its `Idempotency-Key` is the call id).
 */
export function createAssignment(ctx: TasksApiContext): RouteHandler<CreateAssignmentBody> {
  return async ({ pathParameters, body, idempotency, logger }: HttpRequest<CreateAssignmentBody>): Promise<HttpResponse> => {
    const taskUid = pathParameters.task_uid!;
    const candidateUid = body.candidate_uid;
    const [task, candidate] = await Promise.all([ctx.store.getTask(taskUid), ctx.store.getCandidate(candidateUid)]);
    if (!task) throw new NotFoundError(`task ${taskUid} not found`);
    if (!candidate) {
      throw new HttpError(404, 'not_found', `candidate ${candidateUid} is not known to tasks (yet)`, { field: 'body.candidate_uid' });
    }
    const assignment = newAssignment(ctx.newId(), taskUid, candidateUid, ctx.now());
    // task-assigned: a TaskAssigned event until step 2, the assign_task call from then on.
    const call = linkBehaviour(ctx.steps).tasksCallsAssignTask ? assignTaskCall(ctx.newId(), assignment) : undefined;
    const response: HttpResponse = { status: 201, body: assignmentView(assignment) };
    try {
      const changes = [
        putNew(ctx.tableName, assignmentItem(assignment)),
        ...(call ? [pendingCallPut(ctx.tableName, call, ctx.now())] : []),
        ...recordItems(idempotency, response),
      ];
      const write = async () => {
        if (call) await ctx.doc.send(new TransactWriteCommand({ TransactItems: changes }));
        else await writeWithOutbox(ctx.doc, ctx.tableName, { changes, events: [taskAssignedEvent(assignment, ctx.now())] });
      };
      await retryWrite(write, { what: `the assignment of task ${taskUid} to candidate ${candidateUid}`, logger });
    } catch (error) {
      if (failedConditionIndex(error) === 0) {
        throw new ConflictError(`task ${taskUid} is already assigned to candidate ${candidateUid}`, 'already_assigned');
      }
      throw error;
    }
    if (call) await ctx.callHiring(call);
    return response;
  };
}
