// Where OTLP/HTTP logs go. OTLP names two forms: the base URL (OTEL_EXPORTER_OTLP_ENDPOINT, to
// which /v1/logs is appended) and the full logs URL (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, used as it
// is). Users paste either, so both are accepted: a URL whose path already ends in /v1/logs is
// the endpoint; any other gets /v1/logs appended (never …/v1/logs/v1/logs).
export function otlpLogsEndpoint(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = /\/v1\/logs$/i.test(path) ? path : `${path}/v1/logs`;
  return url.toString();
}
