import type { IConstruct, Node } from 'constructs';

/**
 * The deployment stage (`-c stage=staging`): every stack id and every physical name the app sets
 * starts with it, so several copies (production, staging, a branch) live side by side in one account
 * and region. Names CloudFormation generates (tables, functions, roles, log groups) start with the
 * stack name, so they carry the stage too.
 */

/** The stage when context `stage` is not set: `cdk deploy`, `npm start` and the tools agree on it. */
export const DEFAULT_STAGE = 'prod';

/** 1..16 characters: a lowercase letter first, then lowercase letters, digits or single hyphens, no hyphen last. */
const STAGE_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,15}$/;

/** Throws unless `stage` is a valid stage name; returns it. */
export function assertStage(stage: string, source = 'stage'): string {
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(
      `${source} must be 1..16 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen ` +
        `(it prefixes stack ids and physical names such as the ${stage}-hiring-events-archive), got ${JSON.stringify(stage)}`,
    );
  }
  return stage;
}

/** The stage from CDK context `stage` (validated), default {@link DEFAULT_STAGE}. */
export function readStage(node: Node): string {
  const raw: unknown = node.tryGetContext('stage');
  if (raw === undefined) return DEFAULT_STAGE;
  return assertStage(typeof raw === 'string' ? raw : JSON.stringify(raw), 'context stage');
}

/** The stage of the app `scope` belongs to. */
export const stageOf = (scope: IConstruct): string => readStage(scope.node);

/** `<stage>-<name>`: the physical name of a resource the app names itself. */
export const stageName = (stage: string, name: string): string => `${stage}-${name}`;

/** The ids (= CloudFormation stack names) of the app's two stacks at `stage`. */
export function stackIds(stage: string): { readonly platform: string; readonly services: string } {
  return { platform: stageName(stage, 'HiringEvents-Platform'), services: stageName(stage, 'HiringEvents-Services') };
}

/** The REST API name of a service at `stage`, e.g. `prod-hiring-events-bonus` (the offline runtime keys endpoints by it). */
export const apiName = (stage: string, service: string): string => stageName(stage, `hiring-events-${service}`);

/** The CloudWatch namespace of the messaging metrics at `stage`: two stages' metrics never mix. */
export const metricsNamespace = (stage: string): string => `HiringEvents/${stage}`;
