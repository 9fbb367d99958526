import type { ConsumerContext, ConsumerHandlers, Effect } from '../../shared/messaging/index.js';
import type { EventOf } from '../../shared/registry/index.js';
import { linkBehaviour } from '../../shared/migrations/plan.js';
import type { MigrationSteps } from '../../shared/migrations/steps.js';

/**
 * The tasks consumer's handlers at `steps`, from its final handlers (`consumers/`).
 * TaskUpdateRequested at the steps of task-update-request: no subscription before step 2; at
 * steps 2..3 the consumer only observes (the legacy update_task call records the request); from
 * step 4 it records it, deduplicated by `request_id` against requests that came through the call.
 */
export function tasksHandlersAt(final: ConsumerHandlers, { steps }: { steps: MigrationSteps }): ConsumerHandlers {
  const { TaskUpdateRequested, ...handlers } = final;
  const link = linkBehaviour(steps);
  if (!link.tasksConsumesUpdateRequested) return handlers;
  if (link.tasksAppliesUpdateRequested) return { ...handlers, ...(TaskUpdateRequested ? { TaskUpdateRequested } : {}) };
  const observe = async (event: EventOf<'TaskUpdateRequested', '0'>, ctx: ConsumerContext): Promise<Effect> => {
    ctx.logger.info('update request observed (recorded through the update_task call at this step)', { request_id: event.payload.request_id, task_uid: event.payload.task_uid });
    return [];
  };
  return { ...handlers, TaskUpdateRequested: { '0': observe } };
}
