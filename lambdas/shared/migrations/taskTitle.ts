/**
 * The two forms of a task's title during the TaskCreated v0 -> v1 migration:
 * v0 carries `"[Knowledge Area] Title"` in one string, v1 `knowledge_area` and `title` apart.
 */
const PREFIXED = /^\s*\[([^\]]*)\]\s*(.*)$/s;

/** True when `title` starts with a bracketed knowledge area. */
export function hasKnowledgeAreaPrefix(title: string): boolean {
  const match = PREFIXED.exec(title);
  return Boolean(match && match[1]!.trim() !== '' && match[2]!.trim() !== '');
}

/**
 * Splits `"[Knowledge Area] Title"` into its parts (only the first bracket: `"[Go] [Hard] X"` ->
 * `Go` + `[Hard] X`). A title without the prefix has no knowledge area (`''`).
 *
 * @example
 * ```ts
 * splitTaskTitle('[Go] FizzBuzz'); // { knowledge_area: 'Go', title: 'FizzBuzz' }
 * splitTaskTitle('FizzBuzz'); // { knowledge_area: '', title: 'FizzBuzz' }
 * ```
 */
export function splitTaskTitle(taskTitle: string): { knowledge_area: string; title: string } {
  if (!hasKnowledgeAreaPrefix(taskTitle)) return { knowledge_area: '', title: taskTitle };
  const match = PREFIXED.exec(taskTitle)!;
  return { knowledge_area: match[1]!.trim(), title: match[2]!.trim() };
}

/**
 * The v0 `task_title`: `"[Knowledge Area] Title"` joined from the parts, or the title as it is when
 * it already carries the prefix or there is no knowledge area (task-created-v1 step 2: a producer that already stores the parts apart must not prefix twice).
 *
 * @example
 * ```ts
 * joinTaskTitle('Go', 'FizzBuzz'); // '[Go] FizzBuzz'
 * joinTaskTitle('', '[Go] FizzBuzz'); // '[Go] FizzBuzz'
 * ```
 */
export function joinTaskTitle(knowledgeArea: string | undefined, title: string): string {
  if (hasKnowledgeAreaPrefix(title) || !knowledgeArea || knowledgeArea.trim() === '') return title;
  return `[${knowledgeArea.trim()}] ${title}`;
}

/** A task's parts whichever form it is stored in (a pre-split row keeps both in `title`). */
export function taskTitleParts(task: { title: string; knowledge_area?: string }): { knowledge_area: string; title: string } {
  if (task.knowledge_area && task.knowledge_area.trim() !== '') return { knowledge_area: task.knowledge_area, title: task.title };
  return splitTaskTitle(task.title);
}
