import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requiredEnv } from '../shared/messaging/requiredEnv.js';
import { createBonusApi } from './createBonusApi.js';

/** Lambda entry of the bonus API (API Gateway REST proxy). */
export const handler = createBonusApi({
  doc: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  tableName: requiredEnv('TABLE_NAME'),
});
