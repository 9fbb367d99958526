import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AssemblyError, CloudAssembly, Resolver } from '../../../local/assembly.js';

function writeAssembly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'assembly-test-'));
  const shared = {
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] } },
    Parameters: { Env: { Type: 'String', Default: 'dev' }, BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' } },
    Resources: {
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'hiring-bus' } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } },
      Fifo: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
      Table: { Type: 'AWS::DynamoDB::GlobalTable', Properties: { TableName: 'shared-table' } },
      ProdOnly: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' },
    },
    Outputs: {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a template literal.
      BusArn: { Value: { 'Fn::GetAtt': ['Bus', 'Arn'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}:BusArn' } } },
      QueueUrl: { Value: { Ref: 'Queue' }, Export: { Name: 'SharedQueueUrl' } },
    },
  };
  const service = {
    Resources: {
      Fn: {
        Type: 'AWS::Lambda::Function',
        Metadata: { 'aws:asset:path': 'asset.abc' },
        Properties: {
          Environment: {
            Variables: {
              BUS_ARN: { 'Fn::ImportValue': 'Shared:BusArn' },
              QUEUE_URL: { 'Fn::ImportValue': 'SharedQueueUrl' },
              JOINED: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'AWS::Region' }, '-', { Ref: 'AWS::AccountId' }]] },
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a template literal.
              SUB: { 'Fn::Sub': ['${Name}.${AWS::URLSuffix}/${Fn.Arn}/${!Literal}', { Name: 'svc' }] },
              SELECTED: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] },
              MODE: { 'Fn::If': ['IsDev', 'development', { Ref: 'AWS::NoValue' }] },
              DROPPED: { 'Fn::If': ['IsProd', 'x', { Ref: 'AWS::NoValue' }] },
            },
          },
        },
      },
      Bad: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Transmogrify': 'x' } } },
    },
    Conditions: { IsDev: { 'Fn::Equals': ['a', 'a'] }, IsProd: { 'Fn::Equals': ['a', 'b'] } },
  };
  writeFileSync(join(dir, 'Shared.template.json'), JSON.stringify(shared));
  mkdirSync(join(dir, 'stage'));
  writeFileSync(join(dir, 'stage', 'Service.template.json'), JSON.stringify(service));
  writeFileSync(join(dir, 'stage', 'manifest.json'), JSON.stringify({ artifacts: { Service: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Service.template.json' } } } }));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      version: '55.0.0',
      artifacts: {
        Shared: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Shared.template.json' } },
        Stage: { type: 'cdk:cloud-assembly', properties: { directoryName: 'stage' } },
        Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
      },
    }),
  );
  return dir;
}

describe('CloudAssembly and Resolver', () => {
  let assembly: CloudAssembly;
  let resolver: Resolver;
  beforeAll(() => {
    assembly = CloudAssembly.load(writeAssembly());
    resolver = new Resolver(assembly, { sqsEndpoint: 'http://127.0.0.1:9324' });
  });

  it('loads stacks from the manifest, including nested assemblies, and skips resources whose condition is false', () => {
    expect(assembly.stacks.map((s) => s.name).sort()).toEqual(['Service', 'Shared']);
    expect(assembly.resources('AWS::SQS::Queue').map((r) => r.key).sort()).toEqual(['Service/Bad', 'Shared/Fifo', 'Shared/Queue']);
    expect(assembly.find('Fn')?.key).toBe('Service/Fn');
    expect(assembly.assetPath(assembly.find('Fn')!)).toBe(join(assembly.dir, 'stage', 'asset.abc'));
  });

  it('gives deterministic local names, URLs and ARNs', () => {
    const queue = assembly.find('Shared/Queue')!;
    expect(resolver.ref(queue)).toBe('http://127.0.0.1:9324/000000000000/Shared-Queue');
    expect(resolver.getAtt(queue, 'Arn')).toBe('arn:aws:sqs:us-east-1:000000000000:Shared-Queue');
    expect(resolver.getAtt(queue, 'QueueName')).toBe('Shared-Queue');
    expect(resolver.physicalName(assembly.find('Fifo')!)).toBe('Shared-Fifo.fifo');
    const table = assembly.find('Table')!;
    expect(resolver.ref(table)).toBe('shared-table');
    expect(resolver.getAtt(table, 'Arn')).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/shared-table');
    expect(() => resolver.getAtt(table, 'StreamArn')).toThrow(/StreamArn/);
    resolver.setAttribute(table.key, 'StreamArn', 'arn:aws:dynamodb:ddblocal:000000000000:table/shared-table/stream/x');
    expect(resolver.getAtt(table, 'StreamArn')).toMatch(/stream\/x$/);
    expect(resolver.getAtt(assembly.find('Fn')!, 'Arn')).toBe('arn:aws:lambda:us-east-1:000000000000:function:Service-Fn');
  });

  it('resolves Join, Sub, Select, Split, ImportValue across stacks, pseudo parameters, If and NoValue', () => {
    const props = resolver.properties(assembly.find('Fn')!) as { Environment: { Variables: Record<string, string> } };
    expect(props.Environment.Variables).toEqual({
      BUS_ARN: 'arn:aws:events:us-east-1:000000000000:event-bus/hiring-bus',
      QUEUE_URL: 'http://127.0.0.1:9324/000000000000/Shared-Queue',
      JOINED: 'arn:aws:s3:::us-east-1-000000000000',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a template literal.
      SUB: 'svc.amazonaws.com/arn:aws:lambda:us-east-1:000000000000:function:Service-Fn/${Literal}',
      SELECTED: 'b',
      MODE: 'development',
    });
  });

  it('fails loudly on an unsupported intrinsic, naming the resource', () => {
    expect(() => resolver.properties(assembly.find('Bad')!)).toThrow(AssemblyError);
    expect(() => resolver.properties(assembly.find('Bad')!)).toThrow(/Service\/Bad.*Fn::Transmogrify/);
  });

  it('reports a missing assembly clearly', () => {
    expect(() => CloudAssembly.load(join(tmpdir(), 'no-such-cdk-out'))).toThrow(/manifest\.json/);
  });
});
