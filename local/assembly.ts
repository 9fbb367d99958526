/**
 * Cloud assembly loader: reads `cdk.out/manifest.json`, every stack template (also inside nested
 * cloud assemblies such as CDK Stages), and resolves CloudFormation intrinsics to local values.
 *
 * Local identity: account {@link LOCAL_ACCOUNT}, region {@link LOCAL_REGION}. Physical names are
 * deterministic (`<stack>-<logicalId>` unless the template names the resource) so a restart or a
 * reload finds the same tables and queues again.
 *
 * @example
 * const assembly = CloudAssembly.load('cdk.out');
 * const resolver = new Resolver(assembly);
 * for (const queue of assembly.resources('AWS::SQS::Queue')) console.log(resolver.ref(queue));
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import type { LooseJsonObject } from './looseJson.js';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_PARTITION = 'aws';
export const LOCAL_URL_SUFFIX = 'amazonaws.com';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown }; Condition?: string }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Parameters?: Record<string, { Type: string; Default?: unknown }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface LoadedStack {
  /** The CloudFormation stack name. */
  readonly name: string;
  /** Folder of the (possibly nested) cloud assembly holding the template; asset paths are relative to it. */
  readonly assemblyDir: string;
  readonly templateFile: string;
  readonly template: CfnTemplate;
}

/** One resource of one stack. `key` is `<stack>/<logicalId>`, unique across the assembly. */
export interface ResourceRef {
  readonly key: string;
  readonly stack: LoadedStack;
  readonly logicalId: string;
  readonly type: string;
  readonly resource: CfnResource;
}

export class AssemblyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyError';
  }
}

interface ManifestArtifact {
  type: string;
  displayName?: string;
  properties?: { templateFile?: string; stackName?: string; directoryName?: string };
}

export class CloudAssembly {
  readonly stacks: LoadedStack[] = [];
  private readonly byKey = new Map<string, ResourceRef>();

  private constructor(readonly dir: string) {}

  /** Reads the manifest of `dir` (and nested assemblies) and every stack template. */
  static load(dir: string): CloudAssembly {
    const root = resolvePath(dir);
    const assembly = new CloudAssembly(root);
    assembly.readManifest(root);
    markCommonJs(root);
    for (const stack of assembly.stacks) {
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
        const key = `${stack.name}/${logicalId}`;
        assembly.byKey.set(key, { key, stack, logicalId, type: resource.Type, resource });
      }
    }
    return assembly;
  }

  private readManifest(dir: string): void {
    const manifestFile = join(dir, 'manifest.json');
    if (!existsSync(manifestFile)) throw new AssemblyError(`No cloud assembly at ${dir}: manifest.json is missing (run \`cdk synth\` first)`);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
    for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
      if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
        const templateFile = join(dir, artifact.properties.templateFile);
        const template = JSON.parse(readFileSync(templateFile, 'utf8')) as CfnTemplate;
        const name = artifact.properties.stackName ?? id;
        if (this.stacks.some((s) => s.name === name)) throw new AssemblyError(`Stack ${name} appears twice in ${dir}`);
        this.stacks.push({ name, assemblyDir: dir, templateFile, template });
      } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
        this.readManifest(join(dir, artifact.properties.directoryName));
      }
    }
  }

  /** All resources (of the given types, when given) whose Condition holds. */
  resources(types?: string | readonly string[]): ResourceRef[] {
    const wanted = types === undefined ? undefined : new Set(typeof types === 'string' ? [types] : types);
    const out: ResourceRef[] = [];
    for (const ref of this.byKey.values()) {
      if (wanted && !wanted.has(ref.type)) continue;
      if (ref.resource.Condition && !evaluateCondition(this, ref.stack, ref.resource.Condition, ref.key)) continue;
      out.push(ref);
    }
    return out;
  }

  /**
   * A resource by `<stack>/<logicalId>`, by logical id, or by construct id (a CDK logical id without its
   * 8-character hash, e.g. `Outbox` for `Outbox1234ABCD`, or a construct path `Stack/Outbox`) when that is unambiguous.
   */
  find(id: string): ResourceRef | undefined {
    const direct = this.byKey.get(id);
    if (direct) return direct;
    const all = [...this.byKey.values()];
    const pick = (matches: ResourceRef[]) => {
      if (matches.length > 1) throw new AssemblyError(`${id} matches several resources (${matches.map((r) => r.key).join(', ')}): use <stack>/<logicalId>`);
      return matches[0];
    };
    return (
      pick(all.filter((r) => r.logicalId === id)) ??
      pick(all.filter((r) => constructId(r.logicalId) === id || `${r.stack.name}/${constructId(r.logicalId)}` === id)) ??
      pick(all.filter((r) => r.resource.Metadata?.['aws:cdk:path'] === `${id}/Resource`))
    );
  }

  get(stack: LoadedStack | string, logicalId: string): ResourceRef | undefined {
    return this.byKey.get(`${typeof stack === 'string' ? stack : stack.name}/${logicalId}`);
  }

  stack(name: string): LoadedStack | undefined {
    return this.stacks.find((s) => s.name === name);
  }

  /**
   * Absolute folder of a Lambda function's bundled code: `Metadata['aws:asset:path']` (written by the CDK
   * CLI), else the file asset of `<stack>.assets.json` whose object key is the function's `Code.S3Key`.
   */
  assetPath(ref: ResourceRef): string | undefined {
    const path = ref.resource.Metadata?.['aws:asset:path'];
    if (typeof path === 'string') return resolvePath(ref.stack.assemblyDir, path);
    const key = (ref.resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
    if (typeof key !== 'string') return undefined;
    for (const file of this.assetManifests(ref.stack)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
        files?: Record<string, { source?: { path?: string }; destinations?: Record<string, { objectKey?: string }> }>;
      };
      for (const asset of Object.values(manifest.files ?? {})) {
        if (asset.source?.path && Object.values(asset.destinations ?? {}).some((d) => d.objectKey === key)) {
          return resolvePath(ref.stack.assemblyDir, asset.source.path);
        }
      }
    }
    return undefined;
  }

  private assetManifests(stack: LoadedStack): string[] {
    const manifest = JSON.parse(readFileSync(join(stack.assemblyDir, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, ManifestArtifact & { properties?: { file?: string } }> };
    return Object.values(manifest.artifacts ?? {})
      .filter((a) => a.type === 'cdk:asset-manifest' && a.properties?.file)
      .map((a) => join(stack.assemblyDir, a.properties!.file!))
      .filter((file) => existsSync(file));
  }

  /** The export `name` of any stack (for Fn::ImportValue). */
  findExport(name: string, resolver: Resolver): { stack: LoadedStack; value: unknown } | undefined {
    for (const stack of this.stacks) {
      for (const [outputId, output] of Object.entries(stack.template.Outputs ?? {})) {
        if (!output.Export) continue;
        const exportName = resolver.resolve(stack, output.Export.Name, `${stack.name} output ${outputId}`);
        if (exportName === name) return { stack, value: output.Value };
      }
    }
    return undefined;
  }
}

/** A CDK logical id without its 8-character hash suffix (`Outbox1234ABCD` -> `Outbox`). */
export function constructId(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

function evaluateCondition(assembly: CloudAssembly, stack: LoadedStack, name: string, owner: string): boolean {
  const definition = stack.template.Conditions?.[name];
  if (definition === undefined) throw new AssemblyError(`${owner}: condition ${name} is not defined in stack ${stack.name}`);
  const value = new Resolver(assembly).resolve(stack, definition, `condition ${name}`);
  if (typeof value !== 'boolean') throw new AssemblyError(`${owner}: condition ${name} does not evaluate to a boolean`);
  return value;
}

/** Marks `Ref: AWS::NoValue`: the property is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Known physical-id and attribute shapes by resource type. */
function arn(service: string, resource: string, region = LOCAL_REGION): string {
  return `arn:${LOCAL_PARTITION}:${service}:${region}:${LOCAL_ACCOUNT}:${resource}`;
}

function shortId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 10);
}

/**
 * A resource's resolved CloudFormation properties, read several levels deep by property name
 * (`Integration.Uri`, `StreamSpecification.StreamViewType`) and converted where used. `properties()`
 * stays `Record<string, unknown>`: a reader that walks deeper casts to this type on purpose.
 */
export type CfnProperties = LooseJsonObject;

/**
 * Resolves intrinsics against the assembly. Values known only at run time (a queue's URL on the local
 * SQS server, a table's stream ARN in DynamoDB Local) are set with {@link Resolver.setAttribute}.
 */
export class Resolver {
  private readonly attributes = new Map<string, Record<string, unknown>>();

  constructor(
    readonly assembly: CloudAssembly,
    private readonly options: { sqsEndpoint?: string } = {},
  ) {}

  /** Records a run-time value: `attr` `Ref` overrides the physical id. */
  setAttribute(key: string, attr: string, value: unknown): void {
    const entry = this.attributes.get(key) ?? {};
    entry[attr] = value;
    this.attributes.set(key, entry);
  }

  /** Deterministic local physical name of a resource (what `Ref` gives for named resources). */
  physicalName(ref: ResourceRef): string {
    const props = ref.resource.Properties ?? {};
    const explicit = (prop: string) => (props[prop] !== undefined ? String(this.resolve(ref.stack, props[prop], ref.key)) : undefined);
    const generated = (max: number, suffix = '') => `${ref.stack.name}-${ref.logicalId}`.slice(0, max - suffix.length) + suffix;
    switch (ref.type) {
      case 'AWS::SQS::Queue':
        return explicit('QueueName') ?? generated(80, props.FifoQueue === true || props.FifoQueue === 'true' ? '.fifo' : '');
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return explicit('TableName') ?? generated(255);
      case 'AWS::Lambda::Function':
        return explicit('FunctionName') ?? generated(64);
      case 'AWS::Events::EventBus':
        return explicit('Name') ?? generated(256);
      case 'AWS::Events::Rule':
        return explicit('Name') ?? generated(64);
      case 'AWS::IAM::Role':
        return explicit('RoleName') ?? generated(64);
      case 'AWS::ApiGateway::RestApi':
      case 'AWS::ApiGateway::Resource':
      case 'AWS::ApiGateway::Deployment':
      case 'AWS::Lambda::EventSourceMapping':
        return shortId(ref.key);
      case 'AWS::ApiGateway::Stage':
        return explicit('StageName') ?? 'prod';
      default:
        return generated(128);
    }
  }

  /** The value of `Ref` on a resource. */
  ref(ref: ResourceRef): unknown {
    const known = this.attributes.get(ref.key)?.Ref;
    if (known !== undefined) return known;
    const name = this.physicalName(ref);
    switch (ref.type) {
      case 'AWS::SQS::Queue':
        return this.queueUrl(name);
      case 'AWS::Events::Rule':
        return name; // Ref of a rule on the default bus is its name
      default:
        return name;
    }
  }

  private queueUrl(name: string): string {
    const endpoint = this.options.sqsEndpoint ?? `https://sqs.${LOCAL_REGION}.${LOCAL_URL_SUFFIX}`;
    return `${endpoint}/${LOCAL_ACCOUNT}/${name}`;
  }

  /** The value of `Fn::GetAtt` on a resource. */
  getAtt(ref: ResourceRef, attr: string): unknown {
    const known = this.attributes.get(ref.key)?.[attr];
    if (known !== undefined) return known;
    const name = this.physicalName(ref);
    const fail = (): never => {
      throw new AssemblyError(`${ref.key} (${ref.type}): attribute ${attr} is not supported locally`);
    };
    switch (ref.type) {
      case 'AWS::SQS::Queue':
        if (attr === 'Arn') return arn('sqs', name);
        if (attr === 'QueueUrl') return this.ref(ref);
        if (attr === 'QueueName') return name;
        return fail();
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        if (attr === 'Arn') return arn('dynamodb', `table/${name}`);
        if (attr === 'StreamArn') {
          throw new AssemblyError(`${ref.key}: StreamArn is known only once the table exists in DynamoDB Local (is its stream enabled?)`);
        }
        if (attr === 'TableId') return shortId(ref.key);
        return fail();
      case 'AWS::Lambda::Function':
        if (attr === 'Arn') return arn('lambda', `function:${name}`);
        return fail();
      case 'AWS::Events::EventBus':
        if (attr === 'Arn') return arn('events', `event-bus/${name}`);
        if (attr === 'Name') return name;
        return fail();
      case 'AWS::Events::Rule':
        if (attr === 'Arn') return arn('events', `rule/${name}`);
        return fail();
      case 'AWS::IAM::Role':
        if (attr === 'Arn') return `arn:${LOCAL_PARTITION}:iam::${LOCAL_ACCOUNT}:role/${name}`;
        if (attr === 'RoleId') return `AROA${shortId(ref.key).toUpperCase()}`;
        return fail();
      case 'AWS::ApiGateway::RestApi':
        if (attr === 'RootResourceId') return `root-${name}`;
        if (attr === 'RestApiId') return name;
        return fail();
      case 'AWS::EventSchemas::Registry':
        if (attr === 'RegistryArn') return arn('schemas', `registry/${name}`);
        return fail();
      case 'AWS::SNS::Topic':
        if (attr === 'TopicArn') return arn('sns', name);
        if (attr === 'TopicName') return name;
        return fail();
      default:
        if (attr === 'Arn') return arn(ref.type.split('::')[1]!.toLowerCase(), name);
        return fail();
    }
  }

  /** Resolves every property of a resource (with `AWS::NoValue` removed). */
  properties(ref: ResourceRef): Record<string, unknown> {
    return (this.resolve(ref.stack, ref.resource.Properties ?? {}, ref.key) as Record<string, unknown>) ?? {};
  }

  /** Resolves intrinsics in `value`, in the context of `stack`; `owner` names the resource in errors. */
  resolve(stack: LoadedStack, value: unknown, owner: string): unknown {
    const out = this.walk(stack, value, owner);
    return out === NO_VALUE ? undefined : out;
  }

  private walk(stack: LoadedStack, value: unknown, owner: string): unknown {
    if (Array.isArray(value)) return value.map((v) => this.walk(stack, v, owner)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0]!;
      if (fn === 'Ref' || fn.startsWith('Fn::') || fn === 'Condition') return this.intrinsic(stack, fn, arg, owner);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = this.walk(stack, v, owner);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  private intrinsic(stack: LoadedStack, fn: string, arg: unknown, owner: string): unknown {
    const fail = (why: string): never => {
      throw new AssemblyError(`${owner}: cannot resolve ${fn} ${JSON.stringify(arg)} (${why})`);
    };
    const w = (v: unknown) => this.walk(stack, v, owner);
    switch (fn) {
      case 'Ref':
        return typeof arg === 'string' ? this.refName(stack, arg, owner) : fail('Ref needs a name');
      case 'Fn::GetAtt': {
        let [logicalId, attr] = Array.isArray(arg) ? arg : typeof arg === 'string' ? splitOnce(arg) : [];
        attr = w(attr);
        if (typeof logicalId !== 'string' || typeof attr !== 'string') return fail('malformed');
        const target = this.assembly.get(stack, logicalId) ?? fail(`no resource ${logicalId} in stack ${stack.name}`);
        return this.getAtt(target, attr);
      }
      case 'Fn::Join': {
        const [sep, parts] = Array.isArray(arg) ? arg : [];
        const list = w(parts);
        if (typeof sep !== 'string' || !Array.isArray(list)) return fail('malformed');
        return list.map((p) => stringify(p, owner)).join(sep);
      }
      case 'Fn::Sub': {
        const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
        if (typeof template !== 'string') return fail('malformed');
        const resolvedVars = (w(vars ?? {}) ?? {}) as Record<string, unknown>;
        return template.replace(/\$\{(!?)([^}]*)\}/g, (_whole, bang: string, expr: string) => {
          if (bang) return `\${${expr}}`;
          if (Object.hasOwn(resolvedVars, expr)) return stringify(resolvedVars[expr], owner);
          const dot = expr.indexOf('.');
          if (dot > 0 && !expr.startsWith('AWS::')) {
            return stringify(this.intrinsic(stack, 'Fn::GetAtt', [expr.slice(0, dot), expr.slice(dot + 1)], owner), owner);
          }
          return stringify(this.refName(stack, expr, owner), owner);
        });
      }
      case 'Fn::Select': {
        const [index, list] = Array.isArray(arg) ? arg : [];
        const i = Number(w(index));
        const items = w(list);
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) return fail('index out of range');
        return items[i];
      }
      case 'Fn::Split': {
        const [sep, text] = Array.isArray(arg) ? arg : [];
        const source = w(text);
        if (typeof sep !== 'string' || typeof source !== 'string') return fail('malformed');
        return source.split(sep);
      }
      case 'Fn::ImportValue': {
        const name = w(arg);
        if (typeof name !== 'string') return fail('malformed');
        const found = this.assembly.findExport(name, this) ?? fail(`no stack exports ${name}`);
        return this.walk(found.stack, found.value, `${owner} (import ${name})`);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = Array.isArray(arg) ? arg : [];
        if (typeof condition !== 'string') return fail('malformed');
        return w(this.condition(stack, condition, owner) ? whenTrue : whenFalse);
      }
      case 'Condition':
        return typeof arg === 'string' ? this.condition(stack, arg, owner) : fail('malformed');
      case 'Fn::Equals': {
        const [a, b] = Array.isArray(arg) ? arg : [];
        return JSON.stringify(w(a)) === JSON.stringify(w(b));
      }
      case 'Fn::Not': {
        const [a] = Array.isArray(arg) ? arg : [];
        return !w(a);
      }
      case 'Fn::And':
        return Array.isArray(arg) ? arg.every((a) => w(a) === true) : fail('malformed');
      case 'Fn::Or':
        return Array.isArray(arg) ? arg.some((a) => w(a) === true) : fail('malformed');
      case 'Fn::FindInMap': {
        const [map, top, second] = (Array.isArray(arg) ? arg : []).map(w);
        const found = stack.template.Mappings?.[String(map)]?.[String(top)]?.[String(second)];
        return found === undefined ? fail('no such mapping entry') : found;
      }
      case 'Fn::Base64': {
        const text = w(arg);
        return Buffer.from(stringify(text, owner)).toString('base64');
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${LOCAL_REGION}${z}`);
      case 'Fn::ToJsonString':
        return JSON.stringify(w(arg));
      default:
        return fail('intrinsic not supported by the local runtime');
    }
  }

  private condition(stack: LoadedStack, name: string, owner: string): boolean {
    const definition = stack.template.Conditions?.[name];
    if (definition === undefined) throw new AssemblyError(`${owner}: condition ${name} is not defined in stack ${stack.name}`);
    return this.walk(stack, definition, `${owner} (condition ${name})`) === true;
  }

  private refName(stack: LoadedStack, name: string, owner: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return LOCAL_REGION;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::Partition':
        return LOCAL_PARTITION;
      case 'AWS::URLSuffix':
        return LOCAL_URL_SUFFIX;
      case 'AWS::StackName':
        return stack.name;
      case 'AWS::StackId':
        return arn('cloudformation', `stack/${stack.name}/${shortId(stack.name)}`);
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    const parameter = stack.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Default === undefined) throw new AssemblyError(`${owner}: parameter ${name} of ${stack.name} has no default (parameters are not supported locally)`);
      return parameter.Type.startsWith('List<') || parameter.Type === 'CommaDelimitedList' ? String(parameter.Default).split(',') : parameter.Default;
    }
    const target = this.assembly.get(stack, name);
    if (!target) throw new AssemblyError(`${owner}: Ref ${name}: no such resource or parameter in stack ${stack.name}`);
    return this.ref(target);
  }
}

function splitOnce(text: string): [string, string] {
  const dot = text.indexOf('.');
  return [text.slice(0, dot), text.slice(dot + 1)];
}

function stringify(value: unknown, owner: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new AssemblyError(`${owner}: expected a string, got ${JSON.stringify(value)}`);
}

/**
 * Lambda bundles are CommonJS `index.js` files. Inside a project whose package.json says
 * `"type": "module"`, Node would load them as ES modules (the nearest package.json decides), and
 * `module.exports.handler` would vanish. A package.json at the assembly root settles it, as the
 * asset zip on AWS (which has none) does. It sits outside the asset folders: hashes are unchanged.
 */
function markCommonJs(root: string): void {
  const file = join(root, 'package.json');
  if (!existsSync(file)) writeFileSync(file, '{ "type": "commonjs" }\n');
}

