export { CreateMode, ephemeralOwnerHex, ZkErrorCode, zkErrorCode, ZkSession, type ZkEvent, type ZkSessionOptions, type ZkSessionState, type ZkStat } from './zk-session';
