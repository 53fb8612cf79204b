create table if not exists orders (
	id bigserial primary key,
	-- Given by the client: a request sent again takes no second order
	request_id varchar(100) not null unique,
	item varchar(100) not null,
	price integer not null,
	status varchar(20) not null default 'NEW'
);
-- One row per payment message read from RabbitMQ: a message read twice shows as two rows
create table if not exists payments (
	payment_id varchar(100) not null,
	order_id bigint not null
);
-- One row per Kafka record read: a record read twice shows as two rows
create table if not exists order_events (
	event_key varchar(100) not null,
	payload varchar(200) not null
);
