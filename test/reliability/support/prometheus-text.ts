/**
 * One sample of a Prometheus text exposition (`/metrics`), by metric name and exact label set
 * (`{a="x",b="y"}` in the order the exporter writes them); undefined when no such series is
 * exported, so that a check for 0 cannot pass on a series that went missing.
 */
export function metricValue(text: string, name: string, labels: string): number | undefined {
  const match = new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}
