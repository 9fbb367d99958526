import { startFauxqs } from 'fauxqs';
import { freePort } from './net.js';

/** A running SQS-API server (fauxqs, in this process), speaking the SDK's JSON protocol. */
export interface SqsServer {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startSqsServer(options: { port?: number } = {}): Promise<SqsServer> {
  const port = options.port ?? (await freePort());
  const server = await startFauxqs({ port, host: '127.0.0.1', logger: false });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    stop: () => server.stop(),
  };
}
