/**
 * What the main thread tells the CloudWatch transport's worker. Plain data only: pino copies
 * it into the worker thread. No SDK import here, so the main thread never loads the SDK.
 */
import type { Config } from '../config.js';

export interface CloudWatchTransportOptions {
  logGroup: string;
  /** Default: `<hostname>-<start time>`, made of characters CloudWatch allows. */
  logStream?: string | undefined;
  /** Default: the SDK's own chain (AWS_REGION, profile, instance metadata). */
  region?: string | undefined;
  /** Default: the SDK's own variables (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL). */
  endpoint?: string | undefined;
  /** Only for LocalStack's fixed test keys; real deployments use the SDK's credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  flushIntervalMs?: number | undefined;
  closeTimeoutMs?: number | undefined;
  maxBufferedEvents?: number | undefined;
  maxBufferedBytes?: number | undefined;
}

/**
 * The transport's options from the validated config, or undefined when CLOUDWATCH_LOG_GROUP is
 * unset. `LOCALSTACK=true` means LocalStack's endpoint and test keys, as for SQS
 * (src/sqs/sqs-client.ts), so one switch moves every AWS call to the local stack.
 */
export function cloudWatchOptionsFromConfig(
  config: Pick<Config, 'cloudwatch' | 'sqs'>,
  env: Record<string, string | undefined>,
): CloudWatchTransportOptions | undefined {
  const { logGroup, logStream } = config.cloudwatch;
  if (!logGroup) return undefined;
  if (!config.sqs.localstack) return { logGroup, logStream };
  return {
    logGroup,
    logStream,
    region: env.AWS_REGION ?? 'us-east-1',
    endpoint: config.sqs.localstackEndpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}
