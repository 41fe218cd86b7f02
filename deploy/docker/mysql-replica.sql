-- The replica of deploy/docker-compose.yml: replicates the primary "mysql" by GTID from its
-- (empty) start, and refuses every write of its own. GET_SOURCE_PUBLIC_KEY: the replication
-- account uses caching_sha2_password without TLS. deploy/k8s/infra/mysql.yaml does the same.
RESET BINARY LOGS AND GTIDS;
CHANGE REPLICATION SOURCE TO SOURCE_HOST='mysql', SOURCE_PORT=3306, SOURCE_USER='replication',
  SOURCE_PASSWORD='replication', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1,
  SOURCE_CONNECT_RETRY=10, SOURCE_RETRY_COUNT=8640;
START REPLICA;
SET PERSIST read_only = ON;
SET PERSIST super_read_only = ON;
