/** The parts of a manager copy the display name is made of. */
export interface ManagerNameParts {
  login?: string | null;
  name?: string | null;
  surname?: string | null;
}

/**
 * How hiring shows a task manager once the login migration is done (manager-login step 8 on): its
 * login, and only its login; `null` when hiring has none (a manager tasks did not know at the
 * step-7 copy). Name and surname are never shown any more (they are dropped at step 10).
 *
 * @example
 * ```ts
 * managerDisplayName({ login: 'ada.lovelace', name: 'Ada' }); // 'ada.lovelace'
 * managerDisplayName({ name: 'Ada', surname: 'Lovelace' }); // null
 * ```
 */
export function managerDisplayName(manager: ManagerNameParts | undefined): string | null {
  return manager?.login?.trim() || null;
}
