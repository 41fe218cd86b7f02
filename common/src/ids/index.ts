export { ClockMovedBackwardsError, isSnowflakeId, MAX_WORKER_ID, parseSnowflake, SnowflakeGenerator, type SnowflakeParts } from './snowflake';
