/** What MIGRATIONS.md says about one link: its one-line summary and each step's "what changes". */
export interface LinkNotes {
  readonly summary: string;
  readonly steps: ReadonlyMap<number, string>;
}

/** The cells of a Markdown table row; a `|` inside a code span does not split. */
function cells(row: string): string[] {
  const out: string[] = [];
  let current = '';
  let inCode = false;
  for (const char of row.trim().replace(/^\|/, '').replace(/\|$/, '')) {
    if (char === '`') inCode = !inCode;
    if (char === '|' && !inCode) {
      out.push(current.trim());
      current = '';
    } else current += char;
  }
  out.push(current.trim());
  return out;
}

/**
 * The per-link notes of MIGRATIONS.md, by context key (`migration.task-created-v1`): the summary from
 * the table of links at the top, and the "what changes" column of each link's step table (the
 * section `## N. \`migration.<link>\` ...`). The page shows them beside the steps the plan computes.
 */
export function readMigrationNotes(markdown: string): Map<string, LinkNotes> {
  const notes = new Map<string, { summary: string; steps: Map<number, string> }>();
  const noteOf = (key: string) => notes.get(key) ?? notes.set(key, { summary: '', steps: new Map() }).get(key)!;
  let section: string | undefined;
  let whatChanges = -1;
  for (const line of markdown.split('\n')) {
    const heading = /^##\s+(?:\d+\.\s+)?`(migration\.[\w-]+)`/.exec(line);
    if (heading) {
      section = heading[1];
      whatChanges = -1;
      continue;
    }
    if (/^#{1,2}\s/.test(line)) section = undefined;
    if (!line.startsWith('|')) continue;
    const row = cells(line);
    if (section === undefined) {
      // The table of links: | `migration.<link>` | 0..N | summary |
      const key = /^`(migration\.[\w-]+)`$/.exec(row[0] ?? '')?.[1];
      if (key && row[2]) noteOf(key).summary = row[2];
      continue;
    }
    if (row[0] === 'step') whatChanges = row.indexOf('what changes');
    else if (/^\d+$/.test(row[0] ?? '') && whatChanges > 0) noteOf(section).steps.set(Number(row[0]), row[whatChanges] ?? '');
  }
  return notes;
}
