create table if not exists visits (id bigserial primary key, visited_at timestamptz not null);
create table if not exists jobs (id bigserial primary key, done_at timestamptz not null);
create table if not exists heartbeat (id int primary key, beats bigint not null, last_beat timestamptz);
insert into heartbeat (id, beats) values (1, 0) on conflict (id) do nothing;
