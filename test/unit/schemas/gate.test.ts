import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkGenerated, generateAll } from '../../../scripts/schema-gate/checkGenerated.js';
import { findNonDraft04 } from '../../../scripts/schema-gate/checkKeywords.js';
import { schemaToType } from '../../../scripts/schema-gate/generateTypes.js';
import { loadSchemas } from '../../../scripts/schema-gate/loadSchemas.js';
import { formatReport, runGate } from '../../../scripts/schema-gate/runGate.js';
import type { GateIssue } from '../../../scripts/schema-gate/types.js';
import type { LooseJsonObject } from '../../../local/looseJson.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const realSchemas = join(root, 'schemas');
const realGenerated = join(root, 'lambdas', 'shared', 'registry', 'generated');

let dir: string;
let schemasDir: string;
let generatedDir: string;

function readJson(rel: string): LooseJsonObject {
  return JSON.parse(readFileSync(join(schemasDir, rel), 'utf8')) as LooseJsonObject;
}
function writeJson(rel: string, value: unknown): void {
  writeFileSync(join(schemasDir, rel), `${JSON.stringify(value, null, 2)}\n`);
}
function messages(issues: readonly GateIssue[]): string[] {
  return issues.map((i) => `[${i.check}] ${i.subject}: ${i.message}`);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'schema-gate-'));
  schemasDir = join(dir, 'schemas');
  generatedDir = join(dir, 'generated');
  cpSync(realSchemas, schemasDir, { recursive: true });
  cpSync(realGenerated, generatedDir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('schema gate', () => {
  it('passes on the repository as committed', async () => {
    const report = await runGate({ schemasDir: realSchemas, generatedDir: realGenerated });
    expect(messages(report.issues)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checked).toHaveLength(9);
  });

  it('fails when a locked (published) schema changes', async () => {
    const s = readJson('TaskSolved/0.json');
    s.description = 'edited after publication';
    writeJson('TaskSolved/0.json', s);
    const report = await runGate({ schemasDir, generatedDir });
    expect(report.ok).toBe(false);
    const lock = report.issues.filter((i) => i.check === 'lock');
    expect(lock).toHaveLength(1);
    expect(lock[0]!.subject).toBe('TaskSolved/0');
    expect(lock[0]!.message).toContain('published schemas never change: add a new version');
    expect(formatReport(report)).toContain('FAILED');
  });

  it('fails on a new unlocked schema with the --update-lock hint, and --update-lock adds only new entries', async () => {
    const v1 = readJson('TaskSolved/0.json');
    v1.title = 'TaskSolved.v1';
    v1.properties.event_version.enum = ['1'];
    v1.properties.payload.properties.note = { type: 'string', maxLength: 10, description: 'optional note' };
    writeJson('TaskSolved/1.json', v1);
    const before = await runGate({ schemasDir });
    expect(messages(before.issues)).toEqual([
      '[lock] TaskSolved/1: new schema is not in schemas/schemas.lock.json: run `npm run schemas:check -- --update-lock` to publish it',
    ]);

    // a changed published file next to it: --update-lock must not bless it, nor anything else
    const original = readFileSync(join(schemasDir, 'NewCandidate/0.json'), 'utf8');
    const changed = readJson('NewCandidate/0.json');
    changed.description = 'changed';
    writeJson('NewCandidate/0.json', changed);
    const lockText = readFileSync(join(schemasDir, 'schemas.lock.json'), 'utf8');
    const refused = await runGate({ schemasDir, updateLock: true });
    expect(refused.addedToLock).toEqual([]);
    expect(messages(refused.issues).join('\n')).toContain('NewCandidate/0: content changed');
    expect(readFileSync(join(schemasDir, 'schemas.lock.json'), 'utf8')).toBe(lockText);

    writeFileSync(join(schemasDir, 'NewCandidate/0.json'), original);
    const lockBefore = JSON.parse(lockText) as Record<string, string>;
    const updated = await runGate({ schemasDir, updateLock: true });
    expect(updated.ok).toBe(true);
    expect(updated.addedToLock).toEqual(['TaskSolved/1']);
    const lockAfter = JSON.parse(readFileSync(join(schemasDir, 'schemas.lock.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(lockAfter)).toHaveLength(Object.keys(lockBefore).length + 1);
    for (const [k, v] of Object.entries(lockBefore)) expect(lockAfter[k]).toBe(v);
    expect((await runGate({ schemasDir })).ok).toBe(true);

    // the new version only adds an optional field: v1 reads v0, v0 does not read v1
    const compat = updated.compatibility.find((c) => c.name === 'TaskSolved');
    expect(compat).toMatchObject({ from: '0', to: '1', backward: true, forward: false });
  });

  it.each([
    ['const', { type: 'string', const: 'x' }],
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable.
    ['if/then', { type: 'string', if: { minLength: 1 }, then: { maxLength: 3 } }],
    ['examples', { type: 'string', examples: ['a'] }],
    ['$comment', { type: 'string', $comment: 'hi' }],
    ['exclusiveMinimum', { type: 'integer', exclusiveMinimum: 0 }],
    ['format uuid', { type: 'string', format: 'uuid' }],
    ['boolean schema', true],
  ])('fails on a keyword draft-04 does not know: %s', async (_label, fieldSchema) => {
    const s = readJson('TaskAssigned/0.json');
    s.properties.payload.properties.task_uid = fieldSchema;
    writeJson('TaskAssigned/0.json', s);
    const report = await runGate({ schemasDir, updateLock: false });
    const keywordIssues = report.issues.filter((i) => i.check === 'keywords');
    expect(keywordIssues.length).toBeGreaterThan(0);
    expect(keywordIssues[0]!.subject).toBe('TaskAssigned/0');
    expect(keywordIssues[0]!.message).toContain('#/properties/payload/properties/task_uid');
    expect(report.ok).toBe(false);
  });

  it('fails when a file pins the wrong version, name or title', async () => {
    const s = readJson('ManagerUpdated/1.json');
    s.properties.event_version.enum = ['0'];
    s.properties.event_name.enum = ['ManagerChanged'];
    s.title = 'ManagerUpdated.v0';
    writeJson('ManagerUpdated/1.json', s);
    const report = await runGate({ schemasDir });
    const pinning = messages(report.issues.filter((i) => i.check === 'pinning'));
    expect(pinning).toEqual([
      '[pinning] ManagerUpdated/1: title must be "ManagerUpdated.v1", found "ManagerUpdated.v0"',
      '[pinning] ManagerUpdated/1: properties.event_name.enum must be ["ManagerUpdated"] (the folder name), found ["ManagerChanged"]',
      '[pinning] ManagerUpdated/1: properties.event_version.enum must be ["1"] (the file name), found ["0"]',
    ]);
  });

  it('fails when the envelope loses additionalProperties: false or a required field', async () => {
    const s = readJson('TaskCreated/1.json');
    delete s.properties.payload.additionalProperties;
    s.required = s.required.filter((r: string) => r !== 'producer');
    writeJson('TaskCreated/1.json', s);
    const report = await runGate({ schemasDir });
    const pinning = messages(report.issues.filter((i) => i.check === 'pinning')).join('\n');
    expect(pinning).toContain('properties.payload must be an object schema with additionalProperties: false');
    expect(pinning).toContain('required must be');
  });

  it('fails on a gap in versions, but a retired (locked, removed) version still counts', async () => {
    const v2 = readJson('TaskCreated/1.json');
    v2.title = 'TaskCreated.v3';
    v2.properties.event_version.enum = ['3'];
    writeJson('TaskCreated/3.json', v2);
    const gap = await runGate({ schemasDir, updateLock: true });
    expect(messages(gap.issues)).toEqual([
      '[pinning] TaskCreated: versions must be contiguous from 0; found 0, 1, 3, missing 2',
      '[lock] schemas.lock.json: not updated (TaskCreated/3): fix the problems above first',
    ]);
    expect(gap.addedToLock).toEqual([]);
    expect(readFileSync(join(schemasDir, 'schemas.lock.json'), 'utf8')).toBe(readFileSync(join(realSchemas, 'schemas.lock.json'), 'utf8'));

    // retiring v0 after the migration: v1 alone is fine because v0 stays in the lock
    unlinkSync(join(schemasDir, 'TaskCreated', '3.json'));
    unlinkSync(join(schemasDir, 'TaskCreated', '0.json'));
    const retired = await runGate({ schemasDir });
    expect(retired.retired).toEqual(['TaskCreated/0']);
    expect(retired.issues).toEqual([]);
    expect(formatReport(retired)).toContain('retired (locked, file removed): TaskCreated/0');

    // and the number 0 can never be reused: a new 0.json differs from the locked hash
    const reused = readJson('TaskCreated/1.json');
    reused.title = 'TaskCreated.v0';
    reused.properties.event_version.enum = ['0'];
    writeJson('TaskCreated/0.json', reused);
    const reuse = await runGate({ schemasDir });
    expect(messages(reuse.issues).join('\n')).toContain('[lock] TaskCreated/0: content changed');
  });

  it('fails when a schema does not compile', async () => {
    const s = readJson('TaskUpdated/0.json');
    s.properties.payload.properties.title.minLength = 'one';
    writeJson('TaskUpdated/0.json', s);
    const report = await runGate({ schemasDir });
    expect(report.issues.some((i) => i.check === 'compile' && i.subject === 'TaskUpdated/0')).toBe(true);
  });

  it('fails with "run npm run schemas:build" when generated files are stale or missing', async () => {
    writeFileSync(join(generatedDir, 'types.ts'), `${readFileSync(join(generatedDir, 'types.ts'), 'utf8')}// hand edit\n`);
    unlinkSync(join(generatedDir, 'validators.d.ts'));
    const report = await runGate({ schemasDir, generatedDir });
    expect(messages(report.issues)).toEqual([
      '[generated] generated/validators.d.ts: missing: run npm run schemas:build',
      '[generated] generated/types.ts: out of date with the schemas: run npm run schemas:build',
    ]);
  });

  it('detects a schema change that the generated files have not caught up with', () => {
    const s = readJson('TaskSolved/0.json');
    s.properties.payload.properties.solved_at.description = 'changed';
    writeJson('TaskSolved/0.json', s);
    const issues = checkGenerated(loadSchemas(schemasDir).schemas, generatedDir);
    expect(issues.map((i) => i.subject).sort()).toEqual(['generated/types.ts', 'generated/validators.js']);
  });

  it('reports bad files in the layout', async () => {
    mkdirSync(join(schemasDir, 'Broken'));
    writeFileSync(join(schemasDir, 'Broken', '0.json'), '{ nope');
    writeFileSync(join(schemasDir, 'TaskSolved', 'v1.json'), '{}');
    const report = await runGate({ schemasDir });
    const layout = messages(report.issues.filter((i) => i.check === 'layout')).join('\n');
    expect(layout).toContain('Broken/0: not valid JSON');
    expect(layout).toContain('TaskSolved/v1.json: expected only <version>.json files');
  });

  it('reports the compatibility of the real version pairs', async () => {
    const report = await runGate({ schemasDir: realSchemas });
    const byName = Object.fromEntries(report.compatibility.map((c) => [c.name, c]));
    expect(byName.ManagerUpdated).toMatchObject({ from: '0', to: '1', backward: false, forward: false });
    expect(byName.TaskCreated).toMatchObject({ from: '0', to: '1', backward: false, forward: false });
    expect(formatReport(report)).toContain('ManagerUpdated v0 -> v1: backward NO');
  });
});

describe('keyword whitelist', () => {
  it('accepts the draft-04 subset and walks into nested schemas', () => {
    expect(findNonDraft04({ type: 'object', properties: { a: { type: 'array', items: { type: 'string', minLength: 1 } } } })).toEqual([]);
    expect(findNonDraft04({ type: 'object', properties: { a: { type: 'array', items: { contains: {} } } } })).toEqual([
      '#/properties/a/items/contains: keyword "contains" is not draft-04',
    ]);
    expect(findNonDraft04({ anyOf: [{ type: 'string' }, { propertyNames: {} }] })).toEqual([
      '#/anyOf/1/propertyNames: keyword "propertyNames" is not draft-04',
    ]);
    expect(findNonDraft04({ $ref: 'http://example.com/x.json' })[0]).toContain('only local');
  });
});

describe('generators', () => {
  it('are deterministic', () => {
    const { schemas } = loadSchemas(realSchemas);
    expect(generateAll(schemas)).toEqual(generateAll(loadSchemas(realSchemas).schemas));
  });

  it('generated validators import no CommonJS require and compile nothing at run time', () => {
    const js = readFileSync(join(realGenerated, 'validators.js'), 'utf8');
    expect(js.startsWith('// GENERATED')).toBe(true);
    expect(js).not.toMatch(/require\(/);
    expect(js).not.toMatch(/new Ajv/);
  });

  it('type generator maps the subset and refuses keywords it cannot type', () => {
    expect(
      schemaToType(
        { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' }, c: { enum: ['x', 'y'] } }, required: ['a'], additionalProperties: false },
        '#',
      ),
    ).toBe('{\n  a: string;\n  b?: number;\n  c?: "x" | "y";\n}');
    expect(schemaToType({ type: 'object' }, '#')).toBe('{\n  [key: string]: unknown;\n}');
    expect(() => schemaToType({ oneOf: [{ type: 'string' }] }, '#/x')).toThrow('#/x: the type generator does not support keyword "oneOf"');
  });
});
