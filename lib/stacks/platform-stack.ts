import { Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';

export class PlatformStack extends Stack {
  readonly bus: EventBus;
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.bus = new EventBus(this, 'Bus', { eventBusName: 'hiring-events' });
  }
}
