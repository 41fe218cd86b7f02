export {
  CreateMode,
  ephemeralOwnerHex,
  ZkErrorCode,
  zkErrorCode,
  ZkSession,
  ZkSessionEndedError,
  type ZkEvent,
  type ZkSessionOptions,
  type ZkSessionState,
  type ZkStat,
} from './zk-session';
