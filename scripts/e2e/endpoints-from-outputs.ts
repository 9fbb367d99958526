/**
 * `npx tsx scripts/e2e/endpoints-from-outputs.ts cdk-outputs.json [out.json]`: turns the outputs file of
 * `cdk deploy --all --outputs-file cdk-outputs.json` (or `cdklocal deploy ...`) into the endpoints file
 * the end-to-end suite and the demo read (`{hiring, tasks, bonus}`), from the RestApis' `...HttpApiEndpoint...`
 * outputs. Writes to `out.json` or prints it.
 */
import { readFileSync } from 'node:fs';
import { writeEndpointsFile, type EndpointsFile } from '../../local/endpointsFile.js';

const [input, output] = process.argv.slice(2);
if (!input) {
  process.stderr.write('usage: tsx scripts/e2e/endpoints-from-outputs.ts cdk-outputs.json [out.json]\n');
  process.exit(2);
}
const outputs = JSON.parse(readFileSync(input, 'utf8')) as Record<string, Record<string, string>>;
const found: Partial<Record<'hiring' | 'tasks' | 'bonus', string>> = {};
// One stage's services stack (`<stage>-HiringEvents-Services`): two stages' endpoints would mix.
const servicesStacks = Object.keys(outputs).filter((name) => name.endsWith('-HiringEvents-Services'));
if (servicesStacks.length > 1) {
  process.stderr.write(`${input}: outputs of several stages (${servicesStacks.join(', ')}): deploy one stage per outputs file\n`);
  process.exit(1);
}
for (const stackOutputs of Object.values(outputs)) {
  for (const [key, value] of Object.entries(stackOutputs)) {
    const match = /^(Hiring|Tasks|Bonus)HttpApiEndpoint/.exec(key);
    if (match) found[match[1]!.toLowerCase() as 'hiring' | 'tasks' | 'bonus'] = value;
  }
}
const missing = (['hiring', 'tasks', 'bonus'] as const).filter((s) => !found[s]);
if (missing.length) {
  process.stderr.write(`${input}: no HttpApiEndpoint output for ${missing.join(', ')} (was <stage>-HiringEvents-Services deployed with --outputs-file?)\n`);
  process.exit(1);
}
if (output) writeEndpointsFile(output, found as EndpointsFile);
else process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
