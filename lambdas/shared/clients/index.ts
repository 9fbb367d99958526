import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The AWS clients of the services' entry points, created in ONE way: lazily (on the first call, so
 * importing an entry module neither reads the environment nor builds clients) and once per
 * execution environment (reused by every invocation).
 *
 * @example
 * ```ts
 * const api = once(() => createTasksApi({ doc: documentClient(), tableName: getStringFromEnv({ key: 'TABLE_NAME' }) }));
 * export const handler = middy().use(powertools()).handler((event, context) => api()(event, context));
 * ```
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/**
 * The DynamoDB document client every service writes with: `removeUndefinedValues` so optional
 * attributes may be left `undefined` in items instead of being spread conditionally.
 */
export const documentClient = once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
);
