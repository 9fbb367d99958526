#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildHiringEvents } from '../lib/HiringEventsApp.js';

const app = new App();
buildHiringEvents(app);
// cdk-nag runs at every synth: a finding fails `cdk synth`/`cdk deploy`; acknowledged findings carry a reason.
// CDK's built-in CloudFormation validation runs too; `@aws-cdk/core:validateAgainstDefaultRules` in
// cdk.json makes its errors fail the synth instead of printing warnings.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
