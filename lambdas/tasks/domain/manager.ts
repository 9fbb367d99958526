import type { ManagerUpdatedV1Payload } from '../../shared/registry/generated/types.js';
import type { CreateManagerBody, UpdateManagerBody } from '../types.js';
import type { Manager } from '../keys.js';

/**
 * A new manager at version 1.
 *
 * @example
 * ```ts
 * const manager = newManager(randomUUID(), { name: 'Ada', surname: 'Lovelace', login: 'ada', payout_account: 'DE89…' }, new Date());
 * manager.version; // 1
 * ```
 */
export function newManager(managerUid: string, body: CreateManagerBody, now: Date): Manager {
  const at = now.toISOString();
  return {
    manager_uid: managerUid,
    name: body.name,
    surname: body.surname,
    login: body.login,
    payout_account: body.payout_account,
    version: 1,
    created_at: at,
    updated_at: at,
  };
}

/**
 * The manager after `changes`: the given fields replaced, version + 1.
 *
 * @example
 * ```ts
 * changeManager(manager, { login: 'ada.l' }, new Date()).version === manager.version + 1;
 * ```
 */
export function changeManager(manager: Manager, changes: UpdateManagerBody, now: Date): Manager {
  return {
    ...manager,
    ...pick(changes, ['name', 'surname', 'login', 'payout_account']),
    version: manager.version + 1,
    updated_at: now.toISOString(),
  };
}

/**
 * Payload of `ManagerUpdated` v1 for the manager's current state.
 *
 * @example
 * ```ts
 * buildEvent('ManagerUpdated', '1', managerUpdatedPayload(manager), { producer: 'tasks' });
 * ```
 */
export function managerUpdatedPayload(manager: Manager): ManagerUpdatedV1Payload {
  return {
    manager_uid: manager.manager_uid,
    login: manager.login,
    payout_account: manager.payout_account,
    version: manager.version,
  };
}

/** The manager as the API returns it. */
export function managerView(manager: Manager): Manager {
  return pick(manager, ['manager_uid', 'name', 'surname', 'login', 'payout_account', 'version', 'created_at', 'updated_at']) as Manager;
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const result = {} as Pick<T, K>;
  for (const key of keys) if (source[key] !== undefined) result[key] = source[key];
  return result;
}
