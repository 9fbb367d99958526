import type { SQSClientConfig } from '@aws-sdk/client-sqs';

/**
 * The configuration of every SQS client in the functions.
 *
 * `useQueueUrlAsEndpoint: false`: send to the client's regional endpoint (or `AWS_ENDPOINT_URL_SQS`)
 * instead of the host of each request's `QueueUrl`. Every queue a function sends to is in its own
 * stack's region, so in AWS both are the same host; locally the SQS server's queue URLs
 * (`http://sqs.us-east-1.127.0.0.1:<port>/...`) are not parseable by the SDK's check, which logged a
 * multi-line `TypeError: Invalid URL` on every send.
 */
export const SQS_CLIENT_CONFIG: SQSClientConfig = { useQueueUrlAsEndpoint: false };
