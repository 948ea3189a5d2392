// The operator's settings as the deployment rules and the spec builder take
// them. Berth's own ports (the API, the proxy) are always reserved.
import type { Config } from "../../config.js";
import { defaultSpecOptions, type SpecOptions } from "../../orchestrator/service-spec.js";
import type { DeploymentPolicy } from "./policy.js";

export function deploymentPolicy(config: Config): DeploymentPolicy {
  return {
    privateRegistries: config.DEPLOY_PRIVATE_REGISTRIES,
    allowPublishedPorts: config.DEPLOY_PUBLISH_PORTS,
    allowPrivilegedPorts: config.DEPLOY_PUBLISH_PRIVILEGED_PORTS,
    reservedPorts: [...new Set([...config.DEPLOY_RESERVED_PORTS, config.PORT])],
    defaultNanoCpus: config.DEPLOY_DEFAULT_CPUS,
    maxNanoCpus: config.DEPLOY_MAX_CPUS,
    defaultMemoryBytes: config.DEPLOY_DEFAULT_MEMORY,
    maxMemoryBytes: config.DEPLOY_MAX_MEMORY,
    reservationFraction: config.DEPLOY_RESERVATION_FRACTION,
    maxReplicas: config.DEPLOY_MAX_REPLICAS,
    allowedCapabilities: config.DEPLOY_CAPABILITIES,
    requireNonRoot: config.DEPLOY_REQUIRE_NON_ROOT,
    defaultUser: config.DEPLOY_DEFAULT_USER,
  };
}

export function specOptions(config: Config): SpecOptions {
  return {
    ...defaultSpecOptions,
    endpointMode: config.SWARM_ENDPOINT_MODE,
    publishMode: config.SWARM_PUBLISH_MODE,
    pidsLimit: config.DEPLOY_PIDS_LIMIT,
    nofileLimit: config.DEPLOY_NOFILE_LIMIT,
    tmpSizeBytes: config.DEPLOY_TMP_SIZE,
    logMaxSize: config.DEPLOY_LOG_MAX_SIZE,
    logMaxFiles: config.DEPLOY_LOG_MAX_FILES,
    restartMaxAttempts: config.DEPLOY_RESTART_MAX_ATTEMPTS,
    updateMonitorNs: config.DEPLOY_UPDATE_MONITOR,
    placementConstraints: config.DEPLOY_PLACEMENT_CONSTRAINTS,
  };
}
