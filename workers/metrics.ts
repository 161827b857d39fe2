// The worker's Prometheus exporter: the Runtime's telemetry, serving the SDK's figures and
// Steward's own (workflows/metrics.ts).
export const prometheusTelemetry = ({
  port,
  bindAddress,
}: {
  port: number;
  bindAddress: string;
}) => ({
  metrics: {
    prometheus: {
      bindAddress: `${bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress}:${port}`,
      // The SDK's default buckets suit milliseconds; a node's step takes seconds to an hour.
      histogramBucketOverrides: {
        steward_step_duration_seconds: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      },
    },
  },
});
