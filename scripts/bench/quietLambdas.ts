/**
 * Imported FIRST by the consumer bench: the handlers' Powertools logger and metrics read their
 * settings when their module loads, and a bench must not print a JSON line per record.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export {};
