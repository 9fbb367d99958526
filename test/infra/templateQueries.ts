/** Small readers of synthesized CloudFormation templates, shared by the infrastructure tests. */

/** Logical ids referenced anywhere inside `value` (Ref / Fn::GetAtt). */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) into.add(String(inner[0]));
      else referencedIds(inner, into);
    }
  }
  return into;
}

/** The actions of an IAM statement as a list. */
export const actionsOf = (statement: { Action: string | string[] }): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
