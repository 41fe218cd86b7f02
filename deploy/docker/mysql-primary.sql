-- The primary of deploy/docker-compose.yml: an account for its replica, then an empty binary log,
-- so that the replica (which made the shop's account itself) replays only what comes after.
-- deploy/k8s/infra/mysql.yaml does the same with its passwords from a secret.
CREATE USER IF NOT EXISTS 'replication'@'%' IDENTIFIED BY 'replication';
GRANT REPLICATION SLAVE ON *.* TO 'replication'@'%';
RESET BINARY LOGS AND GTIDS;
