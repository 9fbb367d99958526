import { ArnFormat, Aspects, CfnOutput, Duration, Stack, Token, type IAspect } from 'aws-cdk-lib';
import { Alarm, CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { stageOf } from '../stage.js';

export interface OperationsAlarmsProps {
  /** Construct whose alarms (found at synth, wherever they are created) notify the topic. */
  readonly alarmsOf: IConstruct;
}

/**
 * The operators' alarm topic: every CloudWatch alarm under `alarmsOf` (DLQ depth, oldest message
 * age, outbox failure queue, deferred-call DLQ and scheduler failures, and any alarm added later)
 * notifies it on ALARM and on OK. Subscribe e-mail, chat or paging to the `AlarmTopicArn` output.
 *
 * The topic is encrypted with its own customer-managed KMS key (rotated): CloudWatch cannot
 * publish to a topic under the AWS-managed `aws/sns` key, because that key's policy cannot be
 * changed to let `cloudwatch.amazonaws.com` use it. The topic accepts only TLS requests and
 * publishes from CloudWatch alarms of this account.
 *
 * @example
 * ```ts
 * new OperationsAlarms(this, 'Operations', { alarmsOf: this });
 * ```
 */
export class OperationsAlarms extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new Key(this, 'TopicKey', {
      description: 'hiring-events: encrypts the alarm topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
    });
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishEncrypted',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `hiring-events alarms (${stageOf(this)})`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );

    Aspects.of(props.alarmsOf).add(new NotifyTopic(this.topic));

    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.topic.topicArn,
      description: 'Every hiring-events alarm notifies this topic: aws sns subscribe --topic-arn <this> --protocol email --notification-endpoint you@example.com',
    });
  }
}

/** Adds the topic to the ALARM and OK actions of every alarm it visits (L2 or plain `CfnAlarm`). */
class NotifyTopic implements IAspect {
  private readonly action: SnsAction;

  constructor(private readonly topic: Topic) {
    this.action = new SnsAction(topic);
  }

  visit(node: IConstruct): void {
    if (node instanceof Alarm) {
      node.addAlarmAction(this.action);
      node.addOkAction(this.action);
      return;
    }
    // An L1 alarm not owned by an L2 `Alarm` (those are handled above through their L2).
    if (node instanceof CfnAlarm && !(node.node.scope instanceof Alarm)) {
      const arn = this.topic.topicArn;
      const current = node.alarmActions;
      if (current !== undefined && Token.isUnresolved(current)) return;
      node.alarmActions = [...(current ?? []), arn];
      node.okActions = [...((node.okActions as string[] | undefined) ?? []), arn];
    }
  }
}
