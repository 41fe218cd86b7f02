export { SHOP_TREES, secureTree, type SecureTreeReport } from './secure-tree';
export { digestId, permissionsOf, sameAcls, shopAcls, type ZkDigestCredentials } from './zk-acl';
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
