/**
 * Resolves a secret reference, e.g. `vault:secret/data/bmc/node-7#password`, to its value.
 * Workflows carry only references; activities resolve them through the one the worker injects.
 */
export type SecretResolver = (ref: string) => Promise<string>;
