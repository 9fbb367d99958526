/**
 * `npm run demo [-- --endpoints FILE]`: walks the business story over HTTP against the running
 * system (default `.local/endpoints.json`, written by `npm start`), printing each step, and ends with
 * both managers' balances and ledgers. Exits non-zero when an amount is not the expected one.
 *
 * The story: two managers, a task of the first, two candidates; candidate 1 is assigned, the task
 * rated 4 and solved (manager 1 +400); the task moves to manager 2, candidate 2 is assigned and
 * solves it (manager 2 +400); a second task of manager 2 is solved BEFORE it is rated 5: nothing is
 * credited until the rating arrives (the TaskSolved event waits parked), then +500.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_ENDPOINTS_FILE, EndpointsFileError, readEndpointsFile } from '../local/endpointsFile.js';
import { ApiClient, SystemUnreachableError } from './e2e/client.js';
import { storySteps, type Balance, type LedgerEntry } from './e2e/steps.js';

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string', default: DEFAULT_ENDPOINTS_FILE },
    'per-rating-point': { type: 'string', default: '100' },
    timeout: { type: 'string', default: '60000' },
  },
});
const PER_POINT = Number(values['per-rating-point']);
const started = Date.now();
const out = (line: string) => process.stdout.write(`${line}\n`);
const short = (uid: string) => uid.slice(0, 8);

async function step<T>(title: string, run: () => Promise<T>, describe?: (value: T) => string): Promise<T> {
  const t0 = Date.now();
  const value = await run();
  const ms = Date.now() - t0;
  out(`  ✓ ${title}${describe ? ` ${describe(value)}` : ''}  (${ms} ms)`);
  return value;
}

async function main(): Promise<number> {
  const endpoints = readEndpointsFile(values.endpoints);
  const api = new ApiClient(endpoints);
  const s = storySteps(api, { timeoutMs: Number(values.timeout) });
  out(`hiring-events demo (endpoints from ${values.endpoints}):`);
  for (const service of ['tasks', 'hiring', 'bonus'] as const) out(`  ${service.padEnd(7)} ${endpoints[service]}`);
  out('');

  out('1. Managers and a task (tasks service)');
  const ada = await step('manager Ada created', () => s.createManager('Ada', 'ACC-ADA-001'), (uid) => short(uid));
  const bob = await step('manager Bob created', () => s.createManager('Bob', 'ACC-BOB-002'), (uid) => short(uid));
  const task = await step('task "Reverse a linked list" for Ada', () => s.createTask(ada, 'Reverse a linked list'), (uid) => short(uid));

  out('2. Candidates (hiring service) and assignments (tasks learns candidates from NewCandidate events)');
  const grace = await step('candidate Grace', () => s.createCandidate('Grace'), (uid) => short(uid));
  const linus = await step('candidate Linus', () => s.createCandidate('Linus'), (uid) => short(uid));
  await step('Grace assigned to the task (once tasks has learnt her)', () => s.assign(task, grace));

  out('3. Rating and first solution: Ada is credited 4 x per-rating-point');
  await step('task rated 4 (hiring -> bonus, synchronous)', () => s.rate(task, 4));
  await step('Grace solves the task', () => s.solve(task, grace), (r) => `(manager at solve time: ${r.task_manager_uid === ada ? 'Ada' : r.task_manager_uid})`);
  await step('Ada credited', () => s.awaitBalance(ada, (b) => b.entries >= 1, 'the credit'), (b) => `balance ${b.balance}`);

  out('4. The task moves to Bob; Linus solves it: Bob is credited, Ada keeps hers');
  await step('task moved to Bob', () => s.moveTask(task, bob), (r) => `(version ${r.version})`);
  await step('Linus assigned', () => s.assign(task, linus));
  await step('Linus solves the task', () => s.solve(task, linus), (r) => `(manager at solve time: ${r.task_manager_uid === bob ? 'Bob' : r.task_manager_uid})`);
  await step('Bob credited', () => s.awaitBalance(bob, (b) => b.entries >= 1, 'the credit'), (b) => `balance ${b.balance}`);

  out('5. An early solution: solved before it is rated, credited only once the rating arrives');
  const early = await step('task "Merge intervals" for Bob', () => s.createTask(bob, 'Merge intervals'), (uid) => short(uid));
  await step('Grace assigned', () => s.assign(early, grace));
  await step('Grace solves it before any rating', () => s.solve(early, grace));
  const before = await step('Bob not credited yet (the TaskSolved event waits, parked, for the rating)', () => s.balance(bob), (b) => `balance ${b.balance}, entries ${b.entries}`);
  if (before.entries !== 1) throw new Error(`the early solution was credited before its rating: ${JSON.stringify(before)}`);
  await step('task rated 5', () => s.rate(early, 5));
  await step('Bob credited after the parked event came back', () => s.awaitBalance(bob, (b) => b.entries >= 2, 'the parked credit'), (b) => `balance ${b.balance}`);

  out('\nBalances and ledgers (bonus service)');
  const expected: Record<string, { who: string; balance: number; amounts: number[] }> = {
    [ada]: { who: 'Ada', balance: 4 * PER_POINT, amounts: [4 * PER_POINT] },
    [bob]: { who: 'Bob', balance: 9 * PER_POINT, amounts: [4 * PER_POINT, 5 * PER_POINT] },
  };
  const problems: string[] = [];
  for (const [uid, want] of Object.entries(expected)) {
    const balance: Balance = await s.balance(uid);
    const ledger: LedgerEntry[] = await s.ledger(uid);
    out(`  ${want.who} (${short(uid)}): balance ${balance.balance} in ${balance.entries} entries`);
    for (const e of ledger) out(`    +${e.amount}  task ${short(e.task_uid)}  candidate ${short(e.candidate_uid)}  rating ${e.rating} x ${e.per_rating_point}  -> ${e.payout_account}`);
    if (balance.balance !== want.balance) problems.push(`${want.who}: balance ${balance.balance}, expected ${want.balance}`);
    const amounts = ledger.map((e) => e.amount).sort((a, b) => a - b);
    if (JSON.stringify(amounts) !== JSON.stringify(want.amounts)) problems.push(`${want.who}: ledger amounts ${JSON.stringify(amounts)}, expected ${JSON.stringify(want.amounts)}`);
  }
  if (problems.length) {
    out(`\n✗ WRONG AMOUNTS:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  out(`\n✓ All amounts as expected (demo took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    if (error instanceof EndpointsFileError) {
      process.stderr.write(`✗ ${error.message}\n`);
    } else if (error instanceof SystemUnreachableError) {
      process.stderr.write(`✗ The system is not running: ${error.message}.\n  Start it with \`npm start\` in another shell (it rewrites ${values.endpoints}), then run the demo again.\n`);
    } else {
      process.stderr.write(`✗ Demo failed: ${error.message}\n`);
    }
    process.exit(2);
  },
);
