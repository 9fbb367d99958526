import { requiredEnv } from '../shared/messaging/requiredEnv.js';
import { createBonusConsumer } from './createBonusConsumer.js';

/** Lambda entry of the bonus event consumer (SQS, batch item failures). */
export const handler = createBonusConsumer({ perRatingPoint: Number(requiredEnv('BONUS_PER_RATING_POINT')) });
