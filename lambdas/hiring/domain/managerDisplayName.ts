/** The parts of a manager copy the display name is made of. */
export interface ManagerNameParts {
  login?: string | null;
  name?: string | null;
  surname?: string | null;
}

/**
 * How hiring shows a task manager: the login, falling back to "name surname" for managers copied
 * before the login migration (ManagerUpdated v0). `null` when neither is known.
 *
 * @example
 * ```ts
 * managerDisplayName({ login: 'ada.lovelace' }); // 'ada.lovelace'
 * managerDisplayName({ name: 'Ada', surname: 'Lovelace' }); // 'Ada Lovelace'
 * managerDisplayName({}); // null
 * ```
 */
export function managerDisplayName(manager: ManagerNameParts | undefined): string | null {
  if (!manager) return null;
  const login = manager.login?.trim();
  if (login) return login;
  const full = [manager.name, manager.surname]
    .map((part) => part?.trim())
    .filter((part): part is string => Boolean(part))
    .join(' ');
  return full === '' ? null : full;
}
