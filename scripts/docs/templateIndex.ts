/**
 * Read-only index over the synthesized CloudFormation templates of the app: resources by type and
 * the resource a `Ref`, `Fn::GetAtt` or `Fn::ImportValue` points at. The catalog reads every name
 * it prints from here, so a change of physical names in lib/ shows up in the docs without an edit.
 *
 * (The offline runtime's `local/assembly.ts` resolves intrinsics to *local* values from an assembly
 * on disk; the catalog needs the opposite: the template's own identifiers, from an in-memory synth.)
 */

/** One stack's template as `app.synth()` gives it. */
export interface StackTemplate {
  readonly name: string;
  readonly template: { Resources?: Record<string, RawResource>; Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }> };
}

interface RawResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** A resource of the app. `path` is its construct path below the stack (`BonusFromHiring/Queue`). */
export interface TemplateResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly path: string;
}

/** How a resource is named in the docs: its construct path, logical id, and physical name when the template sets one. */
export interface ResourceName {
  readonly path: string;
  readonly logicalId: string;
  readonly stack: string;
  /** The physical name the template gives it; absent when CloudFormation generates one at deploy time. */
  readonly name?: string;
}

export class TemplateIndex {
  private readonly byKey = new Map<string, TemplateResource>();
  private readonly exports = new Map<string, { stack: string; value: unknown }>();

  constructor(readonly stacks: readonly StackTemplate[]) {
    for (const stack of stacks) {
      for (const [logicalId, raw] of Object.entries(stack.template.Resources ?? {})) {
        const cdkPath = typeof raw.Metadata?.['aws:cdk:path'] === 'string' ? raw.Metadata['aws:cdk:path'] : `${stack.name}/${logicalId}`;
        const path = cdkPath.replace(`${stack.name}/`, '').replace(/\/(Resource|Default)$/, '');
        this.byKey.set(`${stack.name}/${logicalId}`, { stack: stack.name, logicalId, type: raw.Type, properties: raw.Properties ?? {}, path });
      }
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (typeof output.Export?.Name === 'string') this.exports.set(output.Export.Name, { stack: stack.name, value: output.Value });
      }
    }
  }

  /** Every resource of `type`, in template order. */
  ofType(type: string): TemplateResource[] {
    return [...this.byKey.values()].filter((r) => r.type === type);
  }

  /** The resource `value` (a `Ref`, `Fn::GetAtt` or `Fn::ImportValue` of one) points at, seen from `stack`. */
  target(stack: string, value: unknown): TemplateResource | undefined {
    if (!value || typeof value !== 'object') return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return this.byKey.get(`${stack}/${v.Ref}`);
    if (Array.isArray(v['Fn::GetAtt'])) return this.byKey.get(`${stack}/${String(v['Fn::GetAtt'][0])}`);
    if (typeof v['Fn::ImportValue'] === 'string') {
      const exported = this.exports.get(v['Fn::ImportValue']);
      return exported ? this.target(exported.stack, exported.value) : undefined;
    }
    return undefined;
  }

  /** Every resource referenced anywhere inside `value` (e.g. a `Fn::Join` of ARN parts). */
  targetsIn(stack: string, value: unknown): TemplateResource[] {
    const direct = this.target(stack, value);
    if (direct) return [direct];
    if (Array.isArray(value)) return value.flatMap((v) => this.targetsIn(stack, v));
    if (value && typeof value === 'object') return Object.values(value).flatMap((v) => this.targetsIn(stack, v));
    return [];
  }

  /** A literal string property, or a `Ref`/`Fn::ImportValue` of a resource that names itself with `nameProperty`. */
  literal(stack: string, value: unknown, nameProperty?: string): string | undefined {
    if (typeof value === 'string') return value;
    const target = this.target(stack, value);
    const name = target && nameProperty ? target.properties[nameProperty] : undefined;
    return typeof name === 'string' ? name : undefined;
  }

  /** How `resource` is named; `nameProperty` is the property that sets its physical name (`QueueName`). */
  nameOf(resource: TemplateResource, nameProperty?: string): ResourceName {
    const name = nameProperty ? resource.properties[nameProperty] : undefined;
    return { path: resource.path, logicalId: resource.logicalId, stack: resource.stack, ...(typeof name === 'string' ? { name } : {}) };
  }

  /** The service a Lambda function belongs to (`POWERTOOLS_SERVICE_NAME`, set by `ServiceFunction`). */
  serviceOf(fn: TemplateResource): string {
    const env = (fn.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const service = env.POWERTOOLS_SERVICE_NAME;
    if (typeof service !== 'string') throw new Error(`${fn.stack}/${fn.logicalId}: a function without POWERTOOLS_SERVICE_NAME: cannot tell its service`);
    return service;
  }

  /** The functions whose execution role is `role`. */
  functionsWithRole(role: TemplateResource): TemplateResource[] {
    return this.ofType('AWS::Lambda::Function').filter((fn) => this.target(fn.stack, fn.properties.Role) === role);
  }

  /** Statements of the IAM policies attached to `role`. */
  statementsOf(role: TemplateResource): Array<{ Action: string | string[]; Resource: unknown }> {
    return this.ofType('AWS::IAM::Policy')
      .filter((policy) => (policy.properties.Roles as unknown[] | undefined)?.some((r) => this.target(policy.stack, r) === role))
      .flatMap((policy) => (policy.properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement);
  }
}

/** The actions of a policy statement as a list. */
export const actionsOf = (statement: { Action: string | string[] }): string[] => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
