export {
  Health,
  HEALTH_CHECK_TIMEOUT_MS,
  HEALTH_INTERVAL_MS,
  STALLED_AFTER_MS,
  type CheckReport,
  type HealthCheck,
  type HealthOptions,
  type LivenessReport,
  type ReadinessReport,
} from './health-model';
export { mysqlCheck, providersCheck, rocketmqCheck, zookeeperCheck } from './checks';
