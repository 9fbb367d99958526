import { linkBehaviour } from '../../shared/migrations/plan.js';
import type { MigrationSteps } from '../../shared/migrations/steps.js';
import { managerDisplayName, type ManagerNameParts } from '../domain/managerDisplayName.js';

const fullName = (m: ManagerNameParts): string | null => {
  const full = [m.name, m.surname].map((p) => p?.trim()).filter((p): p is string => Boolean(p)).join(' ');
  return full === '' ? null : full;
};

/**
 * How hiring shows a manager at `steps` of the login migration (`linkBehaviour(steps).managerDisplay`):
 * "name surname" before step 2; from step 2 "name surname", falling back to the login when they
 * are gone; from step 8 the login only (the final {@link managerDisplayName}: no fallback to the
 * names).
 *
 * @example
 * ```ts
 * managerDisplayFor({ ...FINAL_STEPS, managerLogin: 2 })({ login: 'ada' }); // 'ada'
 * ```
 */
export function managerDisplayFor(steps: MigrationSteps): (manager: ManagerNameParts | undefined) => string | null {
  const mode = linkBehaviour(steps).managerDisplay;
  if (mode === 'login') return managerDisplayName;
  return (manager) => {
    if (!manager) return null;
    const name = fullName(manager);
    if (name || mode === 'name') return name;
    return manager.login?.trim() || null;
  };
}
