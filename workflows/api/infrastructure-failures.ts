// Failure types of the activities that reach BMCs, DNS, NetBox, OpenStack and Vault, for workflows
// to tell them apart.

/** Failure types of the BMC activities, for workflows to tell them apart. */
export const BMC_FAILURES = {
  /** The BMC's FRU serial is not the inventory's: never retried, nothing was touched. */
  identityMismatch: 'BmcIdentityMismatch',
  /** The BMC did not answer in time (a hung or unreachable BMC): retried. */
  timeout: 'BmcTimeout',
  /** The BMC refused the credentials or their privilege: never retried. */
  auth: 'BmcAuthFailed',
  /** The BMC refused a setting (e.g. the boot device), with its message: never retried. */
  refused: 'BmcRefused',
  /** The BMC answered a command with an error: retried. */
  failed: 'BmcCommandFailed',
  /** The host was on when Steward was to power it on: someone else booted it; never retried. */
  poweredOnElsewhere: 'BmcPoweredOnElsewhere',
} as const;

/** Failure types of a DNS lookup: no such name (never retried), or no answer (retried). */
export const DNS_FAILURES = { notFound: 'DnsNameNotFound', failed: 'DnsLookupFailed' } as const;

/** Failure types of the NetBox activities (a refused field is INVALID_INPUT). */
export const NETBOX_FAILURES = {
  /** NetBox answered 5xx, or could not be reached: retried. */
  unavailable: 'NetboxUnavailable',
  /** NetBox refused the request (a 4xx other than a bad field), with its message: never retried. */
  refused: 'NetboxRefused',
} as const;

/** Failure types of the Vault client (a bad or missing secret reference is INVALID_INPUT). */
export const OPENSTACK_FAILURES = {
  /** Keystone or a service answered 5xx, or could not be reached: retried. */
  unavailable: 'OpenStackUnavailable',
  /** Keystone refused the login (wrong password, unknown user or project): never retried. */
  loginFailed: 'OpenStackLoginFailed',
  /** The service refused the request (4xx), with its own message: never retried. */
  refused: 'OpenStackRefused',
  /**
   * Nova refuses, for now, what a running process will soon allow (forcing a host up before its
   * restarted compute has completed the evacuations from it): retried.
   */
  pending: 'OpenStackPending',
  /** The named object (host, server, service) does not exist: never retried. */
  notFound: 'OpenStackNotFound',
} as const;

export const VAULT_FAILURES = {
  /** Vault answered 5xx, or could not be reached: retried. */
  unavailable: 'VaultUnavailable',
  /** Vault refused the AppRole login (wrong role ID or secret ID): never retried. */
  loginFailed: 'VaultLoginFailed',
  /** Vault's policy denies the request: never retried. */
  denied: 'VaultDenied',
} as const;
