import { z } from 'zod';

/**
 * A scenario's `nova:` section: real Keystone and Nova (Debian 12's Zed) with one nova-compute
 * (fake driver) per hypervisor; each hypervisor is one of the scenario's `hosts`.
 */
export const novaScenarioSchema = z
  .object({
    /** Host names from `hosts`; each runs a nova-compute while its BMC says power on. */
    hypervisors: z.array(z.string()).min(1),
    /** Instances booted at start, spread round-robin over the hypervisors; default 2 per host. */
    instances: z.number().int().min(0).optional(),
    /** Nova's `report_interval` and `service_down_time`, in seconds. */
    reportInterval: z.number().int().min(1).default(2),
    serviceDownTime: z.number().int().min(2).default(10),
  })
  .strict()
  .refine((n) => n.serviceDownTime > n.reportInterval, {
    message: 'serviceDownTime must be longer than reportInterval',
    path: ['serviceDownTime'],
  });

export type NovaScenario = z.output<typeof novaScenarioSchema>;
