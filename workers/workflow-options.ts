// Where the worker finds its workflows and the interceptors registered on every one of them.
export const workflowOptions = {
  workflowsPath: require.resolve('../workflows'),
  interceptors: { workflowModules: [require.resolve('../workflows/metrics-interceptor')] },
};

/** The worker's Prometheus exporter: the Runtime's telemetry, serving every SDK and Steward figure. */
export const prometheusTelemetry = (port: number) => ({
  metrics: {
    prometheus: {
      bindAddress: `127.0.0.1:${port}`,
      // The SDK's default buckets suit milliseconds; a node's step takes seconds to an hour.
      histogramBucketOverrides: {
        steward_step_duration_seconds: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      },
    },
  },
});
