-- The application account, with rights on every service schema (shop_goods, shop_order, ...),
-- as deploy/local/lib/mysql.sh creates it.
CREATE USER IF NOT EXISTS 'shop'@'%' IDENTIFIED BY 'shop';
GRANT ALL PRIVILEGES ON `shop\_%`.* TO 'shop'@'%';
