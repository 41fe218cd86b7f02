export { runService, startService, type ServiceContext, type ServiceProcess, type Stoppable } from './run-service';
export { readServiceConfig, type ServiceConfig } from './service-config';
export { leaseWorkerId, WORKERS_ROOT } from './worker-id';
export { startPeriodic } from './periodic';
export { isPlantedDefect, plantedDefects } from './planted';
