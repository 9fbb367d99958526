import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES as BONUS_ROUTES } from '../../lambdas/bonus/routes.js';
import { ROUTES as HIRING_ROUTES } from '../../lambdas/hiring/routes.js';
import { ROUTES as TASKS_ROUTES } from '../../lambdas/tasks/routes.js';
import { synthApp } from './appTemplates.js';
import { actionsOf, referencedIds } from './templateQueries.js';
import type { LooseJson as Json } from '../../local/looseJson.js';

/**
 * Security properties of the synthesized app, beyond what services.test.ts asserts (which checks
 * that every method is AWS_IAM, that queues have SSE and *some* SSL policy, and that grants stay
 * within a service).
 */

type Resource = { Type: string; Properties?: Json; Metadata?: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: Json };

const DECLARED_ROUTES = { hiring: HIRING_ROUTES, tasks: TASKS_ROUTES, bonus: BONUS_ROUTES } as const;
const SERVICES = Object.keys(DECLARED_ROUTES) as (keyof typeof DECLARED_ROUTES)[];


const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

// ---------------------------------------------------------------------------------------------
// Secret scanner
// ---------------------------------------------------------------------------------------------

/** Names under which a literal value would be a credential. */
const SECRET_NAME = /(passw(or)?d|secret|token|api[-_]?key|private[-_]?key|credential|auth[-_]?key|session[-_]?key)/i;
/** Values that are credentials whatever they are called. */
const SECRET_VALUES: readonly [string, RegExp][] = [
  ['AWS access key id', /\b(AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b/],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['GitHub token', /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{30,}/],
  ['Slack token', /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
  ['Stripe key', /\b[sr]k_live_[A-Za-z0-9]{16,}/],
  ['Google API key', /\bAIza[0-9A-Za-z_-]{35}\b/],
  ['JWT', /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  ['credentials in a URL', /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i],
];

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return [...counts.values()].reduce((sum, n) => sum - (n / text.length) * Math.log2(n / text.length), 0);
}

interface SecretFinding {
  readonly path: string;
  readonly why: string;
}

/**
 * Literal strings of a template that look like credentials: known credential formats anywhere;
 * any literal (not an intrinsic: a Ref to a secret is fine) under a secret-sounding key; and
 * high-entropy literals in Lambda environment variables (a random-looking 24+ character value
 * with no spaces is what a pasted key looks like).
 */
function findSecrets(template: Json): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const walk = (value: unknown, path: string, key: string, environmentValue: boolean) => {
    if (typeof value === 'string') {
      for (const [why, pattern] of SECRET_VALUES) if (pattern.test(value)) findings.push({ path, why });
      if (SECRET_NAME.test(key) && value.length > 0) findings.push({ path, why: `literal value under secret-sounding name ${key}` });
      if (environmentValue && value.length >= 24 && !/\s/.test(value) && !/^(https?:|arn:|\/)/.test(value) && entropy(value) > 4) {
        findings.push({ path, why: 'high-entropy literal in a Lambda environment variable' });
      }
      return;
    }
    if (Array.isArray(value)) {
      for (const [index, inner] of value.entries()) walk(inner, `${path}[${index}]`, key, false);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [innerKey, inner] of Object.entries(value)) {
        // Intrinsic functions and their arguments are references, not literals (their literal parts are still scanned for formats).
        const intrinsic = innerKey.startsWith('Fn::') || innerKey === 'Ref';
        // Only a variable's own literal value is entropy-checked (a Ref's logical id is not a value).
        walk(inner, `${path}.${innerKey}`, intrinsic ? '' : innerKey, path.endsWith('.Environment.Variables'));
      }
    }
  };
  walk(template, '$', '', false);
  return findings;
}

// ---------------------------------------------------------------------------------------------

describe('security of the synthesized app', () => {
  let app: ReturnType<typeof synthApp>;
  let services: Record<string, Resource>;
  let platform: Record<string, Resource>;
  let templates: { name: string; json: Json }[];
  const ofType = (type: string, resources = services) => Object.entries(resources).filter(([, r]) => r.Type === type);

  beforeAll(() => {
    app = synthApp();
    const servicesJson = app.servicesTemplate().toJSON();
    const platformJson = app.platformTemplate().toJSON();
    services = servicesJson.Resources;
    platform = platformJson.Resources;
    templates = [
      { name: 'services', json: servicesJson },
      { name: 'platform', json: platformJson },
    ];
  });

  /** `POWERTOOLS_SERVICE_NAME` of the function(s) assuming each role, by role logical id. */
  function serviceByRole(): Map<string, string> {
    const byRole = new Map<string, string>();
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const role = [...referencedIds(fn.Properties?.Role)][0]!;
      byRole.set(role, fn.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME);
    }
    return byRole;
  }

  /** Every statement of every inline policy, with the service of the role it is attached to. */
  function statementsByService(): { service: string; path: string; statement: Statement }[] {
    const byRole = serviceByRole();
    return ofType('AWS::IAM::Policy').flatMap(([, policy]) => {
      const service = [...referencedIds(policy.Properties?.Roles)].map((r) => byRole.get(r)).find(Boolean) ?? '(none)';
      return (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
        service,
        path: String(policy.Metadata?.['aws:cdk:path']),
        statement,
      }));
    });
  }

  describe('API Gateway', () => {
    /** `METHOD /path` of every method of the RestApi `apiId`, the path rebuilt from the resource tree. */
    function methodsOf(apiId: string): Map<string, Resource> {
      const pathOf = (parent: Json): string => {
        if (parent?.['Fn::GetAtt']?.[1] === 'RootResourceId') return '';
        const resource = services[parent.Ref]!;
        return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
      };
      const methods = new Map<string, Resource>();
      for (const [, method] of ofType('AWS::ApiGateway::Method')) {
        if (method.Properties.RestApiId.Ref !== apiId) continue;
        methods.set(`${method.Properties.HttpMethod} ${pathOf(method.Properties.ResourceId) || '/'}`, method);
      }
      return methods;
    }

    it('exposes exactly the declared routes (no stray OPTIONS/ANY/proxy method), each IAM-authorized with no other authorizer', () => {
      const apis = ofType('AWS::ApiGateway::RestApi');
      expect(apis.map(([, a]) => a.Properties.Name).sort()).toEqual(SERVICES.map((s) => `prod-hiring-events-${s}`).sort());
      for (const service of SERVICES) {
        const [apiId] = apis.find(([, a]) => a.Properties.Name === `prod-hiring-events-${service}`)!;
        const methods = methodsOf(apiId);
        const declared = DECLARED_ROUTES[service].map((r) => `${r.method} ${r.path}`);
        expect([...methods.keys()].sort(), `methods of the ${service} API`).toEqual([...declared].sort());
        // Every method, whatever its verb (OPTIONS and ANY included, had one been added), signs with SigV4.
        for (const [name, method] of methods) {
          expect(method.Properties.AuthorizationType, name).toBe('AWS_IAM');
          expect(method.Properties.AuthorizerId, name).toBeUndefined();
          expect(method.Properties.ApiKeyRequired ?? false, name).toBe(false);
        }
      }
      const verbs = ofType('AWS::ApiGateway::Method').map(([, m]) => m.Properties.HttpMethod as string);
      for (const verb of verbs) expect(['GET', 'POST', 'PUT', 'DELETE']).toContain(verb);
    });

    it('attaches no resource policy that would open an API to anonymous callers', () => {
      for (const [, api] of ofType('AWS::ApiGateway::RestApi')) {
        for (const statement of asList<Statement>(api.Properties.Policy?.Statement)) {
          if (statement.Effect === 'Allow') expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"/);
        }
      }
    });
  });

  describe('encryption at rest and in transit', () => {
    it('encrypts every SQS queue (SQS-managed SSE or KMS) and denies every non-TLS request to it', () => {
      const queues = ofType('AWS::SQS::Queue');
      expect(queues.length).toBeGreaterThanOrEqual(4 * 2 + 2 * 3 + 2);
      const policies = ofType('AWS::SQS::QueuePolicy');
      for (const [id, queue] of queues) {
        expect(queue.Properties?.SqsManagedSseEnabled === true || queue.Properties?.KmsMasterKeyId !== undefined, `SSE of ${id}`).toBe(true);
        expect(queue.Properties?.SqsManagedSseEnabled, `SSE of ${id} switched off`).not.toBe(false);
        const sslDeny = policies
          .filter(([, p]) => [...referencedIds(p.Properties.Queues)].includes(id))
          .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
          .find(
            (s) =>
              s.Effect === 'Deny' &&
              JSON.stringify(s.Principal) === JSON.stringify({ AWS: '*' }) &&
              actionsOf(s).includes('sqs:*') &&
              s.Condition?.Bool?.['aws:SecureTransport'] === 'false' &&
              [...referencedIds(s.Resource)].includes(id),
          );
        expect(sslDeny, `SSL-only deny statement on ${id}`).toBeDefined();
      }
    });

    /**
     * "Encrypted" here means SSE with a KMS key DynamoDB can show in CloudTrail: `SSEEnabled: true`
     * (the AWS-managed `aws/dynamodb` key, or a customer-managed key with `KMSMasterKeyId`). A table
     * without `SSESpecification` is encrypted too, but with an AWS-owned key whose use is invisible
     * to the account and cannot be limited by a key policy: this test rejects it on purpose.
     */
    it('encrypts every DynamoDB table with a KMS key (AWS-managed or customer-managed), not the invisible AWS-owned default', () => {
      const tables = [...ofType('AWS::DynamoDB::Table'), ...ofType('AWS::DynamoDB::Table', platform)];
      expect(tables).toHaveLength(3);
      for (const [id, table] of tables) {
        expect(table.Properties.SSESpecification, `SSESpecification of ${id}`).toMatchObject({ SSEEnabled: true });
        if (table.Properties.SSESpecification.SSEType !== undefined) expect(table.Properties.SSESpecification.SSEType).toBe('KMS');
      }
    });

    it('encrypts every SNS topic with a rotated KMS key and denies non-TLS publishing', () => {
      for (const resources of [services, platform]) {
        for (const [id, topic] of ofType('AWS::SNS::Topic', resources)) {
          const [keyId] = [...referencedIds(topic.Properties.KmsMasterKeyId)];
          expect(keyId, `KMS key of topic ${id}`).toBeDefined();
          expect(resources[keyId!]?.Properties?.EnableKeyRotation, `rotation of ${keyId}`).toBe(true);
          const statements = ofType('AWS::SNS::TopicPolicy', resources)
            .filter(([, p]) => [...referencedIds(p.Properties.Topics)].includes(id))
            .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
          expect(statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
        }
      }
      expect(ofType('AWS::SNS::Topic')).toHaveLength(1);
    });

    it('rotates every KMS key and lets no principal of another account use one', () => {
      for (const [id, key] of ofType('AWS::KMS::Key')) {
        expect(key.Properties.EnableKeyRotation, id).toBe(true);
        for (const statement of key.Properties.KeyPolicy.Statement as Statement[]) {
          expect(JSON.stringify(statement.Principal), `principal of a statement of ${id}`).not.toMatch(/"AWS":"\*"|^"\*"$/);
        }
      }
    });
  });

  describe('no secrets in the templates', () => {
    it('finds no credential-looking literal in any property or environment variable', () => {
      for (const { name, json } of templates) expect(findSecrets(json), `${name} template`).toEqual([]);
      // The scan really reached the environment variables.
      const variables = ofType('AWS::Lambda::Function').flatMap(([, fn]) => Object.keys(fn.Properties.Environment?.Variables ?? {}));
      expect(variables.length).toBeGreaterThan(50);
    });

    it('the scanner catches planted secrets (so a clean result means something)', () => {
      const keyId = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');
      const planted = {
        Resources: {
          Fn: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              Environment: {
                Variables: {
                  AWS_ACCESS_KEY_ID: keyId,
                  DB_PASSWORD: 'hunter2',
                  SIGNING: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
                  DATABASE_URL: 'postgres://app:' + 's3cr3t@db.example.com/app',
                  SAFE_REF: { Ref: 'SomeSecret' },
                  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/queue-name-that-is-long',
                },
              },
            },
          },
          Other: { Type: 'X', Properties: { Token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlMTIzNA' } },
        },
      };
      const whys = findSecrets(planted).map((f) => `${f.path.split('.').pop()}: ${f.why}`);
      expect(whys).toEqual(
        expect.arrayContaining([
          'AWS_ACCESS_KEY_ID: AWS access key id',
          'DB_PASSWORD: literal value under secret-sounding name DB_PASSWORD',
          'SIGNING: high-entropy literal in a Lambda environment variable',
          'DATABASE_URL: credentials in a URL',
          'Token: JWT',
        ]),
      );
      expect(whys.join('\n')).not.toMatch(/SAFE_REF|QUEUE_URL/);
    });
  });

  describe('least privilege, beyond "own service only"', () => {
    it('lets PutEvents reach only the hiring-events bus, and no other events: action exist', () => {
      const busExports = Object.entries(app.platformTemplate().toJSON().Outputs as Record<string, Json>).filter(
        ([, o]) => JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [ofType('AWS::Events::EventBus', platform)[0]![0], 'Arn'] }),
      );
      expect(busExports).toHaveLength(1);
      expect(ofType('AWS::Events::EventBus', platform)[0]![1].Properties.Name).toBe('prod-hiring-events');
      const busArn = { 'Fn::ImportValue': busExports[0]![1].Export.Name };

      const eventStatements = statementsByService().filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('events:')));
      expect(eventStatements).toHaveLength(4);
      for (const { path, statement } of eventStatements) {
        expect(actionsOf(statement), path).toEqual(['events:PutEvents']);
        expect(statement.Resource, path).toEqual(busArn);
      }
    });

    it('lets execute-api:Invoke reach only /internal/* of the one callee, on its stage, and only from its two callers per service', () => {
      const callee = { tasks: 'hiring', hiring: 'bonus' } as Record<string, string>;
      const apiIdOf = Object.fromEntries(ofType('AWS::ApiGateway::RestApi').map(([id, api]) => [String(api.Properties.Name).replace('prod-hiring-events-', ''), id]));
      const invokes = statementsByService().filter(({ statement }) => actionsOf(statement).some((a) => a.startsWith('execute-api:')));
      expect(invokes.map(({ path }) => path.split('/').slice(1, 3).join('/')).sort()).toEqual(
        ['HiringCalls/DelivererRole', 'HiringHttp/FunctionRole', 'TasksCalls/DelivererRole', 'TasksHttp/FunctionRole'].sort(),
      );
      for (const { service, path, statement } of invokes) {
        expect(actionsOf(statement), path).toEqual(['execute-api:Invoke']);
        const resources = asList(statement.Resource as Json);
        expect(resources, path).toHaveLength(1);
        const [api] = [...referencedIds(resources[0])].filter((id) => !id.startsWith('AWS::'));
        expect(api, path).toBe(apiIdOf[callee[service]!]);
        const parts = resources[0]['Fn::Join'][1] as unknown[];
        expect(parts.at(-1), path).toBe('/v1/*/internal/*');
      }
    });

    it('gives every role a Lambda-only trust policy, no managed policy and no inline policy outside AWS::IAM::Policy', () => {
      const roles = ofType('AWS::IAM::Role');
      expect(roles.length).toBeGreaterThanOrEqual(14);
      for (const [id, role] of roles) {
        const trust = role.Properties.AssumeRolePolicyDocument.Statement as Statement[];
        expect(trust, id).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } })]);
        expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
        expect(role.Properties.Policies, id).toBeUndefined();
      }
    });

    it('allows nothing on "*" but the unscopable X-Ray and ListStreams actions, and no Allow with NotAction/NotResource', () => {
      for (const { path, statement } of statementsByService()) {
        expect(Object.keys(statement), path).not.toContain('NotAction');
        expect(Object.keys(statement), path).not.toContain('NotResource');
        if (asList(statement.Resource as Json).includes('*')) {
          for (const action of actionsOf(statement)) expect(action, path).toMatch(/^(xray:PutTraceSegments|xray:PutTelemetryRecords|dynamodb:ListStreams)$/);
        }
      }
    });
  });

  describe('cdk-nag acknowledgements', () => {
    it('carry a real reason, each, in the synthesized metadata', () => {
      const assembly = app.app.synth();
      const entries: { path: string; rule: string; reason: unknown }[] = [];
      for (const stack of [app.platform, app.services]) {
        const artifact = assembly.getStackArtifact(stack.artifactId);
        const file = artifact.manifest.additionalMetadataFile;
        const metadata = (
          file ? JSON.parse(readFileSync(join(assembly.directory, file), 'utf8')) : (artifact.manifest.metadata ?? {})
        ) as Record<string, { type: string; data: unknown }[]>;
        for (const [path, list] of Object.entries(metadata)) {
          for (const entry of list) {
            if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
            for (const [rule, reason] of Object.entries(entry.data as Record<string, unknown>)) entries.push({ path, rule, reason });
          }
        }
      }
      // Every acknowledgement the constructs make (roles, tables, internal routes, failure queues, APIs).
      expect(entries.length).toBeGreaterThanOrEqual(30);
      for (const { path, rule, reason } of entries) {
        expect(typeof reason, `${rule} at ${path}`).toBe('string');
        const text = (reason as string).trim();
        expect(text.length, `reason of ${rule} at ${path}`).toBeGreaterThanOrEqual(20);
        expect(text, `reason of ${rule} at ${path}`).not.toMatch(/^(todo|tbd|fixme|n\/a|none|ok|ignore)\b/i);
      }
      // Acknowledgements are scoped: no blanket acknowledgement of a whole rule on a stack or the app.
      const stackLevel = entries.filter((e) => e.path.split('/').filter(Boolean).length <= 1);
      for (const { rule } of stackLevel) expect(rule, 'stack-level acknowledgement').toMatch(/\[.+\]$/);
    });
  });
});
