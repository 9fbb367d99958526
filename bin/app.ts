#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { PlatformStack } from '../lib/stacks/platform-stack.js';

const app = new App();
new PlatformStack(app, 'HiringEvents-Platform', {
  description: 'hiring-events: event bus, archive and schema registry',
});
app.synth();
